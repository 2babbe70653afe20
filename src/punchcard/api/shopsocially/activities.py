"""Activities (earning rules): Get All, Create, Get, Update (functions 12 to 15)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field, field_validator

from punchcard.activities import service as activities
from punchcard.api.common import ids, inputs
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.activities import ActivityCreate, ActivityUpdate
from punchcard.api.shopsocially.auth import PointsRead, PointsWrite
from punchcard.api.shopsocially.errors import build, wire_fields
from punchcard.api.shopsocially.params import Params, body_doc, params
from punchcard.api.shopsocially.render import View
from punchcard.api.shopsocially.schemas import ActivityOut, Ok
from punchcard.kit.paging import every

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Activities"])

# Face parameter -> core field.
FIELDS = {
    "activity_id": "key",
    "activity_name": "name",
    "activity_description": "description",
    "activity_type": "kind",
    "points_per_activity": "points",
    "bonus_multiplier": "multiplier",
    "max_award_frequency": "max_award_frequency",
    "max_award_frequency_interval": "frequency_period",
    "approval_method": "approval",
    "is_active": "is_active",
    "points_expiration_period": "expiry_days",
}
WIRE = {core: wire for wire, core in FIELDS.items()}
# The document's own examples write "immediately" and "manually".
APPROVAL_WORDS = {"immediately": "immediate", "manually": "manual"}


class _Words(Params):
    ALIASES = {"bonus_mutliplier": "bonus_multiplier"}  # the document's curl spelling

    @field_validator(
        "approval_method",
        "activity_type",
        "max_award_frequency_interval",
        mode="before",
        check_fields=False,
    )
    @classmethod
    def _lower(cls, value: Any) -> Any:
        if isinstance(value, str):
            word = value.strip().lower()
            return APPROVAL_WORDS.get(word, word)
        return value


class CreateParams(_Words):
    activity_id: str = Field(max_length=64, description="Your id for the activity")
    activity_name: str = Field(max_length=200)
    activity_description: str
    activity_type: str = Field(description="fixed or bonus_multiplier")
    approval_method: str = Field(description="immediate, manual or monthly")
    max_award_frequency: int = Field(description="Awards a user may get per interval")
    max_award_frequency_interval: str = Field(description="day, week, month, year or lifetime")
    is_active: bool = Field(default=False, description="Defaults to false")
    points_per_activity: int = Field(default=0, description="Points a fixed activity awards")
    bonus_multiplier: Decimal = Field(default=Decimal(1), description="Multiplies points_passed")
    points_expiration_period: int | None = Field(
        default=None, description="Days before awarded points expire (default: the tenant's)"
    )


class UpdateParams(_Words):
    activity_name: str | None = Field(default=None, max_length=200)
    activity_description: str | None = None
    activity_type: str | None = None
    approval_method: str | None = None
    max_award_frequency: int | None = None
    max_award_frequency_interval: str | None = None
    is_active: bool | None = None
    points_per_activity: int | None = None
    bonus_multiplier: Decimal | None = None
    points_expiration_period: int | None = None


def _core(q: Params) -> dict[str, Any]:
    return {FIELDS[k]: getattr(q, k) for k in q.model_fields_set if k in FIELDS}


@router.get("/activities", response_model=Ok[list[ActivityOut]])
def list_all(p: PointsRead, session: DbSession) -> Ok[list[ActivityOut]]:
    """Every activity that can earn points."""
    view = View(session, p)
    rows = every(lambda page: activities.list_activities(session, p, page=page))
    return Ok(data=[view.activity(a) for a in rows])


@router.post("/activities", response_model=Ok[ActivityOut], openapi_extra=body_doc(CreateParams))
def create(
    p: PointsWrite,
    session: DbSession,
    q: Annotated[CreateParams, Depends(params(CreateParams))],
) -> Ok[ActivityOut]:
    """Create an activity."""
    values = _core(q) | {
        "key": q.activity_id,
        "is_active": q.is_active,
        "points": q.points_per_activity,
        "multiplier": q.bonus_multiplier,
    }
    data = build(ActivityCreate, WIRE, values)
    with wire_fields(**WIRE):
        activity = activities.create(session, p, data=inputs.new_activity(data))
    return Ok(data=View(session, p).activity(activity))


@router.get("/activities/{activity_id}", response_model=Ok[ActivityOut])
def get_one(p: PointsRead, session: DbSession, activity_id: str) -> Ok[ActivityOut]:
    """One activity, by its activity_id."""
    activity = activities.get(
        session, p, activity_id=ids.ref("act", activity_id), field="activityId"
    )
    return Ok(data=View(session, p).activity(activity))


@router.put(
    "/activities/{activity_id}",
    response_model=Ok[ActivityOut],
    openapi_extra=body_doc(UpdateParams),
)
def update(
    p: PointsWrite,
    session: DbSession,
    activity_id: str,
    q: Annotated[UpdateParams, Depends(params(UpdateParams))],
) -> Ok[ActivityOut]:
    """Change an activity; parameters not sent are left as they are."""
    data = build(ActivityUpdate, WIRE, _core(q))
    with wire_fields(**WIRE):
        activity = activities.update(
            session, p, activity_id=ids.ref("act", activity_id), data=inputs.activity_changes(data)
        )
    return Ok(data=View(session, p).activity(activity))
