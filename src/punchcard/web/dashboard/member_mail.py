"""``/dashboard/settings/mail``: the member mails' templates and the days ahead of an
expiry reminder (``punchcard.notifications``), with a preview for a sample member.
Admins and owners change them; a viewer sees them (and the preview), read-only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from punchcard.errors import ValidationFailed
from punchcard.notifications import service
from punchcard.notifications.service import MailSettings, MailSettingsChanges, field
from punchcard.notifications.templates import VARIABLES, Kind
from punchcard.web.dashboard.session import Ctx, action, redirect, view

router = APIRouter(include_in_schema=False)

PATH = "/dashboard/settings/mail"
LABELS = {Kind.points_expiring: "Points about to expire", Kind.tier_changed: "Tier changes"}


def _page(
    ctx: Ctx,
    settings: MailSettings,
    *,
    errors: dict[str, str],
    status: int = 200,
    days_value: str | None = None,
) -> Response:
    public_url = ctx.request.app.state.settings.public_url
    previews = service.preview(ctx.session, ctx.principal, settings=settings, public_url=public_url)
    return ctx.page(
        "dashboard/member_mail/settings.html",
        status=status,
        title="Member mail",
        settings=settings,
        previews=previews,
        errors=errors,
        kinds=list(Kind),
        labels=LABELS,
        variables=VARIABLES,
        field=field,
        action_path=PATH,
        days_value=settings.days_ahead if days_value is None else days_value,
        counts=service.counts(ctx.session, ctx.principal),
    )


def _changes(form: FormData) -> MailSettingsChanges:
    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    return MailSettingsChanges(
        days_ahead=text("days_ahead"),
        enabled={k: text(field(k, "enabled")) == "on" for k in Kind},
        subjects={k: text(field(k, "subject")) for k in Kind},
        bodies={k: text(field(k, "body")) for k in Kind},
    )


@router.get(PATH)
async def mail_settings(request: Request) -> Response:
    """The member-mail settings and their preview."""

    def page(ctx: Ctx) -> Response:
        return _page(ctx, service.get_settings(ctx.session, ctx.principal), errors={})

    return await view(request, page)


@router.post(PATH)
async def save_mail_settings(request: Request) -> Response:
    """Save the settings (``intent=save``) or preview the form unsaved (``preview``)."""

    def work(ctx: Ctx, form: FormData) -> Response:
        changes = _changes(form)
        if form.get("intent") == "preview":
            found = service.problems(changes)
            status = 400 if found else 200
            return _page(ctx, service.unsaved(changes), errors=found, status=status,
                         days_value=changes.days_ahead)  # fmt: skip
        try:
            service.update_settings(ctx.session, ctx.principal, changes=changes)
        except ValidationFailed as exc:  # nothing was written: shown at its fields
            return _page(ctx, service.unsaved(changes), errors=exc.extra["fields"], status=400,
                         days_value=changes.days_ahead)  # fmt: skip
        return redirect(f"{PATH}?notice=Member mail settings saved")

    return await action(request, work)
