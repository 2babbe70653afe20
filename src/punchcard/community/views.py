"""The community read model: rooms, posts, comments and likes as every face renders
them. A page is a fixed number of statements whatever its size: the rows (counts are
cached on the row) and the total, or for a keyset page the anchor and the rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from punchcard.community.repository import CommentRepository, PostRepository, RoomRepository
from punchcard.community.schemas import Status
from punchcard.kit.paging import Cursor, Page
from punchcard.models import CommentLike, Post, PostComment, PostLike, Room

ROOM_COLUMNS = (Room.id, Room.name, Room.created_at)
POST_COLUMNS = (
    Post.id,
    Post.room_id,
    Post.member_id,
    Post.content,
    Post.status,
    Post.like_count,
    Post.comment_count,
    Post.moderated_by_key_id,
    Post.moderated_by_user_id,
    Post.moderated_at,
    Post.created_at,
    Post.updated_at,
)
COMMENT_COLUMNS = (
    PostComment.id,
    PostComment.post_id,
    PostComment.member_id,
    PostComment.content,
    PostComment.status,
    PostComment.like_count,
    PostComment.moderated_by_key_id,
    PostComment.moderated_by_user_id,
    PostComment.moderated_at,
    PostComment.created_at,
    PostComment.updated_at,
)


@dataclass(frozen=True)
class RoomView:
    id: uuid.UUID
    name: str
    created_at: datetime

    @classmethod
    def of(cls, row: Room) -> RoomView:
        return cls(row.id, row.name, row.created_at)


@dataclass(frozen=True)
class PostView:
    id: uuid.UUID
    room_id: uuid.UUID
    member_id: uuid.UUID
    content: str
    status: str
    like_count: int
    comment_count: int
    moderated_by_key_id: uuid.UUID | None
    moderated_by_user_id: uuid.UUID | None
    moderated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Post) -> PostView:
        """The view of a row (a written one, or one restored from an event's data)."""
        return cls(**{c.key: getattr(row, c.key) for c in POST_COLUMNS})


@dataclass(frozen=True)
class CommentView:
    id: uuid.UUID
    post_id: uuid.UUID
    member_id: uuid.UUID
    content: str
    status: str
    like_count: int
    moderated_by_key_id: uuid.UUID | None
    moderated_by_user_id: uuid.UUID | None
    moderated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: PostComment) -> CommentView:
        return cls(**{c.key: getattr(row, c.key) for c in COMMENT_COLUMNS})


@dataclass(frozen=True)
class LikeView:
    """A like on a post (``comment_id`` None) or on a comment, and the liked item's
    likes now."""

    id: uuid.UUID
    post_id: uuid.UUID
    comment_id: uuid.UUID | None
    member_id: uuid.UUID
    created_at: datetime
    like_count: int

    @classmethod
    def of(cls, like: PostLike | CommentLike, *, post_id: uuid.UUID, like_count: int) -> LikeView:
        comment_id = like.comment_id if isinstance(like, CommentLike) else None
        return cls(like.id, post_id, comment_id, like.member_id, like.created_at, like_count)


def _statuses(stmt: Select[Any], column: Any, statuses: Sequence[Status]) -> Select[Any]:
    return stmt.where(column.in_([s.value for s in statuses]))


def rooms(session: Session, tenant_id: uuid.UUID, page: Page) -> tuple[list[RoomView], int]:
    """A page of rooms, oldest first (a brand's rooms read as they made them)."""
    repo = RoomRepository(session, tenant_id)
    total = session.scalar(repo.scoped(select(func.count(Room.id))))
    stmt = (
        repo.scoped(select(*ROOM_COLUMNS))
        .order_by(Room.created_at, Room.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    return [RoomView(**r._mapping) for r in session.execute(stmt)], int(total or 0)


def posts(
    session: Session,
    tenant_id: uuid.UUID,
    page: Page,
    *,
    statuses: Sequence[Status],
    room_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
) -> tuple[list[PostView], int]:
    """A page of posts, newest first (a moderator reads the latest first)."""
    repo = PostRepository(session, tenant_id)

    def filtered(stmt: Select[Any]) -> Select[Any]:
        stmt = _statuses(repo.scoped(stmt), Post.status, statuses)
        if room_id is not None:
            stmt = stmt.where(Post.room_id == room_id)
        return stmt if member_id is None else stmt.where(Post.member_id == member_id)

    total = session.scalar(filtered(select(func.count(Post.id))))
    stmt = (
        filtered(select(*POST_COLUMNS))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    return [PostView(**r._mapping) for r in session.execute(stmt)], int(total or 0)


def feed(
    session: Session,
    tenant_id: uuid.UUID,
    cursor: Cursor,
    *,
    statuses: Sequence[Status],
    room_id: uuid.UUID | None = None,
    created_after: datetime | None = None,
) -> tuple[list[PostView], bool]:
    """A keyset page of posts in creation order (``created_after`` exclusive), and
    whether more follow."""
    repo = PostRepository(session, tenant_id)
    stmt = _statuses(repo.scoped(), Post.status, statuses)
    if room_id is not None:
        stmt = stmt.where(Post.room_id == room_id)
    if created_after is not None:
        stmt = stmt.where(Post.created_at > created_after)
    rows, more = repo.after_page(stmt, cursor)
    return [PostView.of(r) for r in rows], more


def comments(
    session: Session,
    tenant_id: uuid.UUID,
    post_id: uuid.UUID,
    page: Page,
    *,
    statuses: Sequence[Status],
) -> tuple[list[CommentView], int]:
    """A page of a post's comments, oldest first (a thread reads in order)."""
    repo = CommentRepository(session, tenant_id)

    def filtered(stmt: Select[Any]) -> Select[Any]:
        stmt = repo.scoped(stmt).where(PostComment.post_id == post_id)
        return _statuses(stmt, PostComment.status, statuses)

    total = session.scalar(filtered(select(func.count(PostComment.id))))
    stmt = (
        filtered(select(*COMMENT_COLUMNS))
        .order_by(PostComment.created_at, PostComment.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    return [CommentView(**r._mapping) for r in session.execute(stmt)], int(total or 0)
