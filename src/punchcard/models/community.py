"""The brand community: rooms, posts, comments on posts, and likes on both."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class Room(TenantOwned, Base):
    __tablename__ = "rooms"
    __table_args__ = (Index("ix_rooms_created", "tenant_id", "created_at"),)

    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Post(TenantOwned, Base):
    __tablename__ = "posts"
    __table_args__ = (
        # Feeds page by creation (keyset on created_at, id), all rooms or one room.
        Index("ix_posts_created", "tenant_id", "created_at"),
        Index("ix_posts_room", "tenant_id", "room_id", "created_at"),
        Index("ix_posts_member", "tenant_id", "member_id"),
        tenant_fk("room_id", "rooms"),
        tenant_fk("member_id", "members"),
    )

    room_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    content: Mapped[str] = mapped_column(Text)
    # visible | hidden | deleted (community.schemas.Status): moderation, never a row delete
    status: Mapped[str] = mapped_column(String(16), default="visible")
    # Caches moved in the transaction of the like or comment (a single ``UPDATE … SET
    # n = n + 1``): likes, and comments members can see.
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    # Who made the last moderation change (an API key or a dashboard user) and when.
    moderated_by_key_id: Mapped[uuid.UUID | None]
    moderated_by_user_id: Mapped[uuid.UUID | None]
    moderated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PostComment(TenantOwned, Base):
    __tablename__ = "post_comments"
    __table_args__ = (
        Index("ix_post_comments_post", "tenant_id", "post_id", "created_at"),
        tenant_fk("post_id", "posts"),
        tenant_fk("member_id", "members"),
    )

    post_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="visible")
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    moderated_by_key_id: Mapped[uuid.UUID | None]
    moderated_by_user_id: Mapped[uuid.UUID | None]
    moderated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PostLike(TenantOwned, Base):
    __tablename__ = "post_likes"
    __table_args__ = (
        # One like per member per post: concurrent likes insert one row.
        UniqueConstraint("tenant_id", "post_id", "member_id"),
        tenant_fk("post_id", "posts"),
        tenant_fk("member_id", "members"),
    )

    post_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime]


class CommentLike(TenantOwned, Base):
    __tablename__ = "post_comment_likes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "comment_id", "member_id"),
        tenant_fk("comment_id", "post_comments"),
        tenant_fk("member_id", "members"),
    )

    comment_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime]
