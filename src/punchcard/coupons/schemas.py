"""Coupon pool inputs the core takes (snake_case) and their limits.

The native face's coupon wire models (``PoolCreate``, ``CouponRead``...) live in
``punchcard.api.native.schemas.coupons``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

# A pool's discount value is at most this (a reward's monetary value may be larger).
MAX_DISCOUNT_VALUE = Decimal("99999999")
MAX_CODES = 10_000


class DiscountType(StrEnum):
    percent = "percent"
    amount = "amount"
    free_item = "free_item"


@dataclass(frozen=True)
class GeneratedCodes:
    """``count`` random codes of ``length`` characters after ``prefix``."""

    count: int
    prefix: str = ""
    length: int = 10


@dataclass(frozen=True)
class NewPool:
    """A coupon pool to create, with the given ``codes`` or ``generate``d ones."""

    name: str
    discount_type: DiscountType
    discount_value: Decimal
    points_cost: int | None = None
    expires_at: datetime | None = None
    codes: list[str] | None = None
    generate: GeneratedCodes | None = None
