"""Tracking: ``/tracking/events`` (ingest) and ``/tracking/stats``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from punchcard.api.common.auth import TrackingRead, TrackingWrite
from punchcard.api.common.params import IsoDate
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.tracking import service
from punchcard.tracking.schemas import (
    MAX_BATCH,
    TrackingAccepted,
    TrackingEventIn,
    TrackingStats,
)

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
    return TrackingAccepted.of(service.ingest(session, p, payload=payload))


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
