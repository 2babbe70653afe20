"""Tenant settings the core takes (snake_case) and their vocabulary.

The native face's team and settings wire models (``TeamRead``, ``TenantSettingsRead``,
``TenantSettingsUpdate``...) live in ``punchcard.api.native.schemas.settings``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TypedDict


class Plan(StrEnum):
    starter = "starter"
    growth = "growth"
    professional = "professional"
    unlimited = "unlimited"


class TierPeriod(StrEnum):
    year = "year"
    quarter = "quarter"
    month = "month"


class SettingsChanges(TypedDict, total=False):
    """A settings PATCH: absent keys are left alone, ``None`` clears the nullable ones."""

    timezone: str | None
    currency: str | None
    points_per_currency_unit: Decimal | None
    points_expiry_days: int | None
    tier_period: TierPeriod | None
    plan: Plan | None
    custom_auth_enabled: bool | None
    portal_url: str | None
    max_points_per_award: int | None
    country: str | None
    point_value: Decimal | None
    storefront_origins: list[str] | None


# The settings in the order they are checked: the first error reported is always the same.
SETTINGS: tuple[str, ...] = tuple(SettingsChanges.__annotations__)
