"""Fan an outbox event out to the endpoints subscribed to it, in the event's own
transaction.

``events.service.emit`` calls this right after it adds the event, so the event and its
deliveries commit or roll back together: a committed change is always delivered, a
rolled-back one never is, and the unique key ``(tenant, endpoint, event)`` means each
endpoint gets each event exactly once. (The alternative — a worker reading the outbox
behind a cursor — needs a cursor that is safe against transactions committing out of id
order; writing the deliveries up front needs nothing of the kind.)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, make_transient_to_detached

from punchcard.events.repository import PENDING, OutboxRepository
from punchcard.kit.ids import new_id
from punchcard.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from punchcard.tenants.snapshot import Route, snapshot

ALL_EVENTS = "*"
DELIVERY_COLUMNS = tuple(c.key for c in WebhookDelivery.__table__.columns)


def subscribed(endpoint: WebhookEndpoint | Route, event_type: str) -> bool:
    types = endpoint.event_types or []
    return event_type in types or ALL_EVENTS in types


def fan_out(session: Session, event: OutboxEvent) -> list[WebhookDelivery]:
    """One pending delivery per enabled endpoint of the tenant subscribed to the type."""
    # The enabled endpoints come from the tenant snapshot (no query per event); the
    # event itself is already written (``emit``'s Core insert), so nothing to flush.
    routes = snapshot(session, event.tenant_id).endpoints
    endpoints = [e for e in routes if subscribed(e, event.type)]
    return queue(session, event, endpoints)


def queue(
    session: Session, event: OutboxEvent, endpoints: Sequence[WebhookEndpoint | Route]
) -> list[WebhookDelivery]:
    """Deliveries of ``event`` to ``endpoints``.

    Per endpoint, the deliveries of one resource form a lane, sent one at a time in
    position order. A delivery that finds its lane empty is due now; one that finds an
    earlier delivery still pending is *parked* (no ``next_attempt_at``) until the
    worker finishes that one and releases it.

    Positions are read in this transaction: writes to one resource are serialised by
    the lock the change itself holds (the member row, the coupon row; SQLite's single
    writer), so positions follow the order in which the changes committed.

    Written set-based: ONE ``INSERT ... SELECT`` for all the deliveries, each row
    computing its lane's position and whether it is parked as it is inserted
    (``OutboxRepository.queue_deliveries``), nothing read first. The event row must
    already be written (``emit`` inserts it; a caller adding one through the ORM
    flushes it first).
    """
    if not endpoints:
        return []
    pairs = [(new_id(), endpoint.id) for endpoint in endpoints]
    placed = OutboxRepository(session, event.tenant_id).queue_deliveries(event, pairs)
    # The rows as session objects, as if loaded (callers render them; no second insert).
    fields = {
        c: getattr(event, c) for c in ("tenant_id", "id", "type", "resource_id", "created_at")
    }
    deliveries = []
    for delivery_id, endpoint_id in pairs:
        seq, next_attempt_at = placed[delivery_id]
        values = delivery_row(fields, endpoint_id, seq, due=next_attempt_at, id=delivery_id)
        delivery = WebhookDelivery(**values)
        make_transient_to_detached(delivery)
        session.add(delivery)
        deliveries.append(delivery)
    return deliveries


def fan_out_many(
    session: Session, tenant_id: uuid.UUID, events: Sequence[Mapping[str, Any]]
) -> int:
    """``fan_out`` for events emitted together (in order; each the outbox row's column
    values, already written): the endpoints and every lane read once, the deliveries
    written in one insert. A later event in a lane an earlier one just joined is parked
    behind it, exactly as if each had been fanned out on its own. Returns how many
    deliveries were written."""
    if not events:
        return 0
    endpoints = snapshot(session, tenant_id).endpoints
    if not endpoints:
        return 0
    repo = OutboxRepository(session, tenant_id)
    resources = sorted({e["resource_id"] for e in events if e["resource_id"] is not None})
    lanes = repo.lanes_of(resources, [e.id for e in endpoints])
    rows = []
    for event in events:
        resource = event["resource_id"]
        for endpoint in endpoints:
            if not subscribed(endpoint, event["type"]):
                continue
            key = (resource, endpoint.id)
            last_seq, pending = lanes.get(key, (0, 0)) if resource is not None else (0, 0)
            due = None if pending > 0 else event["created_at"]
            rows.append(delivery_row(event, endpoint.id, last_seq + 1, due=due))
            if resource is not None:
                lanes[key] = (last_seq + 1, pending + 1)
    if rows:
        repo.insert_deliveries(rows)
    return len(rows)


def delivery_row(
    event: Mapping[str, Any],
    endpoint_id: uuid.UUID,
    seq: int,
    *,
    due: datetime | None,
    id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A pending delivery of ``event`` (the outbox row's column values) to an endpoint,
    at position ``seq`` of its lane: every column of ``webhook_deliveries``. ``due``:
    its first attempt (None: parked behind an earlier delivery of the lane)."""
    at = event["created_at"]
    return dict.fromkeys(DELIVERY_COLUMNS) | {
        "tenant_id": event["tenant_id"],
        "id": id or new_id(),
        "endpoint_id": endpoint_id,
        "event_id": event["id"],
        "event_type": event["type"],
        "resource_id": event["resource_id"],
        "seq": seq,
        "status": PENDING,
        "attempt_count": 0,
        "schedule_step": 0,
        "next_trigger": "scheduled",
        "next_attempt_at": due,
        "created_at": at,
        "updated_at": at,
    }
