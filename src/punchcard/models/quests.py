"""Quests: a campaign of tasks, each worth points, with an optional reward for doing
them all.

- ``quests``: title, description, status (``active`` | ``draft`` | ``archived``) and
  the optional reward: ``reward_points`` or ``reward_id`` (a redemption option handed
  out without charging points), never both.
- ``quest_tasks``: the quest's tasks in ``position`` order, ``points`` each.
- ``quest_task_completions``: a member did a task; one row per tenant, task and member
  (the unique key is the backstop of the member lock: a task completes once).
- ``quest_completions``: a member did every task of a quest and got its reward; one row
  per tenant, quest and member.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class Quest(TenantOwned, Base):
    __tablename__ = "quests"
    __table_args__ = (
        Index("ix_quests_status", "tenant_id", "status", "created_at"),
        tenant_fk("reward_id", "rewards"),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # active (tasks can be completed) | draft (not yet) | archived (no longer)
    status: Mapped[str] = mapped_column(String(16))
    reward_points: Mapped[int | None] = mapped_column(BigInteger)
    reward_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class QuestTask(TenantOwned, Base):
    __tablename__ = "quest_tasks"
    __table_args__ = (
        UniqueConstraint("tenant_id", "quest_id", "position"),
        tenant_fk("quest_id", "quests", ondelete="CASCADE"),
    )

    quest_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    points: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)


class QuestTaskCompletion(TenantOwned, Base):
    __tablename__ = "quest_task_completions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "task_id", "member_id"),
        Index("ix_quest_task_completions_member", "tenant_id", "member_id", "quest_id"),
        tenant_fk("quest_id", "quests"),
        tenant_fk("task_id", "quest_tasks"),
        tenant_fk("member_id", "members"),
    )

    quest_id: Mapped[uuid.UUID]
    task_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    points: Mapped[int] = mapped_column(BigInteger)
    # The task's award in the journal (none when the task is worth 0 points).
    entry_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]


class QuestCompletion(TenantOwned, Base):
    __tablename__ = "quest_completions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "quest_id", "member_id"),
        tenant_fk("quest_id", "quests"),
        tenant_fk("member_id", "members"),
    )

    quest_id: Mapped[uuid.UUID]
    member_id: Mapped[uuid.UUID]
    # What the reward gave: points (and their journal entry), or an option and its code.
    reward_points: Mapped[int | None] = mapped_column(BigInteger)
    entry_id: Mapped[uuid.UUID | None]
    reward_id: Mapped[uuid.UUID | None]
    coupon_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]
