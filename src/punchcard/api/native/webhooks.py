"""Webhook endpoints and their deliveries log: ``/webhooks``."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Query, Request, Response

from punchcard.api.common import ids, inputs
from punchcard.api.common.auth import WebhooksRead, WebhooksWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute, redact_on_replay
from punchcard.api.native.schemas.webhooks import (
    DeliveryList,
    DeliveryRead,
    EventTypeList,
    WebhookCreate,
    WebhookList,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from punchcard.webhooks import service
from punchcard.webhooks.schemas import (
    DELIVERY_PREFIX,
    ENDPOINT_PREFIX,
    DeliveryStatus,
    NewWebhook,
    WebhookChanges,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Webhooks"])


async def _allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.webhooks_allow_private)


AllowPrivate = Annotated[bool, Depends(_allow_private)]


@router.get("/webhooks", response_model=WebhookList)
def list_webhooks(p: WebhooksRead, session: DbSession, page: PageParams) -> WebhookList:
    """List webhook endpoints."""
    rows, total = service.list_endpoints(session, p, page=page)
    return WebhookList(
        webhooks=[WebhookRead.of(e) for e in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/webhooks/event-types", response_model=EventTypeList)
def list_event_types(p: WebhooksRead) -> EventTypeList:
    """List the event types an endpoint can subscribe to."""
    return EventTypeList(event_types=service.event_types())


@router.post("/webhooks", response_model=WebhookWithSecret, status_code=201)
def create_webhook(
    p: WebhooksWrite,
    session: DbSession,
    body: WebhookCreate,
    allow_private: AllowPrivate,
    request: Request,
) -> WebhookWithSecret:
    """Create an endpoint; its `whsec_` signing secret is shown only in this answer."""
    redact_on_replay(request, "secret")
    endpoint = service.create(session, p, data=_new(body), allow_private=allow_private)
    return WebhookWithSecret.of(endpoint)


@router.get("/webhooks/{id}", response_model=WebhookRead)
def get_webhook(p: WebhooksRead, session: DbSession, id: str) -> WebhookRead:
    """Get one endpoint (with `disabledReason` / `disabledAt` if it was turned off)."""
    return WebhookRead.of(service.get(session, p, endpoint_id=ids.parse(ENDPOINT_PREFIX, id)))


@router.patch("/webhooks/{id}", response_model=WebhookRead)
def update_webhook(
    p: WebhooksWrite, session: DbSession, id: str, body: WebhookUpdate, allow_private: AllowPrivate
) -> WebhookRead:
    """Change an endpoint; `{"enabled": true}` re-enables it and resumes its queue."""
    endpoint = service.update(
        session,
        p,
        endpoint_id=ids.parse(ENDPOINT_PREFIX, id),
        data=cast(WebhookChanges, inputs.sent(body)),
        allow_private=allow_private,
    )
    return WebhookRead.of(endpoint)


@router.delete("/webhooks/{id}", status_code=204)
def delete_webhook(p: WebhooksWrite, session: DbSession, id: str) -> Response:
    """Delete an endpoint and its deliveries log."""
    service.delete(session, p, endpoint_id=ids.parse(ENDPOINT_PREFIX, id))
    return Response(status_code=204)


@router.post("/webhooks/{id}/rotate-secret", response_model=WebhookWithSecret)
def rotate_secret(
    p: WebhooksWrite, session: DbSession, id: str, request: Request
) -> WebhookWithSecret:
    """Issue a new secret; the old one also signs for 24 hours."""
    redact_on_replay(request, "secret")
    return WebhookWithSecret.of(
        service.rotate_secret(session, p, endpoint_id=ids.parse(ENDPOINT_PREFIX, id))
    )


@router.get("/webhooks/{id}/deliveries", response_model=DeliveryList)
def list_deliveries(
    p: WebhooksRead,
    session: DbSession,
    id: str,
    page: PageParams,
    status: Annotated[DeliveryStatus | None, Query()] = None,
) -> DeliveryList:
    """The deliveries log, newest first, with every attempt."""
    rows, total = service.deliveries(
        session,
        p,
        endpoint_id=ids.parse(ENDPOINT_PREFIX, id),
        page=page,
        status=status.value if status else None,
    )
    return DeliveryList(
        deliveries=[DeliveryRead.of(d, a) for d, a in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/webhooks/{id}/deliveries/{deliveryId}", response_model=DeliveryRead)
def get_delivery(p: WebhooksRead, session: DbSession, id: str, deliveryId: str) -> DeliveryRead:
    """Get one delivery with its attempts."""
    delivery, attempts = service.get_delivery(
        session,
        p,
        endpoint_id=ids.parse(ENDPOINT_PREFIX, id),
        delivery_id=ids.parse(DELIVERY_PREFIX, deliveryId),
    )
    return DeliveryRead.of(delivery, attempts)


@router.post(
    "/webhooks/{id}/deliveries/{deliveryId}/retry", response_model=DeliveryRead, status_code=202
)
def retry_delivery(p: WebhooksWrite, session: DbSession, id: str, deliveryId: str) -> DeliveryRead:
    """Replay a delivery now (same `webhook-id`, fresh retry schedule)."""
    delivery, attempts = service.replay(
        session,
        p,
        endpoint_id=ids.parse(ENDPOINT_PREFIX, id),
        delivery_id=ids.parse(DELIVERY_PREFIX, deliveryId),
    )
    return DeliveryRead.of(delivery, attempts)


@router.post("/webhooks/{id}/test", response_model=DeliveryRead, status_code=202)
def test_webhook(p: WebhooksWrite, session: DbSession, id: str) -> DeliveryRead:
    """Queue a signed `ping` event to this endpoint."""
    delivery, attempts = service.ping(session, p, endpoint_id=ids.parse(ENDPOINT_PREFIX, id))
    return DeliveryRead.of(delivery, attempts)


def _new(body: WebhookCreate) -> NewWebhook:
    return NewWebhook(
        url=body.url, events=body.events, description=body.description, enabled=body.enabled
    )
