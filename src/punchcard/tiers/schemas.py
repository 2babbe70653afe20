"""Tier schemas (native rendering)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field, StrictInt

from punchcard.kit.ids import render
from punchcard.kit.schema import KEY_PATTERN, InputSchema, Schema, UtcTime
from punchcard.models import Tier

if TYPE_CHECKING:
    from punchcard.tiers.views import TierView


class TierType(StrEnum):
    period = "period"
    lifetime = "lifetime"


class TierRef(Schema):
    id: str
    name: str
    type: str
    min_points: int
    multiplier: float

    @classmethod
    def of(cls, t: Tier | None) -> TierRef | None:
        if t is None:
            return None
        return cls(
            id=render("tier", t.id) or "",
            name=t.name,
            type=t.type,
            min_points=t.min_points,
            multiplier=float(t.multiplier),
        )


class MemberTierRead(Schema):
    tier: TierRef | None
    next_tier: TierRef | None
    points_to_next: int | None
    period_points: int
    lifetime_points: int
    period_start: UtcTime
    period_end: UtcTime

    @classmethod
    def of(cls, v: TierView) -> MemberTierRead:
        return cls(
            tier=TierRef.of(v.tier),
            next_tier=TierRef.of(v.next_tier),
            points_to_next=v.points_to_next,
            period_points=v.period_points,
            lifetime_points=v.lifetime_points,
            period_start=v.period_start,
            period_end=v.period_end,
        )


class TierCreate(InputSchema):
    key: str | None = Field(default=None, pattern=KEY_PATTERN, description="Your id for the tier")
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    type: TierType = TierType.lifetime
    position: StrictInt = Field(default=0, ge=0, le=10_000)
    min_points: StrictInt = Field(default=0, ge=0, le=10**12)
    multiplier: Decimal = Field(default=Decimal(1), gt=0, le=100)
    is_active: bool = True
    is_default: bool = False


class TierUpdate(InputSchema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    type: TierType | None = None
    position: StrictInt | None = Field(default=None, ge=0, le=10_000)
    min_points: StrictInt | None = Field(default=None, ge=0, le=10**12)
    multiplier: Decimal | None = Field(default=None, gt=0, le=100)
    is_active: bool | None = None
    is_default: bool | None = None


class TierRead(Schema):
    id: str
    key: str
    name: str
    description: str | None
    type: str
    position: int
    min_points: int
    multiplier: str
    is_active: bool
    is_default: bool
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, t: Tier) -> TierRead:
        return cls(
            id=render("tier", t.id) or "",
            key=t.key,
            name=t.name,
            description=t.description,
            type=t.type,
            position=t.position,
            min_points=t.min_points,
            multiplier=str(t.multiplier.normalize()),
            is_active=t.is_active,
            is_default=t.is_default,
            created_at=t.created_at,
            updated_at=t.updated_at,
        )


class TierList(Schema):
    tiers: list[TierRead]
    total: int
    limit: int
    offset: int


class MemberTierSet(InputSchema):
    """``PUT /members/{id}/tier``: set a tier by hand (null: back to automatic)."""

    tier_id: str | None
