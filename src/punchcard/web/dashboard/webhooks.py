"""The dashboard's webhooks (issue 14): endpoints (create, enable/disable, delete,
rotate the secret), an endpoint's deliveries with every attempt, and replaying one —
all through ``punchcard.webhooks.service``, as ``/api/v2/webhooks`` calls it. The URL
is vetted by the core (its SSRF rules; its message shown at the field). A signing
secret is shown once, on the page answering the create or the rotation (never in a
URL, never again)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from punchcard.errors import PunchcardError, ValidationFailed
from punchcard.events.fanout import ALL_EVENTS
from punchcard.models import WebhookEndpoint
from punchcard.web.dashboard.ops_kit import page_of, pager, parse_id, render_id
from punchcard.web.dashboard.session import Ctx, action, redirect, view
from punchcard.webhooks import service
from punchcard.webhooks.schemas import DELIVERY_PREFIX, ENDPOINT_PREFIX, NewWebhook

router = APIRouter(include_in_schema=False)

URL_MAX = 2048
DESCRIPTION_MAX = 500


def endpoint_url(endpoint: WebhookEndpoint) -> str:
    return "/dashboard/webhooks/" + render_id(ENDPOINT_PREFIX, endpoint.id)


def _allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.webhooks_allow_private)


def _list_page(
    ctx: Ctx,
    request: Request,
    *,
    status: int = 200,
    error: PunchcardError | None = None,
    url: str = "",
    description: str = "",
    chosen: list[str] | None = None,
) -> Response:
    current = page_of(request)
    rows, total = service.list_endpoints(ctx.session, ctx.principal, page=current)
    return ctx.page(
        "dashboard/webhooks/list.html",
        status=status,
        title="Webhooks",
        endpoints=rows,
        pager=pager(request, current, total),
        event_types=service.event_types(),
        all_events=ALL_EVENTS,
        endpoint_url=endpoint_url,
        error=error,
        url=url,
        description=description,
        chosen=chosen if chosen is not None else [ALL_EVENTS],
    )


@router.get("/dashboard/webhooks")
async def list_webhooks(request: Request) -> Response:
    return await view(request, lambda ctx: _list_page(ctx, request))


def _secret_page(ctx: Ctx, endpoint: WebhookEndpoint, *, created: bool) -> Response:
    return ctx.page(
        "dashboard/webhooks/secret.html",
        title="Webhook created" if created else "New signing secret",
        endpoint=endpoint,
        created=created,
        endpoint_url=endpoint_url,
    )


@router.post("/dashboard/webhooks")
async def create_webhook(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        url = str(form.get("url") or "").strip()
        description = str(form.get("description") or "").strip()
        chosen = [str(v) for v in form.getlist("events")]
        try:
            if not url:
                raise ValidationFailed("url is required", field="url")
            if len(url) > URL_MAX:
                raise ValidationFailed(f"url must be at most {URL_MAX} characters", field="url")
            if len(description) > DESCRIPTION_MAX:
                raise ValidationFailed(
                    f"description must be at most {DESCRIPTION_MAX} characters",
                    field="description",
                )
            if not chosen:
                raise ValidationFailed("Choose at least one event type", field="events")
            with ctx.session.begin_nested():
                endpoint = service.create(
                    ctx.session,
                    ctx.principal,
                    data=NewWebhook(url=url, events=chosen, description=description or None),
                    allow_private=_allow_private(request),
                )
        except ValidationFailed as exc:
            return _list_page(
                ctx, request, status=400, error=exc, url=url, description=description,
                chosen=chosen,
            )  # fmt: skip
        return _secret_page(ctx, endpoint, created=True)

    return await action(request, work)


@router.get("/dashboard/webhooks/{endpoint_id}")
async def endpoint_page(request: Request, endpoint_id: str) -> Response:
    def page(ctx: Ctx) -> Response:
        wanted = parse_id(ENDPOINT_PREFIX, endpoint_id, "Webhook endpoint")
        endpoint = service.get(ctx.session, ctx.principal, endpoint_id=wanted)
        current = page_of(request)
        rows, total = service.deliveries(
            ctx.session, ctx.principal, endpoint_id=endpoint.id, page=current
        )
        return ctx.page(
            "dashboard/webhooks/detail.html",
            title=f"Webhook {endpoint.url}",
            endpoint=endpoint,
            deliveries=rows,
            pager=pager(request, current, total),
            base=endpoint_url(endpoint),
            delivery_id=lambda d: render_id(DELIVERY_PREFIX, d.id),
        )

    return await view(request, page)


def _back(endpoint: WebhookEndpoint | str, notice: str) -> Response:
    base = endpoint if isinstance(endpoint, str) else endpoint_url(endpoint)
    return redirect(base + "?" + urlencode({"notice": notice}))


@router.post("/dashboard/webhooks/{endpoint_id}/enabled")
async def set_enabled(request: Request, endpoint_id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        wanted = str(form.get("enabled") or "")
        if wanted not in ("true", "false"):
            raise ValidationFailed("enabled must be true or false", field="enabled")
        endpoint = service.update(
            ctx.session,
            ctx.principal,
            endpoint_id=parse_id(ENDPOINT_PREFIX, endpoint_id, "Webhook endpoint"),
            data={"enabled": wanted == "true"},
            allow_private=_allow_private(request),
        )
        return _back(endpoint, "Endpoint enabled." if endpoint.enabled else "Endpoint disabled.")

    return await action(request, work)


@router.post("/dashboard/webhooks/{endpoint_id}/delete")
async def delete_webhook(request: Request, endpoint_id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        service.delete(
            ctx.session,
            ctx.principal,
            endpoint_id=parse_id(ENDPOINT_PREFIX, endpoint_id, "Webhook endpoint"),
        )
        return _back("/dashboard/webhooks", "Endpoint deleted.")

    return await action(request, work)


@router.post("/dashboard/webhooks/{endpoint_id}/rotate-secret")
async def rotate_secret(request: Request, endpoint_id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        endpoint = service.rotate_secret(
            ctx.session,
            ctx.principal,
            endpoint_id=parse_id(ENDPOINT_PREFIX, endpoint_id, "Webhook endpoint"),
        )
        return _secret_page(ctx, endpoint, created=False)

    return await action(request, work)


@router.post("/dashboard/webhooks/{endpoint_id}/ping")
async def ping(request: Request, endpoint_id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        delivery, _ = service.ping(
            ctx.session,
            ctx.principal,
            endpoint_id=parse_id(ENDPOINT_PREFIX, endpoint_id, "Webhook endpoint"),
        )
        base = "/dashboard/webhooks/" + render_id(ENDPOINT_PREFIX, delivery.endpoint_id)
        return _back(base, "A test ping is queued.")

    return await action(request, work)


@router.post("/dashboard/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay")
async def replay(request: Request, endpoint_id: str, delivery_id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        delivery, _ = service.replay(
            ctx.session,
            ctx.principal,
            endpoint_id=parse_id(ENDPOINT_PREFIX, endpoint_id, "Webhook endpoint"),
            delivery_id=parse_id(DELIVERY_PREFIX, delivery_id, "Delivery"),
        )
        base = "/dashboard/webhooks/" + render_id(ENDPOINT_PREFIX, delivery.endpoint_id)
        return _back(base, f"Delivery of {delivery.event_type} queued again.")

    return await action(request, work)
