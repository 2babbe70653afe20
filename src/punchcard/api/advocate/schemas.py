"""The document's shapes, camelCase as it writes them. One module per group may add
its own; shared pieces live here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from punchcard.api.common import ids
from punchcard.members.views import MemberRow


class Wire(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown input fields are refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class AdvocateTier(Wire):
    id: str
    name: str


class Advocate(Wire):
    id: str
    email: str | None
    name: str | None
    tier: AdvocateTier | None
    points: int
    pending_points: int
    lifetime_points: int
    status: str
    metadata: dict[str, Any]
    created_at: datetime

    @classmethod
    def of_row(cls, row: MemberRow) -> Advocate:
        name = " ".join(p for p in (row.first_name, row.last_name) if p) or None
        tier = (
            AdvocateTier(id=ids.render("tier", row.tier_id), name=row.tier_name or "")
            if row.tier_id is not None
            else None
        )
        return cls(
            id=ids.render("mem", row.id),
            email=row.email,
            name=name,
            tier=tier,
            points=row.points_balance,
            pending_points=row.pending_points,
            lifetime_points=row.lifetime_points,
            status=row.status,
            metadata=dict(row.metadata_ or {}),
            created_at=row.enrolled_at,
        )


class AdvocateOne(Wire):
    advocate: Advocate
