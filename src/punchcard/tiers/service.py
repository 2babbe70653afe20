"""Tiers (levels): evaluation and the member's tier view.

A member holds a lifetime tier (by lifetime points) and a period tier (by points
earned in the current period: calendar year, quarter or month in the tenant's
timezone). The tier shown on the member is the higher-positioned of the two.
A manually set tier (``tier_manual``) is honoured and never re-evaluated.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.events.service import emit
from punchcard.models import Member, PointsEntry, Tenant, Tier


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


def current_period(tenant: Tenant, at: datetime) -> Period:
    """The tier period containing ``at``, in the tenant's timezone, as UTC bounds."""
    tz = ZoneInfo(tenant.timezone or "UTC")
    local = at.astimezone(tz)
    kind = tenant.tier_period or "year"
    if kind == "month":
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (
            start.replace(year=start.year + 1, month=1)
            if start.month == 12
            else start.replace(month=start.month + 1)
        )
    elif kind == "quarter":
        first = 3 * ((local.month - 1) // 3) + 1
        start = local.replace(month=first, day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (
            start.replace(year=start.year + 1, month=1)
            if first == 10
            else start.replace(month=first + 3)
        )
    else:
        start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        end = start.replace(year=start.year + 1)
    return Period(start.astimezone(UTC), end.astimezone(UTC))


def period_points(session: Session, member: Member, period: Period) -> int:
    """Approved points earned in the period, net of clawbacks in it."""
    stmt = select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(
        PointsEntry.tenant_id == member.tenant_id,
        PointsEntry.member_id == member.id,
        PointsEntry.decided_at >= period.start,
        PointsEntry.decided_at < period.end,
        (
            (
                PointsEntry.type.in_(("award", "adjust"))
                & PointsEntry.status.in_(("approved", "auto_approved"))
                & (PointsEntry.amount > 0)
            )
            | (PointsEntry.type == "clawback")
        ),
    )
    return int(session.scalar(stmt) or 0)


def active_tiers(session: Session, tenant_id: uuid.UUID) -> list[Tier]:
    stmt = (
        select(Tier)
        .where(Tier.tenant_id == tenant_id, Tier.is_active.is_(True))
        .order_by(Tier.position, Tier.min_points)
    )
    return list(session.scalars(stmt))


def _best(tiers: list[Tier], kind: str, points: int) -> Tier | None:
    eligible = [t for t in tiers if t.type == kind and t.min_points <= points]
    return max(eligible, key=lambda t: (t.position, t.min_points), default=None)


def reevaluate(session: Session, member: Member) -> None:
    """Recompute the member's tiers after an approved change; emit tier.changed."""
    if member.tier_manual:
        return
    tiers = active_tiers(session, member.tenant_id)
    if not tiers:
        return
    tenant = session.get(Tenant, member.tenant_id)
    assert tenant is not None
    lifetime = _best(tiers, "lifetime", member.lifetime_points)
    period = None
    if any(t.type == "period" for t in tiers):
        period = _best(
            tiers, "period", period_points(session, member, current_period(tenant, now(session)))
        )
    candidates = [t for t in (lifetime, period) if t is not None]
    shown = max(candidates, key=lambda t: (t.position, t.min_points), default=None)
    if shown is None:
        shown = next((t for t in tiers if t.is_default), None)
    old = member.tier_id
    member.lifetime_tier_id = lifetime.id if lifetime else None
    member.tier_id = shown.id if shown else None
    if old != member.tier_id:
        emit(
            session,
            member.tenant_id,
            "tier.changed",
            {
                "memberId": f"mem_{member.id.hex}",
                "previousTierId": f"tier_{old.hex}" if old else None,
                "tier": {"id": f"tier_{shown.id.hex}", "name": shown.name} if shown else None,
            },
            resource_id=f"mem_{member.id.hex}",
        )


def multiplier(session: Session, member: Member) -> Tier | None:
    """The tier whose bonus multiplier applies to the member's earnings."""
    if member.tier_id is None:
        return None
    return session.get(Tier, (member.tenant_id, member.tier_id))
