"""The brand community (native extension): ``/rooms``, ``/posts``, ``/comments``.

Members post, comment and like (``memberId`` in the body); the brand moderates. Lists
show the moderation queue (visible and hidden) unless ``status`` asks for one status;
hidden and deleted items are not shown to members, nor in the AddGlow feed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from punchcard.api.common import ids
from punchcard.api.common.auth import CommunityRead, CommunityWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.community import (
    COMMENT,
    POST,
    ROOM,
    CommentCreate,
    CommentList,
    CommentRead,
    LikeCreate,
    LikeRead,
    PostCreate,
    PostList,
    PostRead,
    RoomCreate,
    RoomList,
    RoomRead,
)
from punchcard.community import moderation, service
from punchcard.community.schemas import Status

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Community"])

StatusFilter = Annotated[
    Status | None,
    Query(description="One status only (default: `visible` and `hidden`, the moderation queue)"),
]
_ALREADY: dict[int | str, dict[str, Any]] = {
    200: {"model": LikeRead, "description": "The member had already liked it: no change"}
}


@router.post("/rooms", response_model=RoomRead, status_code=201)
def create_room(p: CommunityWrite, session: DbSession, body: RoomCreate) -> RoomRead:
    """Create a room."""
    return RoomRead.of(service.create_room(session, p, name=body.name))


@router.get("/rooms", response_model=RoomList)
def list_rooms(p: CommunityRead, session: DbSession, page: PageParams) -> RoomList:
    """Rooms, oldest first."""
    rows, total = service.list_rooms(session, p, page=page)
    return RoomList(
        rooms=[RoomRead.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/rooms/{id}", response_model=RoomRead)
def get_room(p: CommunityRead, session: DbSession, id: str) -> RoomRead:
    """One room (404: not found)."""
    return RoomRead.of(service.get_room(session, p, room_id=ids.parse(ROOM, id)))


@router.post("/posts", response_model=PostRead, status_code=201)
def create_post(p: CommunityWrite, session: DbSession, body: PostCreate) -> PostRead:
    """A member's post in a room (unknown `roomId` or `memberId` → 404; a banned member
    → 403 `MEMBER_BANNED`). Emits `post.created`; a member's first post, comment or
    like also emits `user.joined`."""
    view = service.create_post(
        session,
        p,
        room_id=ids.parse(ROOM, body.room_id),
        member_id=ids.parse("mem", body.member_id),
        content=body.content,
    )
    return PostRead.of(view)


@router.get("/posts", response_model=PostList)
def list_posts(
    p: CommunityRead,
    session: DbSession,
    page: PageParams,
    room_id: Annotated[str | None, Query(alias="roomId")] = None,
    member_id: Annotated[str | None, Query(alias="memberId")] = None,
    status: StatusFilter = None,
) -> PostList:
    """Posts, newest first, filtered by `roomId`, `memberId`, `status`."""
    rows, total = service.list_posts(
        session,
        p,
        page=page,
        room_id=ids.parse_filter(ROOM, room_id, field="roomId", message="roomId is not a room id"),
        member_id=ids.parse_filter(
            "mem", member_id, field="memberId", message="memberId is not a member id"
        ),
        status=status,
    )
    return PostList(
        posts=[PostRead.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/posts/{id}", response_model=PostRead)
def get_post(p: CommunityRead, session: DbSession, id: str) -> PostRead:
    """One post, whatever its status (404: not found)."""
    return PostRead.of(service.get_post(session, p, post_id=ids.parse(POST, id)))


@router.post("/posts/{id}/hide", response_model=PostRead)
def hide_post(p: CommunityWrite, session: DbSession, id: str) -> PostRead:
    """Hide a post from members (records who and when; a deleted post → 422
    `INVALID_STATUS_TRANSITION`)."""
    view = moderation.moderate_post(session, p, post_id=ids.parse(POST, id), to=Status.hidden)
    return PostRead.of(view)


@router.post("/posts/{id}/restore", response_model=PostRead)
def restore_post(p: CommunityWrite, session: DbSession, id: str) -> PostRead:
    """Show a hidden post again (a deleted one → 422 `INVALID_STATUS_TRANSITION`)."""
    view = moderation.moderate_post(session, p, post_id=ids.parse(POST, id), to=Status.visible)
    return PostRead.of(view)


@router.delete("/posts/{id}", response_model=PostRead)
def delete_post(p: CommunityWrite, session: DbSession, id: str) -> PostRead:
    """Delete a post (final; the post is kept with who deleted it and when)."""
    view = moderation.moderate_post(session, p, post_id=ids.parse(POST, id), to=Status.deleted)
    return PostRead.of(view)


@router.post("/posts/{id}/comments", response_model=CommentRead, status_code=201)
def create_comment(
    p: CommunityWrite, session: DbSession, id: str, body: CommentCreate
) -> CommentRead:
    """A member's comment on a post (a hidden or deleted post → 404). Emits
    `post_comment.created`."""
    view = service.comment(
        session,
        p,
        post_id=ids.parse(POST, id),
        member_id=ids.parse("mem", body.member_id),
        content=body.content,
    )
    return CommentRead.of(view)


@router.get("/posts/{id}/comments", response_model=CommentList)
def list_comments(
    p: CommunityRead, session: DbSession, id: str, page: PageParams, status: StatusFilter = None
) -> CommentList:
    """The post's comments, oldest first, filtered by `status`."""
    rows, total = service.list_comments(
        session, p, post_id=ids.parse(POST, id), page=page, status=status
    )
    return CommentList(
        comments=[CommentRead.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/posts/{id}/likes", response_model=LikeRead, status_code=201, responses=_ALREADY)
def like_post(
    p: CommunityWrite, session: DbSession, id: str, body: LikeCreate, response: Response
) -> LikeRead:
    """A member's like of a post: 201 when made (emits `post.liked`), 200 when the
    member had already liked it (nothing changes, nothing is emitted)."""
    made = service.like_post(
        session, p, post_id=ids.parse(POST, id), member_id=ids.parse("mem", body.member_id)
    )
    if not made.created:
        response.status_code = 200
    return LikeRead.of(made.like)


@router.get("/comments/{id}", response_model=CommentRead)
def get_comment(p: CommunityRead, session: DbSession, id: str) -> CommentRead:
    """One comment, whatever its status (404: not found)."""
    return CommentRead.of(service.get_comment(session, p, comment_id=ids.parse(COMMENT, id)))


@router.post("/comments/{id}/hide", response_model=CommentRead)
def hide_comment(p: CommunityWrite, session: DbSession, id: str) -> CommentRead:
    """Hide a comment from members (records who and when)."""
    view = moderation.moderate_comment(
        session, p, comment_id=ids.parse(COMMENT, id), to=Status.hidden
    )
    return CommentRead.of(view)


@router.post("/comments/{id}/restore", response_model=CommentRead)
def restore_comment(p: CommunityWrite, session: DbSession, id: str) -> CommentRead:
    """Show a hidden comment again (a deleted one → 422 `INVALID_STATUS_TRANSITION`)."""
    view = moderation.moderate_comment(
        session, p, comment_id=ids.parse(COMMENT, id), to=Status.visible
    )
    return CommentRead.of(view)


@router.delete("/comments/{id}", response_model=CommentRead)
def delete_comment(p: CommunityWrite, session: DbSession, id: str) -> CommentRead:
    """Delete a comment (final; kept with who deleted it and when)."""
    view = moderation.moderate_comment(
        session, p, comment_id=ids.parse(COMMENT, id), to=Status.deleted
    )
    return CommentRead.of(view)


@router.post("/comments/{id}/likes", response_model=LikeRead, status_code=201, responses=_ALREADY)
def like_comment(
    p: CommunityWrite, session: DbSession, id: str, body: LikeCreate, response: Response
) -> LikeRead:
    """A member's like of a comment: 201 when made (emits `post_comment.liked`), 200
    when the member had already liked it."""
    made = service.like_comment(
        session, p, comment_id=ids.parse(COMMENT, id), member_id=ids.parse("mem", body.member_id)
    )
    if not made.created:
        response.status_code = 200
    return LikeRead.of(made.like)
