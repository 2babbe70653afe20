"""Behaviour tracking events and referral/affiliate codes with their clicks and conversions."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class TrackingEvent(TenantOwned, Base):
    __tablename__ = "tracking_events"
    __table_args__ = (Index("ix_tracking_events_time", "tenant_id", "occurred_at"),)

    type: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[uuid.UUID | None]
    visitor_id: Mapped[str | None] = mapped_column(String(128))
    url: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict[str, Any] | None]
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime]


class ReferralCode(TenantOwned, Base):
    __tablename__ = "referral_codes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_referral_codes_member", "tenant_id", "member_id"),
        tenant_fk("member_id", "members"),
    )

    member_id: Mapped[uuid.UUID]
    code: Mapped[str] = mapped_column(String(64))
    # member (every member's own) | affiliate (issued to an ambassador)
    kind: Mapped[str] = mapped_column(String(16), default="member")
    created_at: Mapped[datetime]


class ReferralEvent(TenantOwned, Base):
    __tablename__ = "referral_events"
    __table_args__ = (
        Index("ix_referral_events_code", "tenant_id", "code_id", "type"),
        Index("ix_referral_events_time", "tenant_id", "created_at"),
        Index("ix_referral_events_referred", "tenant_id", "referred_member_id"),
        # One conversion per order id: N concurrent conversions of one order meet here.
        # Clicks (and conversions without an order) leave it NULL, which never clashes.
        UniqueConstraint("tenant_id", "order_ref"),
        tenant_fk("code_id", "referral_codes"),
    )

    code_id: Mapped[uuid.UUID]
    # click | conversion
    type: Mapped[str] = mapped_column(String(16))
    visitor_id: Mapped[str | None] = mapped_column(String(128))
    referred_member_id: Mapped[uuid.UUID | None]
    order_id: Mapped[uuid.UUID | None]
    # The order's externalOrderId, set on every conversion of an order: known before the
    # order is ingested (``order_id`` NULL: pending, linked when the order arrives).
    order_ref: Mapped[str | None] = mapped_column(String(128))
    revenue: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=Decimal(0))
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    # The referrer's award for it (a ``points_entries`` id) and what refunds took back.
    points_entry_id: Mapped[uuid.UUID | None]
    points_clawed_back: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime]
