"""Claiming due deliveries and recording what an attempt did.

The worker (``punchcard.worker.delivery``) runs the loop: claim in one short
transaction, send with no transaction open, record in another. A claim is a lease: a
worker killed mid-attempt loses nothing, because once ``locked_until`` passes the
delivery is due again and another worker sends it (same ``webhook-id``, so a receiver
that did get the first copy can tell).
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from punchcard.events.data import Renderer
from punchcard.events.service import emit, lane
from punchcard.kit.clock import iso_z
from punchcard.kit.ids import new_id
from punchcard.mail.service import Mail
from punchcard.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from punchcard.webhooks import signing
from punchcard.webhooks.config import DeliveryConfig
from punchcard.webhooks.repository import (
    FAILED,
    SUCCEEDED,
    DeliveryQueue,
    WebhookRepository,
)
from punchcard.webhooks.schemas import ENDPOINT_PREFIX
from punchcard.webhooks.sender import Outgoing, Result

log = logging.getLogger("punchcard.webhooks.delivery")


@dataclass(frozen=True)
class Claim:
    """Everything needed to make one attempt, read while the claim was taken."""

    tenant_id: uuid.UUID
    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    lock_token: uuid.UUID
    number: int
    trigger: str
    outgoing: Outgoing


def claim(
    session: Session,
    *,
    now: datetime,
    limit: int,
    config: DeliveryConfig,
    renderers: Mapping[str, Renderer],
    tenant_id: uuid.UUID | None = None,
) -> list[Claim]:
    """Take up to ``limit`` due deliveries for this worker, leased for
    ``config.lease_seconds``, and render their bodies. Only deliveries of event types
    this worker has a renderer for are taken: a worker without a face leaves that
    face's events to a worker that has it."""
    token = uuid.uuid4()
    rows = DeliveryQueue(session).claim(
        now=now,
        limit=limit,
        lease_until=now + timedelta(seconds=config.lease_seconds),
        token=token,
        event_types=list(renderers),
        tenant_id=tenant_id,
    )
    endpoints, events = DeliveryQueue(session).load(rows)
    claims = []
    for row in rows:
        endpoint = endpoints[(row.tenant_id, row.endpoint_id)]
        event = events[(row.tenant_id, row.event_id)]
        secrets = [endpoint.secret]
        grace = endpoint.previous_secret_expires_at
        if endpoint.previous_secret and grace is not None and grace > now:
            secrets.append(endpoint.previous_secret)
        outgoing = Outgoing(
            url=endpoint.url,
            msg_id=signing.message_id(event.id.hex),
            body=_body(event.type, iso_z(event.created_at), event.payload, renderers),
            secrets=tuple(secrets),
        )
        claims.append(
            Claim(
                tenant_id=row.tenant_id,
                delivery_id=row.id,
                endpoint_id=row.endpoint_id,
                lock_token=token,
                number=row.attempt_count + 1,
                trigger=row.next_trigger,
                outgoing=outgoing,
            )
        )
    return claims


def _body(
    type_: str, timestamp: str | None, data: dict[str, Any], renderers: Mapping[str, Renderer]
) -> str | None:
    """The signed text: the face's rendering of the event's neutral data. A renderer
    that fails makes a failed attempt (logged, retried), never a stuck worker loop."""
    try:
        return signing.body(type_, timestamp, renderers[type_](data))
    except Exception:
        log.exception("could not render a %s event", type_)
        return None


def record(
    session: Session,
    claim: Claim,
    result: Result,
    *,
    at: datetime,
    now: datetime,
    config: DeliveryConfig,
    worker: str | None = None,
    rng: random.Random | None = None,
) -> list[Mail]:
    """Log the attempt and move the delivery on: done, retry later, or give up (and
    disable the endpoint). Returns mail to send once this transaction has committed."""
    repo = WebhookRepository(session, claim.tenant_id)
    delivery = repo.delivery_by_id(claim.delivery_id, lock=True)
    if delivery is None:
        return []  # the endpoint was deleted meanwhile, and its log with it
    # Read, not locked: see WebhookRepository.disable for why no FOR UPDATE here.
    endpoint = repo.get(delivery.endpoint_id)
    attempt = WebhookAttempt(
        id=new_id(),
        delivery_id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        number=claim.number,
        trigger=claim.trigger,
        attempted_at=at,
        status_code=result.status_code,
        latency_ms=result.latency_ms,
        response_excerpt=result.response_excerpt,  # at most 1 KiB (see sender)
        error=result.error,
        outcome="superseded",
        next_retry_at=None,
        worker=worker,
    )
    mails: list[Mail] = []
    # Our lease ran out and another worker took the delivery over: log what we saw,
    # leave the delivery to its new owner.
    if delivery.lock_token == claim.lock_token and endpoint is not None:
        mails = _advance(session, delivery, endpoint, attempt, result, now, config, rng)
    repo.add_attempt(attempt)
    session.flush()
    return mails


def _advance(
    session: Session,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    attempt: WebhookAttempt,
    result: Result,
    now: datetime,
    config: DeliveryConfig,
    rng: random.Random | None,
) -> list[Mail]:
    delivery.attempt_count += 1
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error
    delivery.locked_until = None
    delivery.lock_token = None
    delivery.next_trigger = "scheduled"
    delivery.updated_at = now
    if result.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = SUCCEEDED, now, None
        attempt.outcome = "succeeded"
        release_next(session, delivery, now)
        return []
    if result.status_code == 410:
        return _give_up(session, delivery, endpoint, attempt, now, "The endpoint answered 410 Gone")
    step = delivery.schedule_step
    if step >= len(config.retry_schedule):
        reason = f"Retry schedule exhausted after {delivery.attempt_count} failed attempts"
        return _give_up(session, delivery, endpoint, attempt, now, reason)
    wait = _jittered(config.retry_schedule[step], config.jitter, rng)
    if result.retry_after is not None:  # 429: the receiver says when
        wait = result.retry_after
    delivery.schedule_step = step + 1
    delivery.next_attempt_at = attempt.next_retry_at = now + timedelta(seconds=wait)
    attempt.outcome = "retrying"
    return []


def release_next(session: Session, delivery: WebhookDelivery, now: datetime) -> None:
    """``delivery`` left its lane: make the lane's next parked delivery due now."""
    if delivery.resource_id is None:
        return
    following = WebhookRepository(session, delivery.tenant_id).next_in_lane(delivery)
    if following is not None and following.next_attempt_at is None:
        following.next_attempt_at = now
        following.updated_at = now


def release_stranded(
    session: Session, *, now: datetime, limit: int = 500, tenant_id: uuid.UUID | None = None
) -> int:
    """Release parked deliveries that missed their hand-over (see
    ``DeliveryQueue.stranded``); the worker calls this every few seconds."""
    rows = DeliveryQueue(session).stranded(limit=limit, tenant_id=tenant_id)
    for row in rows:
        row.next_attempt_at = now
        row.updated_at = now
    session.flush()
    return len(rows)


def _jittered(delay: float, jitter: float, rng: random.Random | None) -> float:
    factor = (rng or random).uniform(1 - jitter, 1 + jitter)
    return max(0.0, delay * factor)


def _give_up(
    session: Session,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    attempt: WebhookAttempt,
    now: datetime,
    reason: str,
) -> list[Mail]:
    delivery.status, delivery.next_attempt_at = FAILED, None
    attempt.outcome = "failed"
    release_next(session, delivery, now)
    if not endpoint.enabled:
        return []
    attempt.outcome = "endpoint_disabled"
    return disable(session, endpoint, reason=reason, at=now)


def disable(
    session: Session, endpoint: WebhookEndpoint, *, reason: str, at: datetime
) -> list[Mail]:
    """Turn the endpoint off and leave the ``endpoint.disabled`` record: the reason and
    time on the endpoint, an ``endpoint.disabled`` event for the tenant's other
    endpoints, and a mail to its owners and admins (returned, sent after commit).

    Its pending deliveries stay queued and resume when the endpoint is enabled again.
    """
    repo = WebhookRepository(session, endpoint.tenant_id)
    if not repo.disable(endpoint, reason=reason[:500], at=at):
        return []  # someone else (a request, another worker) turned it off first
    webhook_id = lane(ENDPOINT_PREFIX, endpoint.id)
    payload = {
        "endpoint_id": str(endpoint.id),
        "url": endpoint.url,
        "reason": endpoint.disabled_reason,
        "disabled_at": at.isoformat(),
    }
    emit(session, endpoint.tenant_id, "endpoint.disabled", payload, resource_id=webhook_id)
    text = (
        f"Punchcard stopped sending webhooks to {endpoint.url} ({webhook_id}).\n\n"
        f"Reason: {endpoint.disabled_reason}\n\n"
        "Events already queued for it are kept. Fix the receiver, then enable the endpoint\n"
        f'again (PATCH /api/v2/webhooks/{webhook_id} with {{"enabled": true}}) and they\n'
        "will be delivered; replay failed deliveries from its deliveries log.\n"
    )
    subject = "Webhook endpoint disabled"
    return [Mail(to=email, subject=subject, text=text) for email in repo.admin_emails()]
