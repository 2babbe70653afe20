"""Tier wire models: the bodies of ``/tiers`` and ``PUT /members/{id}/tier`` and the
renderings of tiers and of a member's tier standing (``tier_`` ids); ShopSocially builds
the bodies to reuse their validation."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, StrictInt

from punchcard.api.common import ids
from punchcard.kit.schema import KEY_PATTERN, InputSchema, Schema, UtcTime
from punchcard.models import Tier
from punchcard.tiers.schemas import TierType
from punchcard.tiers.views import TierView


class TierRef(Schema):
    # Shares its class name with the members' TierRef: FastAPI then names both OpenAPI
    # components by module, so it keeps the module it was defined in before moving here
    # and the published document does not change.
    __module__ = "punchcard.tiers.schemas"

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
            id=ids.render("tier", t.id),
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
            id=ids.render("tier", t.id),
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
