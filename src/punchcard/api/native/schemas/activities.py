"""Activity wire models: the bodies of ``/activities`` and ``/activities/{id}/award`` and
the rendering of an activity (``act_`` ids); ShopSocially builds the bodies to reuse their
validation."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, StrictInt

from punchcard.activities.schemas import ActivityKind, Approval, Frequency
from punchcard.api.common import ids
from punchcard.kit.schema import KEY_PATTERN, InputSchema, Schema, UtcTime
from punchcard.models import Activity


class ActivityCreate(InputSchema):
    key: str | None = Field(default=None, pattern=KEY_PATTERN, description="Your id for the rule")
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    kind: ActivityKind = ActivityKind.fixed
    points: StrictInt = Field(default=0, ge=0, le=10**9, description="Points per activity (fixed)")
    multiplier: Decimal = Field(default=Decimal(1), gt=0, le=1000, description="bonus_multiplier")
    max_award_frequency: StrictInt | None = Field(default=None, ge=1, le=10**6)
    frequency_period: Frequency | None = None
    approval: Approval = Approval.immediate
    is_active: bool = True
    expiry_days: StrictInt | None = Field(default=None, ge=1, le=36_500)


class ActivityUpdate(InputSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    kind: ActivityKind | None = None
    points: StrictInt | None = Field(default=None, ge=0, le=10**9)
    multiplier: Decimal | None = Field(default=None, gt=0, le=1000)
    max_award_frequency: StrictInt | None = Field(default=None, ge=1, le=10**6)
    frequency_period: Frequency | None = None
    approval: Approval | None = None
    is_active: bool | None = None
    expiry_days: StrictInt | None = Field(default=None, ge=1, le=36_500)


class ActivityRead(Schema):
    id: str
    key: str
    name: str
    description: str | None
    kind: str
    points: int
    multiplier: str
    max_award_frequency: int | None
    frequency_period: str | None
    approval: str
    is_active: bool
    expiry_days: int | None
    system: bool
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, a: Activity) -> ActivityRead:
        return cls(
            id=ids.render("act", a.id),
            key=a.key,
            name=a.name,
            description=a.description,
            kind=a.kind,
            points=a.points,
            multiplier=str(a.multiplier.normalize()),
            max_award_frequency=a.max_award_frequency,
            frequency_period=a.frequency_period,
            approval=a.approval,
            is_active=a.is_active,
            expiry_days=a.expiry_days,
            system=a.system_key is not None,
            created_at=a.created_at,
            updated_at=a.updated_at,
        )


class ActivityList(Schema):
    activities: list[ActivityRead]
    total: int
    limit: int
    offset: int


class ActivityAward(InputSchema):
    """``POST /activities/{id}/award``."""

    member_id: str
    points_passed: Decimal | None = Field(default=None, ge=0, le=Decimal(10**12))
    reference: str | None = Field(default=None, min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=500)
    store_id: str | None = None
