"""Loyalty levels (tiers): Get All, Create, Update, Get (functions 20 to 23)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field, field_validator

from punchcard.api.common import ids, inputs
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.tiers import TierCreate, TierUpdate
from punchcard.api.shopsocially.auth import PointsRead, PointsWrite
from punchcard.api.shopsocially.errors import build, wire_fields
from punchcard.api.shopsocially.params import Params, body_doc, params
from punchcard.api.shopsocially.render import View
from punchcard.api.shopsocially.schemas import LevelOut, Ok
from punchcard.kit.paging import every
from punchcard.tiers import service as tiers

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Levels"])

# Face parameter -> core field.
FIELDS = {
    "level_id": "key",
    "level_name": "name",
    "level_description": "description",
    "level_type": "type",
    "level_position": "position",
    "level_minimum_points": "min_points",
    "level_bonus_multiplier": "multiplier",
    "is_active": "is_active",
    "is_default": "is_default",
}
WIRE = {core: wire for wire, core in FIELDS.items()}


class _Aliases(Params):
    # The document's curl examples send `minimum_points` and `bonus_multiplier`.
    ALIASES = {
        "minimum_points": "level_minimum_points",
        "bonus_multiplier": "level_bonus_multiplier",
    }

    @field_validator("level_type", mode="before", check_fields=False)
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class CreateParams(_Aliases):
    level_id: str = Field(max_length=64, description="Your id for the level")
    level_name: str = Field(max_length=100)
    level_description: str
    level_type: str = Field(description="period or lifetime")
    level_minimum_points: int = Field(description="Points needed to reach the level")
    level_bonus_multiplier: Decimal = Field(description="Multiplies the level's awards")
    # Required by the document's table, absent from its own example: 0 when not sent
    # (levels of equal position rank by minimum points).
    level_position: int = Field(default=0, description="The level's order")
    is_active: bool = Field(default=False, description="Defaults to false")
    is_default: bool = Field(default=False, description="New users start at this level")


class UpdateParams(_Aliases):
    level_name: str | None = Field(default=None, max_length=100)
    level_description: str | None = None
    level_type: str | None = None
    level_position: int | None = None
    level_minimum_points: int | None = None
    level_bonus_multiplier: Decimal | None = None
    is_active: bool | None = None
    is_default: bool | None = None


def _core(q: Params) -> dict[str, Any]:
    return {FIELDS[k]: getattr(q, k) for k in q.model_fields_set if k in FIELDS}


@router.get("/levels", response_model=Ok[list[LevelOut]])
def list_all(p: PointsRead, session: DbSession) -> Ok[list[LevelOut]]:
    """Every loyalty level."""
    view = View(session, p)
    rows = every(lambda page: tiers.list_tiers(session, p, page=page))
    return Ok(data=[view.level(t) for t in rows])


@router.post("/levels", response_model=Ok[LevelOut], openapi_extra=body_doc(CreateParams))
def create(
    p: PointsWrite,
    session: DbSession,
    q: Annotated[CreateParams, Depends(params(CreateParams))],
) -> Ok[LevelOut]:
    """Create a loyalty level."""
    values = _core(q) | {
        "position": q.level_position,
        "is_active": q.is_active,
        "is_default": q.is_default,
    }
    data = build(TierCreate, WIRE, values)
    with wire_fields(**WIRE):
        tier = tiers.create_tier(session, p, data=inputs.new_tier(data))
    return Ok(data=View(session, p).level(tier))


@router.get("/levels/{level_id}", response_model=Ok[LevelOut])
def get_one(p: PointsRead, session: DbSession, level_id: str) -> Ok[LevelOut]:
    """One loyalty level, by its level_id."""
    tier = tiers.get_tier(session, p, tier_id=ids.ref("tier", level_id), field="tierId")
    return Ok(data=View(session, p).level(tier))


@router.put("/levels/{level_id}", response_model=Ok[LevelOut], openapi_extra=body_doc(UpdateParams))
def update(
    p: PointsWrite,
    session: DbSession,
    level_id: str,
    q: Annotated[UpdateParams, Depends(params(UpdateParams))],
) -> Ok[LevelOut]:
    """Change a loyalty level; parameters not sent are left as they are."""
    data = build(TierUpdate, WIRE, _core(q))
    with wire_fields(**WIRE):
        tier = tiers.update_tier(
            session, p, tier_id=ids.ref("tier", level_id), data=inputs.tier_changes(data)
        )
    return Ok(data=View(session, p).level(tier))
