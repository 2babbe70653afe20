"""Tiers (levels): evaluation and the member's tier view.

A member holds a lifetime tier (by lifetime points) and a period tier (by points
earned in the current period: calendar year, quarter or month in the tenant's
timezone). The tier shown on the member is the higher-positioned of the two.
A manually set tier (``tier_manual``) is honoured and never re-evaluated.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from punchcard.db.repository import by_id_or_key
from punchcard.db.uow import now
from punchcard.errors import Conflict, TierNotFound, ValidationFailed
from punchcard.events import data as event_data
from punchcard.events.service import emit, lane
from punchcard.identity.principal import Principal
from punchcard.kit import calendar
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.members import service as members
from punchcard.models import Member, PointsEntry, Tenant, Tier
from punchcard.tenants.snapshot import TenantSettings, TenantSnapshot, TierRule, snapshot
from punchcard.tiers.repository import CREDIT_TYPES, CREDITED, TierRepository
from punchcard.tiers.schemas import NewTier, TierChanges


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime


# The last period computed per (kind, timezone): every award evaluates the member's
# tier, and nearly all of them fall in the period the one before did.
_LAST_PERIOD: dict[tuple[str, str | None], Period] = {}


def current_period(tenant: Tenant | TenantSettings, at: datetime) -> Period:
    """The tier period containing ``at``, in the tenant's timezone, as UTC bounds."""
    kind = tenant.tier_period or "year"
    key = (kind, tenant.timezone)
    last = _LAST_PERIOD.get(key)
    if last is not None and at.tzinfo is not None and last.start <= at < last.end:
        return last
    start = calendar.period_start(kind, at, tenant.timezone)
    end = calendar.period_end(kind, at, tenant.timezone)
    assert start is not None and end is not None
    period = _LAST_PERIOD[key] = Period(start, end)
    return period


def counts_in_period(type_: str, amount: int, status: str) -> bool:
    """Whether a journal entry counts towards period points (``period_points``'s rule)."""
    if type_ in CREDIT_TYPES:
        return amount > 0 and status in CREDITED
    return type_ == "clawback" and status == "deducted"


def period_points(session: Session, member: Member, period: Period) -> int:
    """Points earned in the period, summed from the journal (see ``earned_in_period``
    for the running count that spares this)."""
    repo = TierRepository(session, member.tenant_id)
    return repo.period_points(member.id, period.start, period.end)


def earned_in_period(
    session: Session,
    member: Member,
    tenant: Tenant | TenantSettings,
    at: datetime,
    *,
    remember: bool,
) -> int:
    """Points earned in the period containing ``at``, without reading the journal when
    the member's running count (``period_points`` over ``[period_start, period_end)``)
    settles it: the count itself when it is for this period; 0 when it is for a period
    that ended before this one began (a change counted since would have moved it).
    Otherwise (never counted, or the tenant's period setting changed) the journal is
    summed once, and the result kept as the new count when ``remember`` (the member
    row must then be locked)."""
    period = current_period(tenant, at)
    start, end = member.period_start, member.period_end
    if start == period.start and end == period.end:
        return member.period_points
    if start is not None and end is not None and end <= period.start:
        points = 0
    else:
        points = period_points(session, member, period)
    if remember:
        member.period_start, member.period_end = period.start, period.end
        member.period_points = points
    return points


def count_period_points(session: Session, member: Member, entry: PointsEntry) -> None:
    """The ledger calls this when ``entry`` has just taken effect (an approved credit, an
    applied clawback) on the locked member: keep the running period count current."""
    if entry.decided_at is None or not counts_in_period(entry.type, entry.amount, entry.status):
        return
    start, end, at = member.period_start, member.period_end, entry.decided_at
    if start is None or end is None:
        return  # not counted yet: the next evaluation sums the journal
    if start <= at < end:
        member.period_points += entry.amount
        return
    period = current_period(snapshot(session, member.tenant_id).settings, at)
    if end <= period.start <= at < period.end:
        # The first change of a later period: nothing was counted since the last one ended.
        member.period_start, member.period_end = period.start, period.end
        member.period_points = entry.amount
    else:
        member.period_start = member.period_end = None
        member.period_points = 0


def active_tiers(session: Session, tenant_id: uuid.UUID) -> tuple[TierRule, ...]:
    """The tenant's active tiers, lowest first (from the tenant snapshot)."""
    return snapshot(session, tenant_id).active_tiers


def _best(tiers: tuple[TierRule, ...], kind: str, points: int) -> TierRule | None:
    eligible = [t for t in tiers if t.type == kind and t.min_points <= points]
    return max(eligible, key=lambda t: (t.position, t.min_points), default=None)


# An event to emit: type, payload, lane (``events.service.emit_many``'s rows).
Event = tuple[str, dict[str, Any], str]


def reevaluate(session: Session, member: Member, *, force: bool = False) -> None:
    """Recompute the member's period and lifetime tiers after an approved change or at
    a period boundary (downgrades included); emit tier.changed. A manually set tier is
    left alone."""
    change = evaluate(session, member, force=force)
    if change is not None:
        type_, payload, resource_id = change
        emit(session, member.tenant_id, type_, payload, resource_id=resource_id)


def evaluate(
    session: Session,
    member: Member,
    *,
    force: bool = False,
    config: TenantSnapshot | None = None,
) -> Event | None:
    """``reevaluate`` that returns the ``tier.changed`` event it calls for (None: the
    tier did not move) instead of emitting it: the ledger's bulk credit emits it with
    the batch's other events, in its place among them (and passes the tenant snapshot
    it holds as ``config``)."""
    if config is None:
        config = snapshot(session, member.tenant_id)
    # Keep the period count current whatever the tiers (the member's tier view shows it).
    earned = earned_in_period(session, member, config.settings, now(session), remember=True)
    if member.tier_manual and not force:
        return None
    tiers = config.active_tiers
    if not tiers and member.tier_id is None:
        return None
    lifetime = _best(tiers, "lifetime", member.lifetime_points)
    period = None
    if any(t.type == "period" for t in tiers):
        period = _best(tiers, "period", earned)
    candidates = [t for t in (lifetime, period) if t is not None]
    shown = max(candidates, key=lambda t: (t.position, t.min_points), default=None)
    if shown is None:
        shown = next((t for t in tiers if t.is_default), None)
    old = member.tier_id
    # Set only what moved: an unchanged member stays clean, so the next flush has
    # nothing of it to examine (the ledger writes its numbers with Core statements).
    for name, tier in (
        ("lifetime_tier_id", lifetime),
        ("period_tier_id", period),
        ("tier_id", shown),
    ):
        value = tier.id if tier else None
        if getattr(member, name) != value:
            setattr(member, name, value)
    if old != member.tier_id:
        return _change(member, old, shown)
    return None


def _change(member: Member, old: uuid.UUID | None, new: Tier | TierRule | None) -> Event:
    """The ``tier.changed`` event of the member moving from ``old`` to ``new``."""
    payload = {
        "member_id": str(member.id),
        "previous_tier_id": str(old) if old else None,
        "tier": event_data.snapshot(new, event_data.TIER) if new else None,
    }
    return "tier.changed", payload, lane("mem", member.id)


def _emit_change(
    session: Session, member: Member, old: uuid.UUID | None, new: Tier | TierRule | None
) -> None:
    type_, payload, resource_id = _change(member, old, new)
    emit(session, member.tenant_id, type_, payload, resource_id=resource_id)


def multiplier(session: Session, member: Member) -> TierRule | None:
    """The tier whose bonus multiplier applies to the member's earnings (from the
    tenant snapshot)."""
    if member.tier_id is None:
        return None
    return snapshot(session, member.tenant_id).tier(member.tier_id)


def current_tier(session: Session, member: Member) -> Tier | None:
    """The member's tier row (for rendering it in full)."""
    return TierRepository(session, member.tenant_id).by_id(member.tier_id)


# Levels CRUD and manual assignment -------------------------------------------------


def get_tier(
    session: Session,
    principal: Principal,
    *,
    tier_id: uuid.UUID | str,
    field: str = "tierId",
    not_found_is_400: bool = False,
    by_name: bool = False,
) -> Tier:
    """By id (a UUID) or the merchant's key (a string; with ``by_name``, a string that
    is no key is tried as the tier's name, case-insensitive). ``not_found_is_400``: the
    id is an input field of another resource, so an unknown one is a validation error
    there."""
    repo = TierRepository(session, principal.tenant_id)
    tier = by_id_or_key(tier_id, repo.by_id, repo.get_by_key)
    if tier is None and by_name and isinstance(tier_id, str):
        tier = repo.get_by_name(tier_id.strip())
    if tier is None:
        if not_found_is_400:
            raise ValidationFailed("Unknown tier", field=field)
        raise TierNotFound(field=field)
    return tier


def list_tiers(
    session: Session, principal: Principal, *, page: Page, type_: str | None = None
) -> tuple[list[Tier], int]:
    return TierRepository(session, principal.tenant_id).list_page(page, type_=type_)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:48] or "tier"


def _one_default(session: Session, tier: Tier) -> None:
    """Only one default tier per tenant."""
    if tier.is_default:
        for other in TierRepository(session, tier.tenant_id).other_defaults(tier):
            other.is_default = False


def create_tier(session: Session, principal: Principal, *, data: NewTier) -> Tier:
    at = now(session)
    key = data.key or _slug(data.name)
    repo = TierRepository(session, principal.tenant_id)
    if repo.key_taken(key):
        if data.key:
            raise Conflict("A tier with this key exists", field="key", code="DUPLICATE_TIER")
        key = f"{key}_{new_id().hex[-6:]}"
    tier = Tier(
        id=new_id(),
        key=key,
        name=data.name,
        description=data.description,
        type=data.type.value,
        position=data.position,
        min_points=data.min_points,
        multiplier=data.multiplier,
        is_active=data.is_active,
        is_default=data.is_default,
        created_at=at,
        updated_at=at,
    )
    repo.add(tier)
    _one_default(session, tier)
    session.flush()
    return tier


def update_tier(
    session: Session, principal: Principal, *, tier_id: uuid.UUID | str, data: TierChanges
) -> Tier:
    tier = get_tier(session, principal, tier_id=tier_id, field="id")
    for key, value in data.items():
        if value is None and key != "description":
            raise ValidationFailed(f"{key} cannot be null", field=key)
        setattr(tier, key, value.value if hasattr(value, "value") else value)
    tier.updated_at = now(session)
    _one_default(session, tier)
    session.flush()
    return tier


def set_member_tier(
    session: Session,
    principal: Principal,
    *,
    member_id: uuid.UUID,
    tier_id: uuid.UUID | str | None,
    field: str = "tierId",
    by_name: bool = False,
) -> Member:
    """Set a member's tier by hand (kept until cleared), or clear it (``None``) and go
    back to automatic evaluation. ``by_name``: ``tier_id`` may be the tier's name
    (:func:`get_tier`); an unknown tier is a 400 naming ``field``."""
    member = members.lock(session, principal, member_id=member_id)
    if tier_id is None:
        member.tier_manual = False
        reevaluate(session, member, force=True)
    else:
        tier = get_tier(
            session, principal, tier_id=tier_id, field=field, not_found_is_400=True, by_name=by_name
        )
        old = member.tier_id
        member.tier_manual = True
        member.tier_id = tier.id
        if tier.type == "lifetime":
            member.lifetime_tier_id = tier.id
        else:
            member.period_tier_id = tier.id
        if old != tier.id:
            _emit_change(session, member, old, tier)
    member.updated_at = now(session)
    session.flush()
    return member
