"""Tenants (team, brand, partner, merchant: one thing) and their settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.kit.ids import new_id
from punchcard.models.base import Base


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    points_per_currency_unit: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal(1))
    points_expiry_days: Mapped[int | None] = mapped_column(default=None)
    tier_period: Mapped[str] = mapped_column(String(16), default="year")
    plan: Mapped[str] = mapped_column(String(16), default="unlimited")
    custom_auth_enabled: Mapped[bool] = mapped_column(default=False)
    portal_url: Mapped[str | None] = mapped_column(String(500), default=None)
    # The most points one award (or one order) may credit: a runaway total refused.
    max_points_per_award: Mapped[int] = mapped_column(
        BigInteger, default=1_000_000, server_default="1000000"
    )
    # ISO 3166 alpha-2: phones without a country code are read in it (None: derived
    # from the timezone, else the currency, ``kit.phones.default_country``).
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    # What one point is worth in the tenant's currency: outstanding points times this
    # is the program's liability (the dashboard's overview, the metrics).
    point_value: Mapped[Decimal] = mapped_column(
        Numeric(12, 6), default=Decimal("0.01"), server_default="0.01"
    )
    # Browser origins (``https://shop.example``) whose storefront widgets may call the
    # member-facing API (``/api/v2/me``) with the member's credentials (CORS).
    storefront_origins: Mapped[list[Any]] = mapped_column(default=list)
    # Kept in plaintext: it keys the SSO HMAC, so it must be usable, and it is only
    # shown once (at rotation).
    sso_secret: Mapped[str | None] = mapped_column(String(128), default=None)
    # Start of the tier period the rollover job last re-evaluated members for.
    tier_period_started_at: Mapped[datetime | None] = mapped_column(default=None)
    # Bumped in the same transaction as any change to what a process keeps in its
    # tenant snapshot (settings, tiers, webhook endpoints, activities): a process
    # whose snapshot is older reloads it.
    config_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
