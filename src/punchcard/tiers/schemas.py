"""Tier inputs the core takes (snake_case) and the tier types.

The native face's tier wire models (``TierCreate``, ``TierRead``...) live in
``punchcard.api.native.schemas.tiers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypedDict


class TierType(StrEnum):
    period = "period"
    lifetime = "lifetime"


@dataclass(frozen=True)
class NewTier:
    """A tier to create; ``key`` defaults to a slug of ``name``."""

    name: str
    key: str | None = None
    description: str | None = None
    type: TierType = TierType.lifetime
    position: int = 0
    min_points: int = 0
    multiplier: Decimal = Decimal(1)
    is_active: bool = True
    is_default: bool = False


class TierChanges(TypedDict, total=False):
    """A tier's changes: absent keys are untouched; ``None`` is refused but for
    ``description``, which it clears."""

    name: str | None
    description: str | None
    type: TierType | None
    position: int | None
    min_points: int | None
    multiplier: Decimal | None
    is_active: bool | None
    is_default: bool | None
