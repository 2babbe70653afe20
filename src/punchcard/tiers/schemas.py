"""Tier schemas (native rendering)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import field_serializer

from punchcard.kit.clock import iso_z
from punchcard.kit.ids import render
from punchcard.kit.schema import Schema
from punchcard.models import Tier
from punchcard.orders.schemas import OrderRead

if TYPE_CHECKING:
    from punchcard.ledger.points import TierView


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
    period_start: datetime
    period_end: datetime

    @field_serializer("period_start", "period_end")
    def _times(self, value: datetime) -> str | None:
        return iso_z(value)

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


class ReceiptList(Schema):
    receipts: list[OrderRead]
    total: int
    limit: int
    offset: int
