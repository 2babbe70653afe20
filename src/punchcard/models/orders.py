"""Orders and their refunds."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class Order(TenantOwned, Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_order_id"),
        Index("ix_orders_member", "tenant_id", "member_id", "placed_at"),
        tenant_fk("member_id", "members"),
    )

    external_order_id: Mapped[str] = mapped_column(String(128))
    member_id: Mapped[uuid.UUID]
    store_id: Mapped[uuid.UUID | None]
    channel: Mapped[str] = mapped_column(String(32), default="online")
    total: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    items: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(24), default="paid")
    points_awarded: Mapped[int] = mapped_column(BigInteger, default=0)
    points_clawed_back: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    # Fingerprint of the create body: the same externalOrderId with another body is 409.
    body_hash: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Refund(TenantOwned, Base):
    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id", "refund_key"),
        tenant_fk("order_id", "orders"),
    )

    order_id: Mapped[uuid.UUID]
    refund_key: Mapped[str | None] = mapped_column(String(128))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    reason: Mapped[str | None] = mapped_column(String(500))
    points_clawed_back: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime]
