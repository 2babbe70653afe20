"""What the MCP tools answer: read-only, one tenant (the principal's), JSON-ready dicts.

``get_metrics`` is ``metrics.service.overview`` rendered by ``metrics.wire.as_json``,
the very document ``GET /api/v2/metrics`` answers. A member of another tenant is
"not found", as an unknown one is.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import NotFound, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.clock import iso_z
from punchcard.kit.ids import parse, render
from punchcard.kit.money import money_str
from punchcard.members import service as members
from punchcard.metrics import leaders, service
from punchcard.metrics.wire import as_json
from punchcard.models import Member, PointsEntry, Tier
from punchcard.tenants.snapshot import snapshot

DEFAULT_DAYS = 30
MAX_LIMIT = leaders.MAX_LIMIT
RECENT = 20


def _day(value: str | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name} must be a date YYYY-MM-DD", field=name) from None


def _today(session: Session, tenant_id: uuid.UUID) -> date:
    tz = ZoneInfo(snapshot(session, tenant_id).settings.timezone or "UTC")
    return now(session).astimezone(tz).date()


def get_metrics(
    session: Session,
    p: Principal,
    *,
    start: str | None = None,
    end: str | None = None,
    interval: str = "day",
) -> dict[str, Any]:
    """The figures of ``start..end`` (local days; default the last 30 days)."""
    last = _day(end, "to") or _today(session, p.tenant_id)
    first = _day(start, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise ValidationFailed("`from` is after `to`", field="from")
    try:
        result = service.overview(session, p.tenant_id, start=first, end=last, interval=interval)
    except ValidationFailed as exc:
        field = {"start": "from", "end": "to"}.get(exc.field or "", exc.field)
        raise ValidationFailed(exc.message, field=field) from None
    return as_json(result)


def program_liability(session: Session, p: Principal) -> dict[str, Any]:
    """Outstanding points now and what they are worth (the metrics service's
    definition: every effective journal entry up to now)."""
    today = _today(session, p.tenant_id)
    result = service.overview(session, p.tenant_id, start=today, end=today)
    return {
        "asOf": today.isoformat(),
        "outstandingPoints": result.outstanding_points,
        "pointValue": str(result.point_value),
        "liability": money_str(result.liability),
        "currency": result.currency,
        "totalMembers": result.total_members,
    }


def top_members(
    session: Session, p: Principal, *, by: str = "points", limit: int = 10
) -> dict[str, Any]:
    """The tenant's members ranked by points balance, spend (order totals less refunds)
    or referral conversions (``metrics.leaders``); ``limit`` 1..100."""
    members = []
    for member, value in leaders.top_members(session, p.tenant_id, by=by, limit=limit):
        entry = _member_brief(member)
        if by == "spend":
            entry["spend"] = money_str(Decimal(value))
        elif by == "referrals":
            entry["referralConversions"] = int(value)
        members.append(entry)
    return {"by": by, "limit": limit, "members": members}


def _member_brief(member: Member) -> dict[str, Any]:
    return {
        "id": render("mem", member.id),
        "email": member.email,
        "firstName": member.first_name,
        "lastName": member.last_name,
        "pointsBalance": member.points_balance,
    }


def member_summary(
    session: Session, p: Principal, *, member_id: str | None = None, email: str | None = None
) -> dict[str, Any]:
    """One member of the tenant by id (``mem_…``) or email: balance, tier, the last 20
    journal entries. Another tenant's member is not found, as an unknown one is."""
    if not member_id and not email:
        raise ValidationFailed("Give member_id or email", field="member_id")
    if member_id:
        uid = parse("mem", member_id.strip())
        if uid is None:
            raise NotFound("Member not found", field="member_id")
        member = members.get(session, p, member_id=uid, field="member_id")
    else:
        member = members.get_by_email(session, p, email=email or "")
    if member.erased_at is not None:
        raise NotFound("Member not found", field="member_id" if member_id else "email")
    tier = None
    if member.tier_id is not None:
        tier = session.scalars(
            select(Tier).where(Tier.tenant_id == p.tenant_id, Tier.id == member.tier_id)
        ).first()
    e = PointsEntry
    entries = session.scalars(
        select(e)
        .where(e.tenant_id == p.tenant_id, e.member_id == member.id)
        .order_by(e.created_at.desc(), e.id.desc())
        .limit(RECENT)
    ).all()
    return {
        **_member_brief(member),
        "status": member.status,
        "pendingPoints": member.pending_points,
        "lifetimePoints": member.lifetime_points,
        "pointsDebt": member.points_debt,
        "tier": None if tier is None else {"id": render("tier", tier.id), "name": tier.name},
        "enrolledAt": iso_z(member.enrolled_at),
        "recentLedger": [
            {
                "id": render("txn", x.id),
                "type": x.type,
                "amount": x.amount,
                "status": x.status,
                "balanceAfter": x.balance_after,
                "description": x.description,
                "createdAt": iso_z(x.created_at),
            }
            for x in entries
        ],
    }
