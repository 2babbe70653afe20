"""Tracking use cases: ingest events (single or batch) and report on them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.clock import as_utc
from punchcard.kit.ids import new_id
from punchcard.tracking import period
from punchcard.tracking.repository import TrackingRepository

MAX_BATCH = 1000
# A bound on one event's free-form properties, as serialised JSON: the ingest path is
# hot and the table is large, so a runaway payload is refused rather than stored.
MAX_PROPERTIES_CHARS = 8192
# Events stamped further ahead than this are refused: a clock that far off is a bug
# on the sender's side, and such rows would sit in every "last N days" report.
MAX_FUTURE = timedelta(hours=24)
STATS_DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Rejection:
    index: int
    field: str | None
    message: str


@dataclass(frozen=True)
class EventInput:
    """One behaviour event, as the core takes it (the face has checked its shape)."""

    type: str
    member_id: uuid.UUID | None = None
    visitor_id: str | None = None
    url: str | None = None
    properties: dict[str, Any] | None = None
    occurred_at: datetime | None = None


@dataclass
class Ingested:
    accepted: int = 0
    rejected: int = 0
    errors: list[Rejection] = field(default_factory=list)


@dataclass(frozen=True)
class Stats:
    window: period.Window
    events: int
    visitors: int
    members: int
    by_day: list[tuple[date, int]]
    by_type: list[tuple[str, int]]
    by_page: list[tuple[str, int]]


def ingest(
    session: Session,
    principal: Principal,
    *,
    events: Sequence[tuple[int, EventInput]],
    refused: Sequence[Rejection] = (),
    batch: bool,
) -> Ingested:
    """Store a single event or a batch, each event given with its index in the request
    (``refused``: those the face could not read, by index).

    In a batch every event is checked on its own: refused ones are reported by index
    and the others are stored. A single refused event is a 400 naming the field.
    """
    at = now(session)
    repo = TrackingRepository(session, principal.tenant_id)
    result = Ingested(errors=list(refused))
    parsed: list[tuple[int, EventInput]] = []
    for index, event in events:
        try:
            _check(event, at)
        except ValidationFailed as exc:
            result.errors.append(Rejection(index, exc.field, exc.message))
            continue
        parsed.append((index, event))
    known = repo.known_members(e.member_id for _, e in parsed if e.member_id is not None)
    rows: list[dict[str, Any]] = []
    for index, event in parsed:
        if event.member_id is not None and event.member_id not in known:
            result.errors.append(Rejection(index, "memberId", "Unknown member"))
            continue
        rows.append(
            {
                "id": new_id(),
                "type": event.type,
                "member_id": event.member_id,
                "visitor_id": event.visitor_id,
                "url": event.url,
                "properties": event.properties,
                "occurred_at": as_utc(event.occurred_at) if event.occurred_at else at,
                "created_at": at,
            }
        )
    if not batch and result.errors:
        err = result.errors[0]
        raise ValidationFailed(err.message, field=err.field)
    repo.insert_many(rows)
    result.errors.sort(key=lambda e: e.index)
    result.accepted = len(rows)
    result.rejected = len(result.errors)
    return result


def _check(event: EventInput, at: datetime) -> None:
    if event.occurred_at is not None and as_utc(event.occurred_at) > at + MAX_FUTURE:
        raise ValidationFailed("occurredAt is in the future", field="occurredAt")
    if event.properties is not None:
        size = len(json.dumps(event.properties, separators=(",", ":"), default=str))
        if size > MAX_PROPERTIES_CHARS:
            raise ValidationFailed(
                f"properties may hold at most {MAX_PROPERTIES_CHARS} characters of JSON",
                field="properties",
            )


def stats(
    session: Session, principal: Principal, *, first: date | None, last: date | None
) -> Stats:
    """Counts over ``[first, last]`` (UTC days; default the last 30 days)."""
    window = period.resolve(session, first, last, default_days=STATS_DEFAULT_DAYS)
    repo = TrackingRepository(session, principal.tenant_id)
    events, visitors, members = repo.totals(window)
    per_day = repo.by_day(window)
    return Stats(
        window=window,
        events=events,
        visitors=visitors,
        members=members,
        by_day=[(day, per_day.get(day, 0)) for day in window.days()],
        by_type=repo.by_type(window),
        by_page=repo.by_page(window),
    )
