"""Coupon pools and their one-time codes."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class CouponPool(TenantOwned, Base):
    __tablename__ = "coupon_pools"

    name: Mapped[str] = mapped_column(String(200))
    # percent | amount | free_item
    discount_type: Mapped[str] = mapped_column(String(16))
    discount_value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    points_cost: Mapped[int | None] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Coupon(TenantOwned, Base):
    __tablename__ = "coupons"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_coupons_pool_status", "tenant_id", "pool_id", "status"),
        Index("ix_coupons_member", "tenant_id", "member_id"),
        tenant_fk("pool_id", "coupon_pools"),
        tenant_fk("member_id", "members"),
    )

    pool_id: Mapped[uuid.UUID]
    code: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[uuid.UUID | None]
    # available | issued | redeemed | expired | void
    status: Mapped[str] = mapped_column(String(16), default="available")
    issued_at: Mapped[datetime | None]
    redeemed_at: Mapped[datetime | None]
    redeemed_store_id: Mapped[uuid.UUID | None]
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
