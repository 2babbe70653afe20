"""Webhook wire models: the bodies of ``/webhooks`` and the renderings of endpoints,
deliveries and attempts (``wh_``/``dlv_``/``att_``/``evt_`` ids)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_serializer

from punchcard.api.common import ids
from punchcard.kit.clock import iso_z
from punchcard.kit.schema import InputSchema, Schema
from punchcard.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from punchcard.webhooks.schemas import (
    ATTEMPT_PREFIX,
    DELIVERY_PREFIX,
    ENDPOINT_PREFIX,
    EVENT_PREFIX,
    DeliveryStatus,
)
from punchcard.webhooks.signing import message_id


class WebhookCreate(InputSchema):
    url: str = Field(min_length=1, max_length=2048, description="http(s) URL of your receiver")
    events: list[str] = Field(
        min_length=1,
        max_length=100,
        description='Event types to receive (see `GET /webhooks/event-types`); `"*"` for all',
    )
    description: str | None = Field(default=None, max_length=500)
    enabled: bool = True


class WebhookUpdate(InputSchema):
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[str] | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None


class WebhookRead(Schema):
    id: str
    url: str
    events: list[str]
    enabled: bool
    description: str | None
    disabled_reason: str | None = Field(
        description="Why the endpoint was disabled (410 Gone, retries exhausted, or by request)"
    )
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @field_serializer("disabled_at", "created_at", "updated_at")
    def _times(self, value: datetime | None) -> str | None:
        return iso_z(value)

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookRead:
        return cls(**_endpoint_fields(endpoint))


class WebhookWithSecret(WebhookRead):
    """An endpoint with its signing secret: returned at creation and on rotation only."""

    secret: str | None = Field(
        description="`whsec_…`: verify signatures with it; shown only now "
        "(null on an Idempotency-Key replay: the replay record never keeps it)"
    )

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookWithSecret:
        return cls(**_endpoint_fields(endpoint), secret=endpoint.secret)


def _endpoint_fields(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {
        "id": ids.render(ENDPOINT_PREFIX, endpoint.id),
        "url": endpoint.url,
        "events": list(endpoint.event_types or []),
        "enabled": endpoint.enabled,
        "description": endpoint.description,
        "disabled_reason": endpoint.disabled_reason,
        "disabled_at": endpoint.disabled_at,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


class WebhookList(Schema):
    webhooks: list[WebhookRead]
    total: int
    limit: int
    offset: int


class AttemptRead(Schema):
    id: str
    number: int
    trigger: str = Field(description="`scheduled`, or `replay` after a manual retry")
    attempted_at: datetime
    status_code: int | None
    latency_ms: float
    response_excerpt: str | None = Field(description="The first KiB of the receiver's answer")
    error: str | None
    outcome: str = Field(
        description="`succeeded`, `retrying`, `failed`, `endpoint_disabled` or `superseded`"
    )
    next_retry_at: datetime | None

    @field_serializer("attempted_at", "next_retry_at")
    def _times(self, value: datetime | None) -> str | None:
        return iso_z(value)

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> AttemptRead:
        return cls(
            id=ids.render(ATTEMPT_PREFIX, attempt.id),
            number=attempt.number,
            trigger=attempt.trigger,
            attempted_at=attempt.attempted_at,
            status_code=attempt.status_code,
            latency_ms=attempt.latency_ms,
            response_excerpt=attempt.response_excerpt,
            error=attempt.error,
            outcome=attempt.outcome,
            next_retry_at=attempt.next_retry_at,
        )


class DeliveryRead(Schema):
    id: str
    webhook_id: str
    event_id: str
    message_id: str = Field(description="The `webhook-id` header: the same on every retry")
    event_type: str
    resource_id: str | None
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None = Field(description="When the next attempt is due")
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    attempts: list[AttemptRead]

    @field_serializer("next_attempt_at", "delivered_at", "created_at")
    def _times(self, value: datetime | None) -> str | None:
        return iso_z(value)

    @classmethod
    def of(cls, delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryRead:
        return cls(
            id=ids.render(DELIVERY_PREFIX, delivery.id),
            webhook_id=ids.render(ENDPOINT_PREFIX, delivery.endpoint_id),
            event_id=ids.render(EVENT_PREFIX, delivery.event_id),
            message_id=message_id(delivery.event_id.hex),
            event_type=delivery.event_type,
            resource_id=delivery.resource_id,
            status=DeliveryStatus(delivery.status),
            attempt_count=delivery.attempt_count,
            next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
            attempts=[AttemptRead.of(a) for a in attempts],
        )


class DeliveryList(Schema):
    deliveries: list[DeliveryRead]
    total: int
    limit: int
    offset: int


class EventTypeList(Schema):
    event_types: list[str]
