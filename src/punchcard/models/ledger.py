"""The points ledger: an append-only journal, credit lots, and lot allocations.

- ``points_entries`` is the journal. Amounts are never edited; only a pending award's
  status moves (pending -> approved/rejected), as ShopSocially's lifecycle requires.
- ``points_lots`` is one row per approved credit; ``remaining`` is a cache of
  ``amount - sum(allocations)``.
- ``points_allocations`` records which lot each debit consumed (oldest first), and
  which credit paid off which clawback debt. Append-only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.kit.ids import new_id
from punchcard.models.base import Base, TenantOwned, tenant_fk

# Predicates of the partial indexes below. A query uses such an index only when it
# states the same predicate with a literal (not a bound parameter): see
# ``ledger.repository.OPEN`` and ``CLAWBACK``.
LOT_OPEN = "remaining > 0"
LOT_EXPIRING = "remaining > 0 AND expires_at IS NOT NULL"
ENTRY_CLAWBACK = "type = 'clawback'"


def _partial(name: str, *columns: str, where: str) -> Index:
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


class PointsEntry(TenantOwned, Base):
    __tablename__ = "points_entries"
    __table_args__ = (
        Index("ix_points_entries_member", "tenant_id", "member_id", "created_at"),
        Index("ix_points_entries_order", "tenant_id", "order_id"),
        Index("ix_points_entries_activity", "tenant_id", "member_id", "activity_id", "created_at"),
        Index("ix_points_entries_status", "tenant_id", "status", "created_at"),
        # A member's clawbacks, oldest first, for paying off debt without reading the
        # rest of the journal (covering: SQLite then prefers it to ix_points_entries_member).
        _partial(
            "ix_points_entries_clawbacks",
            "tenant_id",
            "member_id",
            "created_at",
            "id",
            "amount",
            where=ENTRY_CLAWBACK,
        ),
        tenant_fk("member_id", "members"),
    )

    member_id: Mapped[uuid.UUID]
    # award | redeem | deduct | expire | clawback | adjust
    type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(24))
    balance_after: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(Text)
    activity_id: Mapped[uuid.UUID | None]
    order_id: Mapped[uuid.UUID | None]
    store_id: Mapped[uuid.UUID | None]
    coupon_id: Mapped[uuid.UUID | None]
    reward_id: Mapped[uuid.UUID | None]
    # For a clawback or expiry: the credit entry it relates to, when there is one.
    related_entry_id: Mapped[uuid.UUID | None]
    # The caller's reference (ShopSocially's order_id on an activity award).
    reference: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class PointsLot(TenantOwned, Base):
    """An approved credit; the lot id equals the id of the entry that created it."""

    __tablename__ = "points_lots"
    # Partial indexes: a spent or lapsed lot (remaining 0) leaves them, so spending,
    # the expiry check on every change and the expiry job read only lots with points
    # left, however long the member's history.
    __table_args__ = (
        # Spending: the member's open lots, oldest first.
        _partial(
            "ix_points_lots_member_open",
            "tenant_id",
            "member_id",
            "created_at",
            "id",
            where=LOT_OPEN,
        ),
        # The expiry check before every change: the member's open lots by expiry.
        _partial(
            "ix_points_lots_member_expiry",
            "tenant_id",
            "member_id",
            "expires_at",
            where=LOT_EXPIRING,
        ),
        # The expiry job: open lots of the tenant past their expiry.
        _partial("ix_points_lots_expiry", "tenant_id", "expires_at", where=LOT_EXPIRING),
        tenant_fk("member_id", "members"),
    )

    member_id: Mapped[uuid.UUID]
    amount: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class PointsAllocation(TenantOwned, Base):
    __tablename__ = "points_allocations"
    __table_args__ = (
        Index("ix_points_allocations_lot", "tenant_id", "lot_id"),
        Index("ix_points_allocations_debit", "tenant_id", "debit_entry_id"),
    )

    member_id: Mapped[uuid.UUID]
    debit_entry_id: Mapped[uuid.UUID]
    lot_id: Mapped[uuid.UUID]
    points: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class Activity(TenantOwned, Base):
    """An earning rule (ShopSocially "activity")."""

    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    # The merchant's own id for the rule ("made_a_purchase"); ShopSocially addresses it.
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # fixed | bonus_multiplier
    kind: Mapped[str] = mapped_column(String(24), default="fixed")
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    multiplier: Mapped[Decimal] = mapped_column(Numeric(10, 4), default=Decimal(1))
    max_award_frequency: Mapped[int | None]
    frequency_period: Mapped[str | None] = mapped_column(String(16))
    approval: Mapped[str] = mapped_column(String(16), default="immediate")
    is_active: Mapped[bool] = mapped_column(default=True)
    expiry_days: Mapped[int | None]
    # "purchase" for the built-in rule orders earn through.
    system_key: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Tier(TenantOwned, Base):
    __tablename__ = "tiers"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    # The merchant's own id for the level (ShopSocially's level_id); generated if not given.
    key: Mapped[str] = mapped_column(String(64), default=lambda: f"level_{new_id().hex[-12:]}")
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    # period | lifetime
    type: Mapped[str] = mapped_column(String(16), default="lifetime")
    position: Mapped[int] = mapped_column(default=0)
    min_points: Mapped[int] = mapped_column(BigInteger, default=0)
    multiplier: Mapped[Decimal] = mapped_column(Numeric(10, 4), default=Decimal(1))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Reward(TenantOwned, Base):
    """A redemption option: points buy one one-time code from its pool (if it has one)."""

    __tablename__ = "rewards"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        tenant_fk("pool_id", "coupon_pools"),
    )

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    terms: Mapped[str | None] = mapped_column(Text)
    instructions: Mapped[str | None] = mapped_column(Text)
    points_cost: Mapped[int] = mapped_column(BigInteger)
    monetary_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    # discount | product | gift_card | experience | custom (rewards.schemas.RewardType)
    type: Mapped[str] = mapped_column(String(24), default="custom", server_default="custom")
    is_active: Mapped[bool] = mapped_column(default=True)
    # Tier ids allowed to redeem, as canonical UUID strings (migration 0003); empty = everyone.
    tier_ids: Mapped[list[Any]]
    # None = unlimited; decremented on every redemption.
    stock: Mapped[int | None] = mapped_column(BigInteger)
    pool_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
