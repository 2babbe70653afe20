"""Webhook endpoints, their deliveries (one per event and endpoint) and every attempt.

A delivery is written in the same transaction as the event it carries (see
``events.fanout``), so a committed change always has its deliveries and a rolled-back
one has none. The unique key ``(tenant_id, endpoint_id, event_id)`` makes "exactly one
delivery per endpoint and event" a database fact, not a hope.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class WebhookEndpoint(TenantOwned, Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_enabled", "tenant_id", "enabled"),)

    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(500))
    # Subscribed event types; ["*"] subscribes to every type in the catalogue.
    event_types: Mapped[list[Any]]
    enabled: Mapped[bool]
    # The signing secret must be readable to sign, so it is stored, not hashed.
    secret: Mapped[str] = mapped_column(String(128))
    # After a rotation the old secret still signs (a second signature) for a grace
    # period, so receivers can switch without dropping a message.
    previous_secret: Mapped[str | None] = mapped_column(String(128))
    previous_secret_expires_at: Mapped[datetime | None]
    # The endpoint.disabled record: why and when the worker (or a 410) turned it off.
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookDelivery(TenantOwned, Base):
    """One event for one endpoint: the message, retried until it succeeds or fails."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "endpoint_id", "event_id"),
        tenant_fk("endpoint_id", "webhook_endpoints", ondelete="CASCADE"),
        tenant_fk("event_id", "outbox_events"),
        # The worker's scan for due work runs across tenants.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_log", "tenant_id", "endpoint_id", "created_at"),
        # "Is an earlier delivery of this resource still pending for this endpoint?"
        Index("ix_webhook_deliveries_order", "tenant_id", "endpoint_id", "resource_id", "seq"),
    )

    endpoint_id: Mapped[uuid.UUID]
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    # Position among this endpoint's deliveries of the same resource (1, 2, ...).
    seq: Mapped[int] = mapped_column(BigInteger)
    # pending | succeeded | failed
    status: Mapped[str] = mapped_column(String(16))
    attempt_count: Mapped[int]
    # Index into the retry schedule for the next failure; a replay starts it again.
    schedule_step: Mapped[int]
    # What the next attempt is: "scheduled", or "replay" after a manual retry.
    next_trigger: Mapped[str] = mapped_column(String(16))
    next_attempt_at: Mapped[datetime | None]
    # A worker's claim: the attempt is its own until locked_until (a lease).
    locked_until: Mapped[datetime | None]
    lock_token: Mapped[uuid.UUID | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookAttempt(TenantOwned, Base):
    """One HTTP request of a delivery, as the deliveries log shows it."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        tenant_fk("delivery_id", "webhook_deliveries", ondelete="CASCADE"),
        Index("ix_webhook_attempts_delivery", "tenant_id", "delivery_id", "attempted_at"),
    )

    delivery_id: Mapped[uuid.UUID]
    endpoint_id: Mapped[uuid.UUID]
    number: Mapped[int]
    # scheduled | replay
    trigger: Mapped[str] = mapped_column(String(16))
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]
    latency_ms: Mapped[float]
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # succeeded | retrying | failed | endpoint_disabled | superseded
    outcome: Mapped[str] = mapped_column(String(24))
    next_retry_at: Mapped[datetime | None]
    worker: Mapped[str | None] = mapped_column(String(120))
