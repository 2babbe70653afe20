"""Community wire models (native extension): rooms, posts, comments and likes
(``room_``/``post_``/``cmt_``/``like_`` ids), with each post's and comment's moderation
status and who last moderated it."""

from __future__ import annotations

from pydantic import Field

from punchcard.api.common import ids
from punchcard.community.schemas import MAX_CONTENT, MAX_NAME, Status
from punchcard.community.views import CommentView, LikeView, PostView, RoomView
from punchcard.kit.schema import InputSchema, Schema, UtcTime

ROOM = "room"
POST = "post"
COMMENT = "cmt"
LIKE = "like"


def moderator(v: PostView | CommentView) -> str | None:
    """Who made the last moderation change: an API key (``key_…``) or a user (``usr_…``)."""
    if v.moderated_by_key_id is not None:
        return ids.render("key", v.moderated_by_key_id)
    return ids.render_optional("usr", v.moderated_by_user_id)


class RoomCreate(InputSchema):
    name: str = Field(min_length=1, max_length=MAX_NAME)


class RoomRead(Schema):
    id: str
    name: str
    created_at: UtcTime

    @classmethod
    def of(cls, v: RoomView) -> RoomRead:
        return cls(id=ids.render(ROOM, v.id), name=v.name, created_at=v.created_at)


class RoomList(Schema):
    rooms: list[RoomRead]
    total: int
    limit: int
    offset: int


class PostCreate(InputSchema):
    room_id: str = Field(description="The room (`room_…`)")
    member_id: str = Field(description="The member (`mem_…`) posting")
    content: str = Field(min_length=1, max_length=MAX_CONTENT)


class PostRead(Schema):
    id: str
    room_id: str
    member_id: str
    content: str
    status: Status = Field(description="`visible`, `hidden` or `deleted` (moderation)")
    like_count: int
    comment_count: int = Field(description="Comments members can see")
    moderated_by: str | None = Field(description="`key_…` or `usr_…` of the last change")
    moderated_at: UtcTime | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, v: PostView) -> PostRead:
        return cls(
            id=ids.render(POST, v.id),
            room_id=ids.render(ROOM, v.room_id),
            member_id=ids.render("mem", v.member_id),
            content=v.content,
            status=Status(v.status),
            like_count=v.like_count,
            comment_count=v.comment_count,
            moderated_by=moderator(v),
            moderated_at=v.moderated_at,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class PostList(Schema):
    posts: list[PostRead]
    total: int
    limit: int
    offset: int


class CommentCreate(InputSchema):
    member_id: str = Field(description="The member (`mem_…`) commenting")
    content: str = Field(min_length=1, max_length=MAX_CONTENT)


class CommentRead(Schema):
    id: str
    post_id: str
    member_id: str
    content: str
    status: Status
    like_count: int
    moderated_by: str | None
    moderated_at: UtcTime | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, v: CommentView) -> CommentRead:
        return cls(
            id=ids.render(COMMENT, v.id),
            post_id=ids.render(POST, v.post_id),
            member_id=ids.render("mem", v.member_id),
            content=v.content,
            status=Status(v.status),
            like_count=v.like_count,
            moderated_by=moderator(v),
            moderated_at=v.moderated_at,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class CommentList(Schema):
    comments: list[CommentRead]
    total: int
    limit: int
    offset: int


class LikeCreate(InputSchema):
    member_id: str = Field(description="The member (`mem_…`) liking")


class LikeRead(Schema):
    id: str
    post_id: str
    comment_id: str | None = Field(description="Set for a like of a comment")
    member_id: str
    like_count: int = Field(description="The liked item's likes now")
    created_at: UtcTime

    @classmethod
    def of(cls, v: LikeView) -> LikeRead:
        return cls(
            id=ids.render(LIKE, v.id),
            post_id=ids.render(POST, v.post_id),
            comment_id=ids.render_optional(COMMENT, v.comment_id),
            member_id=ids.render("mem", v.member_id),
            like_count=v.like_count,
            created_at=v.created_at,
        )
