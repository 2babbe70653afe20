"""Member-mail settings as the dashboard reads and changes them, and the preview.

Every template is checked at save (``templates.check``) and rendered once with a
sample member, so a template that would fail at sending time is refused here, with
the field to blame. A template saved equal to the built-in default is stored as NULL:
the tenant then follows the default as it improves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.models import MemberMailSettings, Tenant
from punchcard.notifications import templates
from punchcard.notifications.repository import SettingsRepository, count_by_status
from punchcard.notifications.templates import (
    BODY_MAX,
    DEFAULTS,
    SUBJECT_MAX,
    Kind,
    Rendered,
    TemplateRefused,
)
from punchcard.tenants.service import get_tenant
from punchcard.tiers.service import active_tiers

DAYS_AHEAD_MAX = 90
PREFIX = {Kind.points_expiring: "expiry", Kind.tier_changed: "tier"}


@dataclass(frozen=True)
class MailTemplate:
    kind: Kind
    enabled: bool
    subject: str
    body: str
    is_default: bool


@dataclass(frozen=True)
class MailSettings:
    """The tenant's effective settings (the defaults filled in)."""

    days_ahead: int
    templates: dict[Kind, MailTemplate]


@dataclass(frozen=True)
class MailSettingsChanges:
    """The dashboard form, as the core takes it: every field given."""

    days_ahead: str
    enabled: dict[Kind, bool]
    subjects: dict[Kind, str]
    bodies: dict[Kind, str]


def field(kind: Kind, part: str) -> str:
    """The name of a template's input (``points_expiring_subject``...)."""
    return f"{kind.value}_{part}"


def effective(row: MemberMailSettings | None) -> MailSettings:
    out: dict[Kind, MailTemplate] = {}
    for kind in Kind:
        prefix = PREFIX[kind]
        subject = getattr(row, f"{prefix}_subject", None) if row else None
        body = getattr(row, f"{prefix}_body", None) if row else None
        enabled = bool(getattr(row, f"{prefix}_enabled")) if row else True
        default_subject, default_body = DEFAULTS[kind]
        out[kind] = MailTemplate(
            kind=kind,
            enabled=enabled,
            subject=subject if subject is not None else default_subject,
            body=body if body is not None else default_body,
            is_default=subject is None and body is None,
        )
    return MailSettings(days_ahead=row.expiry_days_ahead if row else 7, templates=out)


def get_settings(session: Session, principal: Principal) -> MailSettings:
    return effective(SettingsRepository(session, principal.tenant_id).get())


def counts(session: Session, principal: Principal) -> dict[str, int]:
    """How many member mails the tenant has, by status (sent, failed, given_up...)."""
    return count_by_status(session, principal.tenant_id)


def portal_url(public_url: str, partner_id: str) -> str:
    return f"{public_url.rstrip('/')}/portal/{partner_id}/"


def local_date(d: date) -> str:
    """How a date reads in a mail: ``11 December 2026`` (the tenant's local day)."""
    return f"{d.day} {d:%B %Y}"


def sample_values(
    tenant: Tenant, *, public_url: str, days_ahead: int, at: datetime, tiers: list[str]
) -> dict[str, Any]:
    """A made-up member for the preview (the tenant's own top tiers when it has some)."""
    today = at.astimezone(ZoneInfo(tenant.timezone or "UTC")).date()
    top = tiers[-1] if tiers else "Gold"
    below = tiers[-2] if len(tiers) > 1 else "Silver"
    return {
        "first_name": "Alex",
        "balance": 1250,
        "tier_name": top,
        "previous_tier": below,
        "promoted": True,
        "points_expiring": 300,
        "expiry_date": local_date(today + timedelta(days=days_ahead)),
        "portal_url": portal_url(public_url, tenant.partner_id),
        "shop_name": tenant.name,
    }


def preview(
    session: Session, principal: Principal, *, settings: MailSettings, public_url: str
) -> dict[Kind, Rendered | str]:
    """Each kind rendered for the sample member (a template that fails: its error)."""
    tenant = get_tenant(session, principal.tenant_id)
    names = [t.name for t in active_tiers(session, principal.tenant_id)]
    values = sample_values(
        tenant, public_url=public_url, days_ahead=settings.days_ahead, at=now(session), tiers=names
    )
    out: dict[Kind, Rendered | str] = {}
    for kind, template in settings.templates.items():
        try:
            out[kind] = templates.render(kind, template.subject, template.body, values)
        except TemplateRefused as exc:
            out[kind] = str(exc)
    return out


def problems(changes: MailSettingsChanges) -> dict[str, str]:
    """What is wrong with the form, by field (empty: nothing)."""
    found: dict[str, str] = {}
    raw = changes.days_ahead.strip()
    if not raw.isdigit() or not 1 <= int(raw) <= DAYS_AHEAD_MAX:
        found["days_ahead"] = f"Days ahead must be a whole number from 1 to {DAYS_AHEAD_MAX}"
    sample = {
        "first_name": "Alex",
        "balance": 1,
        "tier_name": "Gold",
        "previous_tier": "",
        "promoted": False,
        "points_expiring": 1,
        "expiry_date": "1 January 2027",
        "portal_url": "https://example.com/portal/x/",
        "shop_name": "Shop",
    }
    for kind in Kind:
        for part, source, limit in (
            ("subject", changes.subjects[kind], SUBJECT_MAX),
            ("body", changes.bodies[kind], BODY_MAX),
        ):
            name = field(kind, part)
            if not source.strip():
                found[name] = f"The {part} cannot be empty"
                continue
            try:
                templates.check(kind, source, limit=limit)
                for promoted in (True, False):  # both branches of an if on it
                    templates.render_one(kind, source, {**sample, "promoted": promoted})
            except TemplateRefused as exc:
                said = str(exc)
                found[name] = (
                    f"The {part} {said}" if said.startswith("is ") else said[:1].upper() + said[1:]
                )
    return found


def unsaved(changes: MailSettingsChanges) -> MailSettings:
    """The form's values as settings, for a preview before saving (an invalid days
    ahead previews as the default)."""
    raw = changes.days_ahead.strip()
    days = int(raw) if raw.isdigit() and 1 <= int(raw) <= DAYS_AHEAD_MAX else 7
    return MailSettings(
        days_ahead=days,
        templates={
            kind: MailTemplate(
                kind=kind,
                enabled=changes.enabled[kind],
                subject=_normal(changes.subjects[kind]),
                body=_normal(changes.bodies[kind]),
                is_default=False,
            )
            for kind in Kind
        },
    )


def update_settings(
    session: Session, principal: Principal, *, changes: MailSettingsChanges
) -> MailSettings:
    """Save the form, or refuse it whole (``ValidationFailed`` naming the first field,
    every problem in ``extra["fields"]``)."""
    found = problems(changes)
    if found:
        first = next(iter(found))
        raise ValidationFailed(found[first], field=first, extra={"fields": found})
    at = now(session)
    row = SettingsRepository(session, principal.tenant_id).get_or_add(at)
    row.expiry_days_ahead = int(changes.days_ahead.strip())
    for kind in Kind:
        prefix = PREFIX[kind]
        default_subject, default_body = DEFAULTS[kind]
        subject = _normal(changes.subjects[kind])
        body = _normal(changes.bodies[kind])
        setattr(row, f"{prefix}_enabled", changes.enabled[kind])
        same = subject == _normal(default_subject) and body == _normal(default_body)
        setattr(row, f"{prefix}_subject", None if same else subject)
        setattr(row, f"{prefix}_body", None if same else body)
    row.updated_at = at
    session.flush()
    return effective(row)


def _normal(text: str) -> str:
    # Browsers post textarea lines with CRLF; store (and compare) plain LF.
    return text.replace("\r\n", "\n")
