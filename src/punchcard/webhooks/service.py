"""Webhook endpoints: create, change, rotate the secret, read the deliveries log,
replay a delivery, send a test ping.

A URL is vetted by ``ssrf.check`` here (400 naming ``url``) and again by the sender
before every attempt, because what a name resolves to can change after creation.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, cast

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Conflict, NotFound, ValidationFailed
from punchcard.events.fanout import ALL_EVENTS, queue
from punchcard.events.repository import PENDING, OutboxRepository
from punchcard.events.service import EVENT_TYPES
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from punchcard.webhooks import signing, ssrf
from punchcard.webhooks.repository import WebhookRepository
from punchcard.webhooks.schemas import NewWebhook, WebhookChanges

# After a rotation the old secret keeps signing (as a second signature) this long.
ROTATION_GRACE = timedelta(hours=24)
PING = "ping"
DISABLED_BY_REQUEST = "Disabled by request"


def event_types() -> list[str]:
    """The catalogue an endpoint may subscribe to (``"*"`` means all of it)."""
    return list(EVENT_TYPES)


def _url(url: str, *, allow_private: bool) -> str:
    try:
        ssrf.check(url, allow_private=allow_private)
    except ssrf.UnsafeUrl as exc:
        raise ValidationFailed(str(exc), field="url") from exc
    return url


def _events(events: list[str]) -> list[str]:
    chosen: list[str] = []
    for name in events:
        if name != ALL_EVENTS and name not in EVENT_TYPES:
            raise ValidationFailed(
                f"Unknown event type {name!r}; see GET /api/v2/webhooks/event-types",
                field="events",
            )
        if name not in chosen:
            chosen.append(name)
    return chosen


def get(session: Session, principal: Principal, *, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = WebhookRepository(session, principal.tenant_id).get(endpoint_id)
    if endpoint is None:
        raise NotFound("Webhook endpoint not found", field="id")
    return endpoint


def list_endpoints(
    session: Session, principal: Principal, *, page: Page
) -> tuple[list[WebhookEndpoint], int]:
    return WebhookRepository(session, principal.tenant_id).list_page(page)


def create(
    session: Session, principal: Principal, *, data: NewWebhook, allow_private: bool
) -> WebhookEndpoint:
    """A new endpoint with a fresh ``whsec_`` secret (the caller shows it once)."""
    events = _events(data.events)
    url = _url(data.url, allow_private=allow_private)
    at = now(session)
    return WebhookRepository(session, principal.tenant_id).add(
        WebhookEndpoint(
            id=new_id(),
            url=url,
            description=data.description,
            event_types=events,
            enabled=data.enabled,
            secret=signing.new_secret(),
            disabled_reason=None if data.enabled else DISABLED_BY_REQUEST,
            disabled_at=None if data.enabled else at,
            created_at=at,
            updated_at=at,
        )
    )


def update(
    session: Session,
    principal: Principal,
    *,
    endpoint_id: uuid.UUID,
    data: WebhookChanges,
    allow_private: bool,
) -> WebhookEndpoint:
    """Change an endpoint. Enabling it again clears the disabled record and resumes its
    pending deliveries; disabling pauses them (new events are not queued meanwhile)."""
    endpoint = get(session, principal, endpoint_id=endpoint_id)
    changes = cast(dict[str, Any], data)
    for required in ("url", "events", "enabled"):
        if required in changes and changes[required] is None:
            raise ValidationFailed(f"{required} cannot be null", field=required)
    at = now(session)
    if "url" in changes:
        endpoint.url = _url(changes["url"], allow_private=allow_private)
    if "events" in changes:
        endpoint.event_types = _events(changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"]
    if "enabled" in changes and changes["enabled"] != endpoint.enabled:
        endpoint.enabled = changes["enabled"]
        endpoint.disabled_reason = None if endpoint.enabled else DISABLED_BY_REQUEST
        endpoint.disabled_at = None if endpoint.enabled else at
    endpoint.updated_at = at
    session.flush()
    return endpoint


def delete(session: Session, principal: Principal, *, endpoint_id: uuid.UUID) -> None:
    """Delete an endpoint with its deliveries log."""
    endpoint = get(session, principal, endpoint_id=endpoint_id)
    WebhookRepository(session, principal.tenant_id).delete(endpoint)


def rotate_secret(
    session: Session, principal: Principal, *, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """A new secret; the old one keeps signing alongside it for ``ROTATION_GRACE``."""
    endpoint = get(session, principal, endpoint_id=endpoint_id)
    at = now(session)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = at + ROTATION_GRACE
    endpoint.secret = signing.new_secret()
    endpoint.updated_at = at
    session.flush()
    return endpoint


def deliveries(
    session: Session,
    principal: Principal,
    *,
    endpoint_id: uuid.UUID,
    page: Page,
    status: str | None = None,
) -> tuple[list[tuple[WebhookDelivery, list[WebhookAttempt]]], int]:
    """The endpoint's deliveries, newest first, each with every attempt made."""
    endpoint = get(session, principal, endpoint_id=endpoint_id)
    repo = WebhookRepository(session, principal.tenant_id)
    rows, total = repo.deliveries(endpoint.id, page, status=status)
    attempts = repo.attempts([d.id for d in rows])
    return [(d, attempts[d.id]) for d in rows], total


def get_delivery(
    session: Session,
    principal: Principal,
    *,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    lock: bool = False,
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    endpoint = get(session, principal, endpoint_id=endpoint_id)
    repo = WebhookRepository(session, principal.tenant_id)
    delivery = repo.delivery(endpoint.id, delivery_id, lock=lock)
    if delivery is None:
        raise NotFound("Delivery not found", field="deliveryId")
    return delivery, repo.attempts([delivery.id])[delivery.id]


def replay(
    session: Session, principal: Principal, *, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    """Send a delivery again now, with the same ``webhook-id`` and a fresh retry schedule.

    A delivery that is in flight right now (claimed by a worker) is left alone: 409.
    On a disabled endpoint it waits until the endpoint is enabled again.
    """
    delivery, attempts = get_delivery(
        session, principal, endpoint_id=endpoint_id, delivery_id=delivery_id, lock=True
    )
    at = now(session)
    if delivery.locked_until is not None and delivery.locked_until > at:
        raise Conflict("This delivery is being attempted right now", code="DELIVERY_IN_FLIGHT")
    delivery.status = PENDING
    delivery.schedule_step = 0
    delivery.next_trigger = "replay"
    delivery.next_attempt_at = at
    delivery.updated_at = at
    session.flush()
    return delivery, attempts


def ping(
    session: Session, principal: Principal, *, endpoint_id: uuid.UUID
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    """Queue a signed ``ping`` event to this endpoint only (whatever it subscribes to)."""
    endpoint = get(session, principal, endpoint_id=endpoint_id)
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled; enable it first", code="ENDPOINT_DISABLED")
    at = now(session)
    # Written straight to the outbox, not through emit(): a ping is for one endpoint.
    event = OutboxRepository(session, principal.tenant_id).add_event(
        OutboxEvent(
            id=new_id(),
            type=PING,
            resource_id=None,
            payload={"endpoint_id": str(endpoint.id), "message": "ping"},
            created_at=at,
        )
    )
    session.flush()
    (delivery,) = queue(session, event, [endpoint])
    session.flush()
    return delivery, []
