"""Advocacy programs: testimonials, feedback boards, their ideas and votes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class Testimonial(TenantOwned, Base):
    __tablename__ = "testimonials"
    __table_args__ = (
        Index("ix_testimonials_status", "tenant_id", "status", "created_at"),
        Index("ix_testimonials_member", "tenant_id", "member_id"),
        tenant_fk("member_id", "members"),
    )

    member_id: Mapped[uuid.UUID]
    content: Mapped[str] = mapped_column(Text)
    # 1..5 (checked by the service)
    rating: Mapped[int] = mapped_column(SmallInteger)
    # pending | approved | rejected
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Who made the last moderation decision (an API key or a dashboard user) and when.
    moderated_by_key_id: Mapped[uuid.UUID | None]
    moderated_by_user_id: Mapped[uuid.UUID | None]
    moderated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FeedbackBoard(TenantOwned, Base):
    __tablename__ = "feedback_boards"
    __table_args__ = (Index("ix_feedback_boards_created", "tenant_id", "created_at"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Idea(TenantOwned, Base):
    __tablename__ = "feedback_ideas"
    __table_args__ = (
        Index("ix_feedback_ideas_votes", "tenant_id", "board_id", "vote_count"),
        Index("ix_feedback_ideas_created", "tenant_id", "board_id", "created_at"),
        tenant_fk("board_id", "feedback_boards"),
        tenant_fk("member_id", "members"),
    )

    board_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    # open | planned | in_progress | done | declined
    status: Mapped[str] = mapped_column(String(16), default="open")
    # A cache of the idea's rows in feedback_votes, moved in the vote's transaction.
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class IdeaVote(TenantOwned, Base):
    __tablename__ = "feedback_votes"
    __table_args__ = (
        # One vote per member per idea: concurrent votes insert one row.
        UniqueConstraint("tenant_id", "idea_id", "member_id"),
        tenant_fk("idea_id", "feedback_ideas"),
        tenant_fk("member_id", "members"),
    )

    idea_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime]
