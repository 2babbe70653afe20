"""Tracking: ``/tracking/events`` (ingest) and ``/tracking/stats``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import ValidationError

from punchcard.api.common import ids
from punchcard.api.common.auth import TrackingRead, TrackingWrite
from punchcard.api.common.params import IsoDate
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.tracking import TrackingAccepted, TrackingEventIn, TrackingStats
from punchcard.errors import ValidationFailed
from punchcard.kit.schema import first_error
from punchcard.tracking import service
from punchcard.tracking.service import MAX_BATCH

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Tracking"])

# The body is parsed by the service (each event of a batch is judged on its own), so
# the documented schema is stated here: one event, or a batch of up to 1000. The event
# schema is inlined (no ``$defs`` refs dangling in the document). A batch's items are
# any JSON value, as for `/members/batch`: one that is not a valid event is refused on
# its own in the 202's `errors`, so it is not an invalid request (the fuzzer's
# negative-data check held the batch to the event schema and found it "accepted").
_EVENT_SCHEMA = TrackingEventIn.model_json_schema(by_alias=True)
_BATCH_SCHEMA = {
    "title": "TrackingBatchIn",
    "type": "object",
    "required": ["events"],
    "additionalProperties": False,
    "properties": {
        "events": {
            "type": "array",
            "maxItems": MAX_BATCH,
            "items": {
                "description": "An event shaped like the single form (`type`, `memberId`, "
                "`visitorId`, `url`, `properties`, `occurredAt`); each is validated on its "
                "own, and one refused is listed in `errors` by its index"
            },
        }
    },
}
_INGEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [_EVENT_SCHEMA, _BATCH_SCHEMA]},
                "examples": {
                    "single": {
                        "value": {"type": "page_view", "visitorId": "v_81f2", "url": "/shop"}
                    },
                    "batch": {
                        "value": {
                            "events": [
                                {"type": "page_view", "visitorId": "v_81f2", "url": "/shop"},
                                {"type": "add_to_cart", "memberId": "mem_…"},
                            ]
                        }
                    },
                },
            }
        },
    }
}


@router.post(
    "/tracking/events",
    response_model=TrackingAccepted,
    status_code=202,
    openapi_extra=_INGEST_BODY,
)
def ingest_events(
    p: TrackingWrite,
    session: DbSession,
    payload: Annotated[Any, Body(include_in_schema=False)],
) -> TrackingAccepted:
    """Record one event or a batch `{events: [≤1000]}`.

    In a batch each event is validated on its own: refused events (bad shape, unknown
    `memberId`, `occurredAt` more than 24 h ahead) are listed in `errors` by index and
    the rest are stored. A single refused event is a 400 naming the field.
    """
    items, batch = _items(payload)
    events: list[tuple[int, service.EventInput]] = []
    refused: list[service.Rejection] = []
    for index, item in enumerate(items):
        try:
            events.append((index, _event(item)))
        except ValidationFailed as exc:
            refused.append(service.Rejection(index, exc.field, exc.message))
    return TrackingAccepted.of(
        service.ingest(session, p, events=events, refused=refused, batch=batch)
    )


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


def _event(item: Any) -> service.EventInput:
    """One event of the body, its wire names mapped onto the core's."""
    if not isinstance(item, dict):
        raise ValidationFailed("An event must be an object")
    try:
        event = TrackingEventIn.model_validate(item)
    except ValidationError as exc:
        field_, message = first_error(exc)
        raise ValidationFailed(message, field=field_) from exc
    member_id = ids.parse_filter(
        "mem", event.member_id, field="memberId", message="memberId is not a member id"
    )
    return service.EventInput(
        type=event.type,
        member_id=member_id,
        visitor_id=event.visitor_id,
        url=event.url,
        properties=event.properties,
        occurred_at=event.occurred_at,
    )


@router.get("/tracking/stats", response_model=TrackingStats)
def tracking_stats(
    p: TrackingRead,
    session: DbSession,
    from_: Annotated[
        IsoDate | None, Query(alias="from", description="First day (UTC), inclusive")
    ] = None,
    to: Annotated[
        IsoDate | None, Query(description="Last day (UTC), inclusive; default today")
    ] = None,
) -> TrackingStats:
    """Event counts by day, type and page over `from`..`to` (default the last 30 days)."""
    return TrackingStats.of(service.stats(session, p, first=from_, last=to))
