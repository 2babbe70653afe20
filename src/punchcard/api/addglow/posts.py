"""The document's Posts group: ``GET /posts``, the community's posts members can see
(hidden and deleted ones never appear), in creation order, paged by ``limit`` and
``after``, filtered by ``roomId`` and ``createdAtAfter`` (exclusive). :class:`Post` and
:class:`Comment` are also the ``data`` of the post and comment webhooks (``events.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from punchcard.api.addglow import ids
from punchcard.api.addglow.auth import CommunityRead
from punchcard.api.addglow.paging import AfterParams
from punchcard.api.addglow.schemas import Listing, Wire
from punchcard.api.common.params import IsoDateTime, utc
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.community import service
from punchcard.community.views import CommentView, PostView
from punchcard.kit.schema import UtcTime

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Posts"])


class Post(Wire):
    """A post in one of the brand's rooms."""

    id: str
    room_id: str
    member_id: str
    content: str
    like_count: int
    comment_count: int
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, v: PostView) -> Post:
        return cls(
            id=ids.render(v.id),
            room_id=ids.render(v.room_id),
            member_id=ids.render(v.member_id),
            content=v.content,
            like_count=v.like_count,
            comment_count=v.comment_count,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class Comment(Wire):
    """A comment on a post (the ``post_comment.*`` webhooks' comment)."""

    id: str
    post_id: str
    room_id: str
    member_id: str
    content: str
    like_count: int
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, v: CommentView, *, post: PostView) -> Comment:
        return cls(
            id=ids.render(v.id),
            post_id=ids.render(v.post_id),
            room_id=ids.render(post.room_id),
            member_id=ids.render(v.member_id),
            content=v.content,
            like_count=v.like_count,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


@router.get("/posts", response_model=Listing[Post])
def list_posts(
    p: CommunityRead,
    session: DbSession,
    paging: AfterParams,
    room_id: Annotated[
        str | None,
        Query(
            alias="roomId", description="Room ID", examples=["575afa13-cf79-439d-8be8-2751615dc0f5"]
        ),
    ] = None,
    created_at_after: Annotated[
        IsoDateTime | None,
        Query(
            alias="createdAtAfter",
            description="Filter posts created after this date (exclusive; UTC if no offset)",
        ),
    ] = None,
) -> Listing[Post]:
    """Returns a list of posts, paginated by creation time."""
    rows, more = service.feed(
        session,
        p,
        cursor=paging,
        room_id=ids.optional_field_id(room_id, field="roomId"),
        created_after=utc(created_at_after),
    )
    return Listing[Post].of([Post.of(v) for v in rows], more)
