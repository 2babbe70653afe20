"""``/dashboard/settings``: the program's settings and the SSO secret (issue 14).

The form sends every field; the ones whose value differs from the tenant's go through
``tenants.service.change_settings``, the path ``PATCH /api/v2/settings`` takes, so the
core validates them and the snapshot version bumps with the write. A value the form
cannot even read (``abc`` for a number) or the core refuses re-renders the form with
the message at that field, nothing written. The SSO secret's page says whether one is
set; rotating shows the new one once, in the answer to the POST (never in a URL, the
audit log or a later page). Member mail templates are ``/dashboard/settings/mail``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic.alias_generators import to_snake
from starlette.datastructures import FormData

from punchcard.errors import PunchcardError, ValidationFailed
from punchcard.models import Tenant
from punchcard.tenants import service
from punchcard.tenants.schemas import SETTINGS, SettingsChanges
from punchcard.web.dashboard.session import Ctx, action, redirect, view

router = APIRouter(include_in_schema=False)

PATH = "/dashboard/settings"
# Fields a blank input clears (None); the others need a value.
NULLABLE = frozenset({"points_expiry_days", "portal_url", "country"})
INTEGERS = frozenset({"points_expiry_days", "max_points_per_award"})
DECIMALS = frozenset({"points_per_currency_unit", "point_value"})


@dataclass
class Form:
    """The form's values as typed (strings) and the message at each refused field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def _decimal_text(value: Any) -> str:
    return format(Decimal(value).normalize(), "f")


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def current(tenant: Tenant) -> dict[str, str]:
    """The tenant's settings as the form shows them."""
    return {
        "timezone": tenant.timezone,
        "currency": tenant.currency,
        "points_per_currency_unit": _decimal_text(tenant.points_per_currency_unit),
        "points_expiry_days": _text(tenant.points_expiry_days),
        "tier_period": tenant.tier_period,
        "plan": tenant.plan,
        "custom_auth_enabled": "on" if tenant.custom_auth_enabled else "",
        "portal_url": tenant.portal_url or "",
        "max_points_per_award": str(tenant.max_points_per_award),
        "country": tenant.country or "",
        "point_value": _decimal_text(tenant.point_value),
        "storefront_origins": "\n".join(tenant.storefront_origins or []),
    }  # fmt: skip


def _typed(name: str, text: str) -> Any:
    """One field's text as the core takes it; ValidationFailed naming it when it does
    not read."""
    text = text.strip()
    if name == "custom_auth_enabled":
        return text == "on"
    if name == "storefront_origins":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if not text:
        if name in NULLABLE:
            return None
        raise ValidationFailed("This field needs a value", field=name)
    if name in INTEGERS:
        if not re.fullmatch(r"\d{1,13}", text):
            raise ValidationFailed("Enter a whole number", field=name)
        return int(text)
    if name in DECIMALS:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or len(text) > 30:
            raise ValidationFailed("Enter a number, e.g. 2.5", field=name)
        return number
    return text


def _form_field(core_field: str | None) -> str | None:
    """The form's input for a field the core named (``storefrontOrigins[2]`` → the
    origins box)."""
    if core_field is None:
        return None
    return to_snake(core_field.split("[", 1)[0])


def _message(exc: PunchcardError, origins: list[str]) -> str:
    found = re.fullmatch(r"storefrontOrigins\[(\d+)\]", exc.field or "")
    if found and int(found.group(1)) < len(origins):
        line = origins[int(found.group(1))]
        return f"“{line}” is not an origin: write it as https://shop.example (no path)"
    return exc.message


def _page(ctx: Ctx, form: Form, *, status: int = 200, secret: str | None = None) -> Response:
    return ctx.page(
        "dashboard/settings/index.html",
        status=status,
        title="Settings",
        form=form,
        plans=service.PLANS,
        tier_periods=service.TIER_PERIODS,
        sso_secret_set=ctx.tenant.sso_secret is not None,
        new_secret=secret,
    )


@router.get(PATH)
async def settings_page(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        return _page(ctx, Form(current(ctx.tenant)))

    return await view(request, page)


@router.post(PATH)
async def save_settings(request: Request) -> Response:
    def save(ctx: Ctx, data: FormData) -> Response:
        before = current(ctx.tenant)
        sent = {name: str(data.get(name) or "") for name in SETTINGS}
        form = Form(dict(sent))
        changes: dict[str, Any] = {}
        for name in SETTINGS:
            text = sent[name]
            if name != "storefront_origins" and text.strip() == before[name]:
                continue
            try:
                value = _typed(name, text)
            except ValidationFailed as exc:
                form.errors[name] = exc.message
                continue
            if name == "storefront_origins" and value == list(ctx.tenant.storefront_origins or []):
                continue
            changes[name] = value
        if form.errors:
            return _page(ctx, form, status=400)
        try:
            service.change_settings(ctx.session, ctx.principal, data=cast(SettingsChanges, changes))
        except ValidationFailed as exc:
            name = _form_field(exc.field) or ""
            name = name if name in SETTINGS else "_form"  # no input of its own: the banner
            form.errors[name] = _message(exc, changes.get("storefront_origins") or [])
            # Nothing of the change may stay: roll back, then show the form.
            ctx.session.rollback()
            return _page(ctx, form, status=400)
        return redirect(PATH + "?notice=Settings+saved")

    return await action(request, save)


@router.post(PATH + "/sso-secret")
async def rotate_sso_secret(request: Request) -> Response:
    def rotate(ctx: Ctx, data: FormData) -> Response:
        secret = service.rotate_sso(ctx.session, ctx.principal)
        return _page(ctx, Form(current(ctx.tenant)), secret=secret)

    return await action(request, rotate)
