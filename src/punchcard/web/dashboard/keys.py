"""The dashboard's API keys (issue 14): the list (never a plaintext), create (a
preset or chosen scopes, an optional expiry) with the plaintext shown once on the page
answering the create — not in a URL, not in the list, not in the audit log (which
keeps the method and path only) — revoke, and a key's recent activity. Through
``punchcard.identity.keys``, as ``/api/v2/api-keys`` calls it; as there, only owners
and admins manage keys (a viewer gets 403, reading included)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from punchcard.db.uow import now
from punchcard.errors import PunchcardError, ValidationFailed
from punchcard.identity import keys
from punchcard.identity.scopes import ALL_SCOPES, PRESETS, RESOURCES
from punchcard.kit.paging import Page
from punchcard.models import ApiKey
from punchcard.web.dashboard.ops_kit import admins_only, page_of, pager, parse_id, render_id
from punchcard.web.dashboard.session import Ctx, action, redirect, view

router = APIRouter(include_in_schema=False)

NAME_MAX = 200  # as the native face's ApiKeyCreate.name
ACTIVITY = 20  # calls on a key's page


def key_url(key: ApiKey) -> str:
    return "/dashboard/keys/" + render_id("key", key.id)


def _list_page(
    ctx: Ctx,
    request: Request,
    *,
    status: int = 200,
    error: PunchcardError | None = None,
    name: str = "",
    preset: str = "write",
    chosen: list[str] | None = None,
    expires: str = "",
) -> Response:
    current = page_of(request)
    rows, total = keys.list_keys(ctx.session, ctx.principal, page=current)
    return ctx.page(
        "dashboard/keys/list.html",
        status=status,
        title="API keys",
        keys=rows,
        pager=pager(request, current, total),
        key_url=key_url,
        resources=RESOURCES,
        error=error,
        name=name,
        preset=preset,
        chosen=chosen or [],
        expires=expires,
    )


@router.get("/dashboard/keys")
async def list_keys(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        admins_only(ctx)
        return _list_page(ctx, request)

    return await view(request, page)


def _expiry(raw: str, today: date) -> datetime | None:
    """The form's expiry date (``YYYY-MM-DD``): the key works until that day starts,
    UTC. Empty: it never expires."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed("expires must be a date (YYYY-MM-DD)", field="expires") from None
    if day <= today:
        raise ValidationFailed("expires must be a day after today", field="expires")
    return datetime.combine(day, time.min, tzinfo=UTC)


@router.post("/dashboard/keys")
async def create_key(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        name = str(form.get("name") or "").strip()
        preset = str(form.get("preset") or "")
        chosen = [str(s) for s in form.getlist("scopes")]
        expires = str(form.get("expires") or "").strip()
        try:
            if not name:
                raise ValidationFailed("name is required", field="name")
            if len(name) > NAME_MAX:
                raise ValidationFailed(f"name must be at most {NAME_MAX} characters", field="name")
            if preset not in (*PRESETS, "custom"):
                raise ValidationFailed("Choose read, write or chosen scopes", field="preset")
            if preset == "custom":
                unknown = [s for s in chosen if s not in ALL_SCOPES]
                if unknown:
                    raise ValidationFailed(f"unknown scope {unknown[0]!r}", field="scopes")
                if not chosen:
                    raise ValidationFailed("Choose at least one scope", field="scopes")
            today = now(ctx.session).date()
            new = keys.issue_key(
                ctx.session,
                ctx.principal,
                name=name,
                scopes=chosen if preset == "custom" else None,
                preset=None if preset == "custom" else preset,
                expires_at=_expiry(expires, today),
            )
        except ValidationFailed as exc:
            return _list_page(
                ctx, request, status=400, error=exc, name=name, preset=preset, chosen=chosen,
                expires=expires,
            )  # fmt: skip
        return ctx.page(
            "dashboard/keys/created.html",
            title="API key created",
            key=new.key,
            plaintext=new.plaintext,
            key_url=key_url,
        )

    return await action(request, work)


@router.get("/dashboard/keys/{key_id}")
async def key_page(request: Request, key_id: str) -> Response:
    # The audit log is written in batches: write out this process's pending records
    # first (in their own transaction) so the newest calls are listed.
    await run_in_threadpool(request.app.state.audit.flush)

    def page(ctx: Ctx) -> Response:
        admins_only(ctx)
        key = keys.get_key(ctx.session, ctx.principal, key_id=parse_id("key", key_id, "API key"))
        calls, total = keys.key_activity(
            ctx.session, ctx.principal, key_id=key.id, page=Page(limit=ACTIVITY)
        )
        return ctx.page(
            "dashboard/keys/detail.html",
            title=f"API key {key.name}",
            key=key,
            calls=calls,
            total=total,
            base=key_url(key),
        )

    return await view(request, page)


@router.post("/dashboard/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        key = keys.revoke_key(ctx.session, ctx.principal, key_id=parse_id("key", key_id, "API key"))
        notice = f"The key {key.name} is revoked: its next request gets 401."
        return redirect("/dashboard/keys?" + urlencode({"notice": notice}))

    return await action(request, work)
