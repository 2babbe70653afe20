"""The worker's ``notifications.member_mail`` job: send what is due, once per event.

Each mail goes in three steps: a short write transaction *claims* it (inserts its
``member_mails`` row, unique per member, kind and event: a second worker's claim does
nothing) and reads what the mail says; the mail is sent with no transaction open (SMTP
may be slow; SQLite's write lock is not held across it); a second short transaction
records ``sent``, or ``failed`` with a retry time. So two runs at once send one mail,
and a run that dies between claim and send loses that mail rather than sending it
twice (its row stays ``sending``; the member is not mailed again for the event).

- Expiry reminders: lots with points left whose expiry falls within the tenant's
  "days ahead" (counted in tenant-local days), grouped by local expiry day: one mail
  per member and day. A lot is "covered" when a mail row's day window holds its expiry,
  so the scan skips members already reminded in SQL, and each run makes progress.
- Tier changes: the ``tier.changed`` outbox events the tier service already emits
  (nothing is added to the award path), scanned per tenant from a cursor
  (``member_mail_settings.tier_scan_from``) with an overlap for transactions that
  committed late; the event id is the mail's key. Reaching the default tier from none
  (a new member's first evaluation) and losing every tier are not mailed.

Every run sends at most ``limit`` mails (the rest wait for the next run).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.kit import calendar
from punchcard.mail import service as mail
from punchcard.models import Member, MemberMailSettings, Tenant
from punchcard.notifications import templates
from punchcard.notifications.repository import (
    FAILED,
    GIVEN_UP,
    SENT,
    MemberMailRepository,
    SettingsRepository,
    due_retries,
)
from punchcard.notifications.service import effective, local_date, portal_url
from punchcard.notifications.templates import Kind, TemplateRefused
from punchcard.tiers.repository import TierRepository

log = logging.getLogger("punchcard.notifications")

LIMIT = 500  # mails per run
BATCH = 200  # rows per scan query
# Tier changes committed this long after their event's timestamp are still found.
OVERLAP = timedelta(minutes=10)
# A tenant's first scan (and any scan after a long stop) looks back no further.
LOOKBACK = timedelta(days=1)
# Waits before the 2nd, 3rd and 4th attempt of a mail that failed; then it is given up.
RETRY_AFTER = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=6))


@dataclass
class Run:
    sent: int = 0
    failed: int = 0
    limit: int = LIMIT
    errors: list[str] = field(default_factory=list)

    @property
    def spent(self) -> bool:
        return self.sent + self.failed >= self.limit


@dataclass(frozen=True)
class Outgoing:
    tenant_id: uuid.UUID
    mail_id: uuid.UUID
    kind: Kind
    to: str
    subject: str
    body: str
    values: dict[str, Any]


def send_due(
    db: Database,
    at: datetime,
    *,
    settings: Settings,
    tenant_id: uuid.UUID | None = None,
    limit: int = LIMIT,
) -> Run:
    """Send the due reminders and tier-change mails (of one tenant, when given), then
    retry failed ones. Idempotent: a second run sends nothing the first one sent."""
    run = Run(limit=limit)
    with db.transaction(write=False) as session:
        stmt = select(Tenant, MemberMailSettings).outerjoin(
            MemberMailSettings, MemberMailSettings.tenant_id == Tenant.id
        )
        if tenant_id is not None:
            stmt = stmt.where(Tenant.id == tenant_id)
        tenants = session.execute(stmt.order_by(Tenant.id)).all()
    for tenant, row in tenants:
        if run.spent:
            break
        _tier_changes(db, at, settings, run, tenant, row)
        if not run.spent and effective(row).templates[Kind.points_expiring].enabled:
            _reminders(db, at, settings, run, tenant, row)
    if not run.spent:
        _retries(db, at, settings, run, tenant_id)
    if run.sent or run.failed:
        log.info("member mail: %d sent, %d failed", run.sent, run.failed)
    return run


# Expiry reminders --------------------------------------------------------------------


def _reminders(
    db: Database,
    at: datetime,
    settings: Settings,
    run: Run,
    tenant: Tenant,
    row: MemberMailSettings | None,
) -> None:
    tz = tenant.timezone or "UTC"
    today = at.astimezone(ZoneInfo(tz)).date()
    until = calendar.valid_through(today + timedelta(days=effective(row).days_ahead), tz)
    after: uuid.UUID | None = None
    while not run.spent:
        with db.transaction(write=False) as session:
            ids = MemberMailRepository(session, tenant.id).expiring_members(
                at=at, until=until, after=after, limit=BATCH
            )
        for member_id in ids:
            with db.transaction(write=False) as session:
                lots = MemberMailRepository(session, tenant.id).open_lots(
                    member_id, after=at, before=until
                )
            days = sorted({expires.astimezone(ZoneInfo(tz)).date() for expires, _ in lots})
            for day in days:
                if run.spent:
                    return
                claim = partial(_claim_expiry, at=at, settings=settings, tenant=tenant,
                                row=row, member_id=member_id, day=day)  # fmt: skip
                _deliver(db, at, settings, run, claim)
        if len(ids) < BATCH:
            return
        after = ids[-1]


def _claim_expiry(
    session: Any,
    at: datetime,
    settings: Settings,
    tenant: Tenant,
    row: MemberMailSettings | None,
    member_id: uuid.UUID,
    day: date,
    *,
    mail_id: uuid.UUID | None = None,
) -> Outgoing | None:
    """Claim the reminder of ``day`` (or, with ``mail_id``, build a claimed one again)."""
    tz = tenant.timezone or "UTC"
    window = (calendar.day_start(day, tz), calendar.valid_through(day, tz))
    repo = MemberMailRepository(session, tenant.id)
    member = _mailable(session, tenant.id, member_id)
    if member is None:
        return None
    # Only what is still to expire: a lot due at ``at`` is the expiry job's already.
    since = at if at >= window[0] else window[0] - calendar.RESOLUTION
    points = sum(p for _, p in repo.open_lots(member_id, after=since, before=window[1]))
    if points <= 0:
        return None
    if mail_id is None:
        mail_id = repo.claim(
            member_id, Kind.points_expiring.value, day.isoformat(), at=at, covers=window
        )
        if mail_id is None:
            return None
    tier = TierRepository(session, tenant.id).by_id(member.tier_id)
    values = _common(settings, tenant, member, tier.name if tier else "")
    values.update(points_expiring=points, expiry_date=local_date(day))
    return _outgoing(tenant, row, mail_id, Kind.points_expiring, member, values)


# Tier changes ------------------------------------------------------------------------


def _tier_changes(
    db: Database,
    at: datetime,
    settings: Settings,
    run: Run,
    tenant: Tenant,
    row: MemberMailSettings | None,
) -> None:
    enabled = effective(row).templates[Kind.tier_changed].enabled
    start = at - LOOKBACK
    if row is not None and row.tier_scan_from is not None:
        start = max(start, row.tier_scan_from)
    done = not enabled  # disabled: move the cursor on, so enabling later mails no backlog
    after: tuple[datetime, uuid.UUID] | None = None
    while enabled and not run.spent:
        with db.transaction(write=False) as session:
            events = MemberMailRepository(session, tenant.id).tier_events(
                since=start, until=at, after=after, limit=BATCH
            )
        for event_id, _created, payload in events:
            if run.spent:
                break
            claim = partial(_claim_tier, settings=settings, tenant=tenant, row=row,
                            event_id=event_id, payload=dict(payload), at=at)  # fmt: skip
            _deliver(db, at, settings, run, claim)
        if run.spent:
            break  # the rest next run, from the same cursor (mailed events are skipped)
        if len(events) < BATCH:
            done = True
            break
        after = (events[-1][1], events[-1][0])
    if done:
        with db.transaction() as session:
            SettingsRepository(session, tenant.id).get_or_add(at).tier_scan_from = at - OVERLAP


def _claim_tier(
    session: Any,
    settings: Settings,
    tenant: Tenant,
    row: MemberMailSettings | None,
    event_id: uuid.UUID,
    payload: dict[str, Any],
    *,
    at: datetime,
    mail_id: uuid.UUID | None = None,
) -> Outgoing | None:
    new = payload.get("tier")
    if not new:
        return None  # no tier any more: nothing to announce
    member = _mailable(session, tenant.id, uuid.UUID(str(payload["member_id"])))
    if member is None:
        return None
    tiers = TierRepository(session, tenant.id)
    raw_old = payload.get("previous_tier_id")
    old = tiers.by_id(uuid.UUID(raw_old)) if raw_old else None
    current = tiers.by_id(uuid.UUID(str(new["id"])))
    if raw_old is None and current is not None and current.is_default:
        return None  # a new member placed in the entry tier: no news
    promoted = old is None or (
        current is not None
        and (current.position, current.min_points) > (old.position, old.min_points)
    )
    if mail_id is None:
        mail_id = MemberMailRepository(session, tenant.id).claim(
            member.id, Kind.tier_changed.value, str(event_id), at=at, event_id=event_id
        )
        if mail_id is None:
            return None
    values = _common(settings, tenant, member, str(new.get("name") or ""))
    values.update(previous_tier=old.name if old else "", promoted=promoted)
    return _outgoing(tenant, row, mail_id, Kind.tier_changed, member, values)


# Retries -----------------------------------------------------------------------------


def _retries(
    db: Database, at: datetime, settings: Settings, run: Run, tenant_id: uuid.UUID | None
) -> None:
    with db.transaction(write=False) as session:
        due = due_retries(session, at=at, limit=BATCH, tenant_id=tenant_id)
    for tid, mail_id, attempts in due:
        if run.spent:
            return
        claim = partial(_reclaim, at=at, settings=settings, tenant_id=tid, mail_id=mail_id,
                        attempts=attempts)  # fmt: skip
        _deliver(db, at, settings, run, claim)


def _reclaim(
    session: Any,
    at: datetime,
    settings: Settings,
    tenant_id: uuid.UUID,
    mail_id: uuid.UUID,
    attempts: int,
) -> Outgoing | None:
    repo = MemberMailRepository(session, tenant_id)
    if not repo.reclaim(mail_id, attempts):
        return None
    mail_row = repo.get(mail_id)
    tenant = session.get(Tenant, tenant_id)
    assert mail_row is not None and tenant is not None
    row = SettingsRepository(session, tenant_id).get()
    found: Outgoing | None = None
    if mail_row.kind == Kind.points_expiring.value:
        day = date.fromisoformat(mail_row.event_key)
        found = _claim_expiry(session, at, settings, tenant, row, mail_row.member_id, day,
                              mail_id=mail_id)  # fmt: skip
    elif mail_row.event_id is not None:
        payload = repo.event_payload(mail_row.event_id)
        if payload is not None:
            found = _claim_tier(session, settings, tenant, row, mail_row.event_id, payload,
                                at=at, mail_id=mail_id)  # fmt: skip
    if found is None:  # nothing left to say (points spent, member gone, event pruned)
        repo.finish(mail_id, status=GIVEN_UP, at=at, error="nothing to send any more")
    return found


# The three steps ---------------------------------------------------------------------


def _deliver(
    db: Database,
    at: datetime,
    settings: Settings,
    run: Run,
    claim: Callable[[Any], Outgoing | None],
) -> None:
    """Claim (one write transaction), send (none open), record (another)."""
    with db.transaction() as session:
        out = claim(session)
    if out is None:
        return
    error: str | None = None
    try:
        rendered = templates.render(out.kind, out.subject, out.body, out.values)
        mail.send(settings, to=out.to, subject=rendered.subject, text=rendered.text)
    except TemplateRefused as exc:  # a stored template no longer renders: never will
        error = f"template: {exc}"
    except Exception as exc:
        log.warning("member mail %s failed: %s", out.mail_id, type(exc).__name__)
        error = f"{type(exc).__name__}: {exc}"[:2000]
    with db.transaction() as session:
        repo = MemberMailRepository(session, out.tenant_id)
        if error is None:
            repo.finish(out.mail_id, status=SENT, at=db.clock.now())
            run.sent += 1
            return
        attempts = repo.get(out.mail_id).attempts  # type: ignore[union-attr]
        retry = not error.startswith("template:") and attempts <= len(RETRY_AFTER)
        repo.finish(
            out.mail_id,
            status=FAILED if retry else GIVEN_UP,
            at=at,
            error=error,
            next_attempt_at=at + RETRY_AFTER[attempts - 1] if retry else None,
        )
        run.failed += 1
        run.errors.append(error)


def _mailable(session: Any, tenant_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
    member: Member | None = session.get(Member, (tenant_id, member_id))
    if member is None or not member.email or member.status == "banned":
        return None
    return None if member.erased_at is not None else member


def _common(settings: Settings, tenant: Tenant, member: Member, tier_name: str) -> dict[str, Any]:
    return {
        "first_name": member.first_name or "",
        "balance": member.points_balance,
        "tier_name": tier_name,
        "portal_url": portal_url(settings.public_url, tenant.partner_id),
        "shop_name": tenant.name,
    }


def _outgoing(
    tenant: Tenant,
    row: MemberMailSettings | None,
    mail_id: uuid.UUID,
    kind: Kind,
    member: Member,
    values: dict[str, Any],
) -> Outgoing:
    template = effective(row).templates[kind]
    assert member.email is not None
    return Outgoing(tenant.id, mail_id, kind, member.email, template.subject, template.body, values)
