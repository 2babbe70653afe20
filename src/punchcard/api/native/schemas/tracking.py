"""Tracking wire models: one event of ``POST /tracking/events`` (read item by item by
the face), the ingest answer and the stats rendering."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field, field_serializer

from punchcard.kit.schema import InputSchema, Schema
from punchcard.tracking.service import Ingested, Stats


class TrackingEventIn(InputSchema):
    """One behaviour event."""

    type: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:\-]+$",
        description="Event type, e.g. `page_view`, `add_to_cart` (letters, digits, `_.:-`)",
    )
    member_id: str | None = Field(default=None, description="`mem_…` id of a known member")
    visitor_id: str | None = Field(
        default=None, max_length=128, description="Your anonymous visitor id (cookie, device)"
    )
    url: str | None = Field(default=None, max_length=2048)
    properties: dict[str, Any] | None = None
    occurred_at: datetime | None = Field(
        default=None, description="When it happened (ISO-8601); defaults to the time of receipt"
    )


class TrackingError(Schema):
    index: int
    field: str | None
    message: str


class TrackingAccepted(Schema):
    accepted: int
    rejected: int
    errors: list[TrackingError]

    @classmethod
    def of(cls, r: Ingested) -> TrackingAccepted:
        return cls(
            accepted=r.accepted,
            rejected=r.rejected,
            errors=[
                TrackingError(index=e.index, field=e.field, message=e.message) for e in r.errors
            ],
        )


class Totals(Schema):
    events: int
    visitors: int = Field(description="Distinct visitor ids")
    members: int = Field(description="Distinct members")


class DayCount(Schema):
    date: date
    events: int


class TypeCount(Schema):
    type: str
    events: int


class PageCount(Schema):
    url: str
    events: int


class TrackingStats(Schema):
    from_: date = Field(alias="from")
    to: date
    totals: Totals
    by_day: list[DayCount] = Field(description="Every day of the window, zero-filled (UTC days)")
    by_type: list[TypeCount] = Field(description="Event types, most frequent first")
    by_page: list[PageCount] = Field(description="The 50 most visited urls, most frequent first")

    @field_serializer("from_", "to")
    def _dates(self, value: date) -> str:
        return value.isoformat()

    @classmethod
    def of(cls, s: Stats) -> TrackingStats:
        return cls(
            from_=s.window.first,
            to=s.window.last,
            totals=Totals(events=s.events, visitors=s.visitors, members=s.members),
            by_day=[DayCount(date=d, events=n) for d, n in s.by_day],
            by_type=[TypeCount(type=t, events=n) for t, n in s.by_type],
            by_page=[PageCount(url=u, events=n) for u, n in s.by_page],
        )
