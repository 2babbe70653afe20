"""Community SQL: rooms, posts, comments, likes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from punchcard.db.repository import TenantRepository
from punchcard.db.uow import dialect
from punchcard.kit.ids import new_id
from punchcard.models import CommentLike, Post, PostComment, PostLike, Room


class RoomRepository(TenantRepository[Room]):
    model = Room


class PostRepository(TenantRepository[Post]):
    model = Post

    def add_to(self, post_id: uuid.UUID, column: str, delta: int) -> int:
        """Move the post's cached ``like_count`` or ``comment_count`` by ``delta`` in one
        statement (so concurrent likes by different members all count); the new value."""
        target = getattr(Post, column)
        stmt = (
            update(Post)
            .where(Post.tenant_id == self.tenant_id, Post.id == post_id)
            .values({column: target + delta})
            .returning(target)
        )
        return int(self.session.execute(stmt).scalar_one())


class CommentRepository(TenantRepository[PostComment]):
    model = PostComment

    def add_likes(self, comment_id: uuid.UUID, delta: int) -> int:
        stmt = (
            update(PostComment)
            .where(PostComment.tenant_id == self.tenant_id, PostComment.id == comment_id)
            .values(like_count=PostComment.like_count + delta)
            .returning(PostComment.like_count)
        )
        return int(self.session.execute(stmt).scalar_one())


class _Likes(TenantRepository[Any]):
    """One like per member per target (``target`` names the column: post or comment)."""

    target: str

    def insert_once(
        self, target_id: uuid.UUID, member_id: uuid.UUID, at: datetime
    ) -> uuid.UUID | None:
        """Insert the member's like unless one exists: the new like's id, or None.

        ``INSERT … ON CONFLICT DO NOTHING`` on the unique (tenant, target, member): of
        concurrent inserts exactly one writes a row (on PostgreSQL the others wait for
        it and then do nothing; SQLite runs writers one at a time), and none raises, so
        the caller's transaction stays usable and emits no second event."""
        insert = postgresql.insert if dialect(self.session) == "postgresql" else sqlite.insert
        model = self.model
        stmt = (
            insert(model)
            .values(
                {
                    "tenant_id": self.tenant_id,
                    "id": new_id(),
                    self.target: target_id,
                    "member_id": member_id,
                    "created_at": at,
                }
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", self.target, "member_id"])
            .returning(model.id)
        )
        found: uuid.UUID | None = self.session.execute(stmt).scalar_one_or_none()
        return found

    def find(self, target_id: uuid.UUID, member_id: uuid.UUID) -> Any:
        model = self.model
        stmt = self.scoped().where(
            getattr(model, self.target) == target_id, model.member_id == member_id
        )
        return self.session.scalars(stmt).first()


class PostLikeRepository(_Likes):
    model = PostLike
    target = "post_id"


class CommentLikeRepository(_Likes):
    model = CommentLike
    target = "comment_id"
