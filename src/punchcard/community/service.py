"""Community use cases: rooms, posts, comments, likes (moderation: ``moderation.py``).

Members act, the brand reads and moderates. A post or comment is by a member of the
tenant (unknown: 404 naming ``memberId``) who is not banned (403 ``MEMBER_BANNED``), in
an existing room, on a post or comment members can see (a hidden or deleted one is 404
to them). A member's first post, comment or like joins them to the community
(``members.service.join``: ``user.joined`` once).

One like per member per post or comment: a second like changes nothing and answers
the like already there (``created`` False). Concurrent likes by one member write one
row (the unique key, inserted with ``ON CONFLICT DO NOTHING``) and emit one event; only
the like that inserted moves the cached ``like_count`` (``UPDATE … SET like_count =
like_count + 1``, so different members' concurrent likes all count).

Events, in the transaction of the change, on the post's lane (a thread's deliveries
stay in order): ``post.created``, ``post.liked``, ``post_comment.created``,
``post_comment.liked`` (only for a new like). Lists: what a caller sees is decided
here (``visible_statuses``), not by the face.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from punchcard.community import data, views
from punchcard.community.repository import (
    CommentLikeRepository,
    CommentRepository,
    PostLikeRepository,
    PostRepository,
    RoomRepository,
)
from punchcard.community.schemas import MAX_CONTENT, MAX_NAME, MODERATION_QUEUE, PUBLIC, Status
from punchcard.community.views import CommentView, LikeView, PostView, RoomView
from punchcard.db.uow import now
from punchcard.errors import Forbidden, NotFound, ValidationFailed
from punchcard.events import service as events
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.ids import parse as parse_id
from punchcard.kit.paging import Cursor, Page
from punchcard.members import service as members
from punchcard.members.schemas import MemberStatus
from punchcard.models import Member, Post, PostComment, Room


@dataclass(frozen=True)
class Like:
    like: LikeView
    created: bool


def _text(value: str, *, field: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise ValidationFailed(f"{field} must not be empty", field=field)
    if len(value) > limit:
        raise ValidationFailed(f"{field} is at most {limit} characters", field=field)
    return value


def visible_statuses(principal: Principal, status: Status | None = None) -> Sequence[Status]:
    """What the caller may list: a signed-in member sees only what is visible; the
    brand (an API key, a dashboard user) sees the moderation queue (visible and hidden)
    or any one status it asks for, deleted included."""
    if principal.is_member:
        return PUBLIC
    return (status,) if status is not None else MODERATION_QUEUE


def _author(session: Session, principal: Principal, member_id: uuid.UUID) -> Member:
    """The acting member: the tenant's (404 naming memberId), not banned (403)."""
    member = members.get(session, principal, member_id=member_id, field="memberId")
    if member.status == MemberStatus.banned:
        raise Forbidden(
            "A banned member cannot post, comment or like", field="memberId", code="MEMBER_BANNED"
        )
    return member


def _joins(session: Session, member: Member) -> None:
    # Only a member not yet joined costs the conditional UPDATE (it emits user.joined).
    if member.joined_at is None:
        members.join(session, member)


def _lane(post_id: uuid.UUID) -> str:
    return events.lane("post", post_id)


# Rooms ------------------------------------------------------------------------------


def create_room(session: Session, principal: Principal, *, name: str) -> RoomView:
    row = RoomRepository(session, principal.tenant_id).add(
        Room(id=new_id(), name=_text(name, field="name", limit=MAX_NAME), created_at=now(session))
    )
    return RoomView.of(row)


def _room(session: Session, principal: Principal, room_id: uuid.UUID, *, field: str) -> Room:
    row = RoomRepository(session, principal.tenant_id).get(room_id)
    if row is None:
        raise NotFound("Room not found", field=field)
    return row


def get_room(session: Session, principal: Principal, *, room_id: uuid.UUID) -> RoomView:
    return RoomView.of(_room(session, principal, room_id, field="id"))


def room_slug(name: str) -> str:
    """A room's name as a path segment: lower case, runs of anything but letters and
    digits as one ``-`` (``General Chat!`` → ``general-chat``)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# Rooms read when a path names one by its slug: a brand has a handful.
_MAX_ROOMS_SCANNED = 1000


def find_room(session: Session, principal: Principal, *, ref: str) -> RoomView:
    """The room ``ref`` names: its id (a canonical UUID or the native face's
    ``room_<hex>``) or the slug of its name (:func:`room_slug`; of two rooms with one
    slug, the older). NotFound otherwise, another tenant's id included."""
    room_id = parse_id("room", ref)
    if room_id is not None:
        row = RoomRepository(session, principal.tenant_id).get(room_id)
        if row is not None:
            return RoomView.of(row)
    wanted = room_slug(ref)
    if wanted:
        rooms, _ = views.rooms(
            session, principal.tenant_id, Page(_MAX_ROOMS_SCANNED, 0, max_limit=_MAX_ROOMS_SCANNED)
        )
        for room in rooms:
            if room_slug(room.name) == wanted:
                return room
    raise NotFound("Room not found", field="room")


def list_rooms(session: Session, principal: Principal, *, page: Page) -> tuple[list[RoomView], int]:
    return views.rooms(session, principal.tenant_id, page)


# Posts ------------------------------------------------------------------------------


def create_post(
    session: Session,
    principal: Principal,
    *,
    room_id: uuid.UUID,
    member_id: uuid.UUID,
    content: str,
) -> PostView:
    """A member's post in the room, visible. Emits ``post.created`` (and, on the
    member's first step in the community, ``user.joined``)."""
    room = _room(session, principal, room_id, field="roomId")
    member = _author(session, principal, member_id)
    at = now(session)
    row = PostRepository(session, principal.tenant_id).add(
        Post(
            id=new_id(),
            room_id=room.id,
            member_id=member.id,
            content=_text(content, field="content", limit=MAX_CONTENT),
            status=Status.visible.value,
            like_count=0,
            comment_count=0,
            created_at=at,
            updated_at=at,
        )
    )
    _joins(session, member)
    view = PostView.of(row)
    events.emit(
        session,
        principal.tenant_id,
        "post.created",
        data.post_created(view),
        resource_id=_lane(row.id),
    )
    return view


def post_row(
    session: Session,
    principal: Principal,
    post_id: uuid.UUID,
    *,
    statuses: Sequence[Status],
    lock: bool = False,
    field: str = "id",
) -> Post:
    """The post if its status is one of ``statuses``, else NotFound naming ``field``."""
    row = PostRepository(session, principal.tenant_id).get(post_id, lock=lock)
    if row is None or row.status not in statuses:
        raise NotFound("Post not found", field=field)
    return row


def get_post(session: Session, principal: Principal, *, post_id: uuid.UUID) -> PostView:
    """The post; the brand sees any (deleted ones too, with who deleted it and when)."""
    everything = PUBLIC if principal.is_member else tuple(Status)
    return PostView.of(post_row(session, principal, post_id, statuses=everything))


def list_posts(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    room_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    status: Status | None = None,
) -> tuple[list[PostView], int]:
    """A page of posts, newest first (see :func:`visible_statuses`)."""
    return views.posts(
        session,
        principal.tenant_id,
        page,
        statuses=visible_statuses(principal, status),
        room_id=room_id,
        member_id=member_id,
    )


def feed(
    session: Session,
    principal: Principal,
    *,
    cursor: Cursor,
    room_id: uuid.UUID | None = None,
    created_after: datetime | None = None,
) -> tuple[list[PostView], bool]:
    """The posts members see, in creation order, paged by keyset; a room filter names
    an existing room (404 naming ``roomId``)."""
    if room_id is not None:
        _room(session, principal, room_id, field="roomId")
    return views.feed(
        session,
        principal.tenant_id,
        cursor,
        statuses=PUBLIC,
        room_id=room_id,
        created_after=created_after,
    )


# Comments ---------------------------------------------------------------------------


def comment(
    session: Session,
    principal: Principal,
    *,
    post_id: uuid.UUID,
    member_id: uuid.UUID,
    content: str,
) -> CommentView:
    """A member's comment on a post members can see. Emits ``post_comment.created``."""
    post = post_row(session, principal, post_id, statuses=PUBLIC)
    member = _author(session, principal, member_id)
    at = now(session)
    row = CommentRepository(session, principal.tenant_id).add(
        PostComment(
            id=new_id(),
            post_id=post.id,
            member_id=member.id,
            content=_text(content, field="content", limit=MAX_CONTENT),
            status=Status.visible.value,
            like_count=0,
            created_at=at,
            updated_at=at,
        )
    )
    count = PostRepository(session, principal.tenant_id).add_to(post.id, "comment_count", 1)
    set_committed_value(post, "comment_count", count)
    _joins(session, member)
    view = CommentView.of(row)
    events.emit(
        session,
        principal.tenant_id,
        "post_comment.created",
        data.comment_created(view, PostView.of(post)),
        resource_id=_lane(post.id),
    )
    return view


def comment_row(
    session: Session,
    principal: Principal,
    comment_id: uuid.UUID,
    *,
    statuses: Sequence[Status],
    lock: bool = False,
) -> PostComment:
    row = CommentRepository(session, principal.tenant_id).get(comment_id, lock=lock)
    if row is None or row.status not in statuses:
        raise NotFound("Comment not found", field="id")
    return row


def get_comment(session: Session, principal: Principal, *, comment_id: uuid.UUID) -> CommentView:
    everything = PUBLIC if principal.is_member else tuple(Status)
    return CommentView.of(comment_row(session, principal, comment_id, statuses=everything))


def list_comments(
    session: Session,
    principal: Principal,
    *,
    post_id: uuid.UUID,
    page: Page,
    status: Status | None = None,
) -> tuple[list[CommentView], int]:
    """A page of the post's comments, oldest first (an unknown post is 404)."""
    get_post(session, principal, post_id=post_id)
    return views.comments(
        session,
        principal.tenant_id,
        post_id,
        page,
        statuses=visible_statuses(principal, status),
    )


# Likes ------------------------------------------------------------------------------


def like_post(
    session: Session, principal: Principal, *, post_id: uuid.UUID, member_id: uuid.UUID
) -> Like:
    """The member's like of a post members can see: made now (``created``; emits
    ``post.liked``) or the one already there (nothing changes, nothing is emitted)."""
    post = post_row(session, principal, post_id, statuses=PUBLIC)
    member = _author(session, principal, member_id)
    likes = PostLikeRepository(session, principal.tenant_id)
    # The insert comes first: a like that loses the race waits here holding nothing, so
    # it cannot deadlock with the winner's UPDATEs (the post's count, the member's join).
    new = likes.insert_once(post.id, member.id, now(session))
    if new is None:
        found = likes.find(post.id, member.id)
        session.refresh(post, ["like_count"])
        return Like(LikeView.of(found, post_id=post.id, like_count=post.like_count), False)
    count = PostRepository(session, principal.tenant_id).add_to(post.id, "like_count", 1)
    # The row has it now; the object learns it without a second read.
    set_committed_value(post, "like_count", count)
    _joins(session, member)
    like = LikeView.of(likes.find(post.id, member.id), post_id=post.id, like_count=count)
    events.emit(
        session,
        principal.tenant_id,
        "post.liked",
        data.post_liked(like, PostView.of(post)),
        resource_id=_lane(post.id),
    )
    return Like(like, True)


def like_comment(
    session: Session, principal: Principal, *, comment_id: uuid.UUID, member_id: uuid.UUID
) -> Like:
    """The member's like of a comment members can see (on a post they can see): made
    now (emits ``post_comment.liked``) or the one already there."""
    target = comment_row(session, principal, comment_id, statuses=PUBLIC)
    post = post_row(session, principal, target.post_id, statuses=PUBLIC, field="id")
    member = _author(session, principal, member_id)
    likes = CommentLikeRepository(session, principal.tenant_id)
    new = likes.insert_once(target.id, member.id, now(session))
    if new is None:
        found = likes.find(target.id, member.id)
        session.refresh(target, ["like_count"])
        return Like(LikeView.of(found, post_id=post.id, like_count=target.like_count), False)
    count = CommentRepository(session, principal.tenant_id).add_likes(target.id, 1)
    set_committed_value(target, "like_count", count)
    _joins(session, member)
    like = LikeView.of(likes.find(target.id, member.id), post_id=post.id, like_count=count)
    events.emit(
        session,
        principal.tenant_id,
        "post_comment.liked",
        data.comment_liked(like, CommentView.of(target), PostView.of(post)),
        resource_id=_lane(post.id),
    )
    return Like(like, True)
