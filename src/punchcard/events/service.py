"""Emit an event: one outbox row in the caller's transaction.

A rolled-back change therefore emits nothing and a committed one always has its
event. ``fan_out`` writes one webhook delivery per subscribed endpoint in the same
transaction, and the worker delivers them (see ``docs/webhooks.md``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.events.fanout import fan_out, fan_out_many
from punchcard.events.repository import OutboxRepository
from punchcard.kit.ids import new_id
from punchcard.models import OutboxEvent

EVENT_TYPES = (
    "member.created",
    "member.updated",
    "points.awarded",
    "points.deducted",
    "points.expired",
    "tier.changed",
    "order.created",
    "order.refunded",
    "coupon.issued",
    "coupon.redeemed",
    "reward.redeemed",
    "referral.converted",
    "quest.completed",
    "testimonial.created",
    "user.joined",
    "post.created",
    "post.liked",
    "post_comment.created",
    "post_comment.liked",
    # Operational: an endpoint was disabled (410 Gone, or its retry schedule ran out).
    "endpoint.disabled",
)


# ``session.info`` key: while set, ``emit`` and ``emit_many`` write nothing (no outbox
# row, no webhook delivery). Set by ``punchcard import`` without ``--emit-events``: a
# migration's thousands of changes are not news to anyone subscribed.
MUTED = "events_muted"


def lane(prefix: str, resource: uuid.UUID) -> str:
    """An event's ``resource_id``: the key that orders one resource's deliveries per
    endpoint (a lane), shown as ``resourceId`` in the delivery log. It is compared,
    never parsed, and spelled as the native face spells the id (``mem_<hex>``) because
    rows stored before keep theirs: the one place the core writes a prefixed id."""
    return f"{prefix}_{resource.hex}"


def emit(
    session: Session,
    tenant_id: uuid.UUID,
    type_: str,
    payload: dict[str, Any],
    *,
    resource_id: str | None = None,
) -> OutboxEvent:
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_}")
    values = {
        "tenant_id": tenant_id,
        "id": new_id(),
        "type": type_,
        "resource_id": resource_id,
        "payload": payload,
        "created_at": now(session),
    }
    if session.info.get(MUTED):
        return OutboxEvent(**values)
    # One reused Core insert: the event is written now, not at the next flush. The
    # object returned is not in the session (nothing changes an event once written).
    OutboxRepository(session, tenant_id).insert_event(values)
    event = OutboxEvent(**values)
    # Deliveries to subscribed webhook endpoints join the same transaction.
    fan_out(session, event)
    return event


def emit_many(
    session: Session,
    tenant_id: uuid.UUID,
    events: Sequence[tuple[str, dict[str, Any], str | None]],
) -> None:
    """``emit`` for a batch, in order: ``(type, payload, resource_id)`` each, written as
    one outbox insert and one delivery insert (reused Core statements, like ``emit``'s;
    nothing added to the session), the endpoints and lanes read once."""
    unknown = {t for t, _, _ in events} - set(EVENT_TYPES)
    if unknown:
        raise ValueError(f"unknown event types {sorted(unknown)}")
    if not events or session.info.get(MUTED):
        return
    at = now(session)
    rows = [
        {
            "tenant_id": tenant_id,
            "id": new_id(),
            "type": type_,
            "resource_id": resource_id,
            "payload": payload,
            "created_at": at,
        }
        for type_, payload, resource_id in events
    ]
    OutboxRepository(session, tenant_id).insert_event(rows)
    fan_out_many(session, tenant_id, rows)
