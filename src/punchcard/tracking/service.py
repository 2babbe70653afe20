"""Tracking use cases: ingest events (single or batch) and report on them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.clock import as_utc
from punchcard.kit.ids import new_id, parse
from punchcard.kit.schema import first_error
from punchcard.tracking import period
from punchcard.tracking.repository import TrackingRepository
from punchcard.tracking.schemas import MAX_BATCH, MAX_PROPERTIES_CHARS, TrackingEventIn

# Events stamped further ahead than this are refused: a clock that far off is a bug
# on the sender's side, and such rows would sit in every "last N days" report.
MAX_FUTURE = timedelta(hours=24)
STATS_DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Rejection:
    index: int
    field: str | None
    message: str


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


def _items(payload: Any) -> tuple[list[Any], bool]:
    """The events in a request body and whether it was a batch."""
    if not isinstance(payload, dict):
        raise ValidationFailed("The body must be an event object or {events: [...]}")
    if "events" not in payload:
        return [payload], False
    extra = sorted(set(payload) - {"events"})
    if extra:
        raise ValidationFailed(f"{extra[0]}: unknown field", field=extra[0])
    events = payload["events"]
    if not isinstance(events, list):
        raise ValidationFailed("events must be a list", field="events")
    if len(events) > MAX_BATCH:
        raise ValidationFailed(f"At most {MAX_BATCH} events per request", field="events")
    return events, True


def ingest(session: Session, principal: Principal, *, payload: Any) -> Ingested:
    """Store a single event or a batch ``{events: [...]}``.

    In a batch every event is checked on its own: refused ones are reported by index
    and the others are stored. A single refused event is a 400 naming the field.
    """
    items, batch = _items(payload)
    at = now(session)
    repo = TrackingRepository(session, principal.tenant_id)
    result = Ingested()
    parsed: list[tuple[int, TrackingEventIn, uuid.UUID | None]] = []
    for index, item in enumerate(items):
        try:
            event, member_id = _check(item, at)
        except ValidationFailed as exc:
            result.errors.append(Rejection(index, exc.field, exc.message))
            continue
        parsed.append((index, event, member_id))
    known = repo.known_members(m for _, _, m in parsed if m is not None)
    rows: list[dict[str, Any]] = []
    for index, event, member_id in parsed:
        if member_id is not None and member_id not in known:
            result.errors.append(Rejection(index, "memberId", "Unknown member"))
            continue
        rows.append(
            {
                "id": new_id(),
                "type": event.type,
                "member_id": member_id,
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


def _check(item: Any, at: datetime) -> tuple[TrackingEventIn, uuid.UUID | None]:
    if not isinstance(item, dict):
        raise ValidationFailed("An event must be an object")
    try:
        event = TrackingEventIn.model_validate(item)
    except ValidationError as exc:
        field_, message = first_error(exc)
        raise ValidationFailed(message, field=field_) from exc
    member_id = None
    if event.member_id is not None:
        member_id = parse("mem", event.member_id)
        if member_id is None:
            raise ValidationFailed("memberId is not a member id", field="memberId")
    if event.occurred_at is not None and as_utc(event.occurred_at) > at + MAX_FUTURE:
        raise ValidationFailed("occurredAt is in the future", field="occurredAt")
    if event.properties is not None:
        size = len(json.dumps(event.properties, separators=(",", ":"), default=str))
        if size > MAX_PROPERTIES_CHARS:
            raise ValidationFailed(
                f"properties may hold at most {MAX_PROPERTIES_CHARS} characters of JSON",
                field="properties",
            )
    return event, member_id


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
