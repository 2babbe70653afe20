"""Earning rules and awarding them (one set of rules, shared by every face).

- ``fixed`` awards ``points`` (or ``points_passed``, which overrides it);
  ``bonus_multiplier`` awards ``floor(points_passed x multiplier)`` and needs
  ``points_passed`` (the base value, e.g. the order amount).
- The member's tier multiplier applies on top, floored.
- ``max_award_frequency`` per day/week/month/year (in the tenant's timezone) or lifetime.
- Approval: ``immediate`` (auto_approved), ``manual`` (pending until decided),
  ``monthly`` (pending until the start of next month; the worker approves it).
- A ``reference`` (the caller's order id) awards once: the same reference again
  returns the first award; it also records an order so returns can claw back.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any, TypedDict

from sqlalchemy.orm import Session

from punchcard.activities.repository import ActivityRepository
from punchcard.activities.schemas import ActivityKind, Approval, Frequency
from punchcard.db.repository import by_id_or_key
from punchcard.db.uow import now
from punchcard.errors import (
    ActivityNotFound,
    Conflict,
    NotFound,
    ReferenceUsed,
    Unprocessable,
    ValidationFailed,
)
from punchcard.identity.principal import Principal
from punchcard.kit import calendar
from punchcard.kit.bounds import MAX_POINTS
from punchcard.kit.ids import new_id
from punchcard.kit.money import to_money
from punchcard.kit.paging import Page
from punchcard.ledger import service as ledger
from punchcard.ledger.repository import LedgerRepository
from punchcard.members import service as members
from punchcard.models import Activity, Member, Order, PointsEntry
from punchcard.orders.repository import OrderRepository
from punchcard.stores import service as stores
from punchcard.tenants.snapshot import ActivityRule, TenantSettings, snapshot
from punchcard.tiers import service as tiers


class ActivityInactive(Unprocessable):
    code = "ACTIVITY_INACTIVE"
    default_message = "The activity is not active"


class FrequencyCapReached(Unprocessable):
    code = "FREQUENCY_CAP_REACHED"
    default_message = "The member has reached this activity's maximum award frequency"


@dataclass(frozen=True)
class NewActivity:
    """An earning rule to create; ``key`` defaults to a slug of ``name``."""

    name: str
    key: str | None = None
    description: str | None = None
    kind: ActivityKind = ActivityKind.fixed
    points: int = 0
    multiplier: Decimal = Decimal(1)
    max_award_frequency: int | None = None
    frequency_period: Frequency | None = None
    approval: Approval = Approval.immediate
    is_active: bool = True
    expiry_days: int | None = None


class ActivityChanges(TypedDict, total=False):
    """An earning rule's changes: absent keys are untouched."""

    name: str | None
    description: str | None
    kind: ActivityKind | None
    points: int | None
    multiplier: Decimal | None
    max_award_frequency: int | None
    frequency_period: Frequency | None
    approval: Approval | None
    is_active: bool | None
    expiry_days: int | None


@dataclass(frozen=True)
class Awarded:
    entry: PointsEntry
    member: Member
    activity: ActivityRule
    created: bool


def get(
    session: Session,
    principal: Principal,
    *,
    activity_id: uuid.UUID | str,
    field: str = "activityId",
) -> Activity:
    """By id (a UUID) or by the merchant's key (a string)."""
    repo = ActivityRepository(session, principal.tenant_id)
    activity = by_id_or_key(activity_id, repo.get, repo.get_by_key)
    if activity is None:
        raise ActivityNotFound(field=field)
    return activity


def rule(
    session: Session,
    principal: Principal,
    *,
    activity_id: uuid.UUID | str,
    field: str = "activityId",
) -> ActivityRule:
    """An earning rule as awards read it (from the tenant snapshot), by id or key."""
    config = snapshot(session, principal.tenant_id)
    found = by_id_or_key(activity_id, config.activity, config.activity_by_key)
    if found is None:
        raise ActivityNotFound(field=field)
    return found


def list_activities(
    session: Session, principal: Principal, *, page: Page, active: bool | None = None
) -> tuple[list[Activity], int]:
    return ActivityRepository(session, principal.tenant_id).list(page, active=active)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:48] or "activity"


def _check_rules(kind: str, frequency: int | None, period: str | None) -> None:
    if (frequency is None) != (period is None):
        raise ValidationFailed(
            "maxAwardFrequency and frequencyPeriod go together", field="frequencyPeriod"
        )
    _ = kind


def create(session: Session, principal: Principal, *, data: NewActivity) -> Activity:
    repo = ActivityRepository(session, principal.tenant_id)
    period = data.frequency_period.value if data.frequency_period else None
    _check_rules(data.kind.value, data.max_award_frequency, period)
    key = data.key or _slug(data.name)
    if repo.get_by_key(key) is not None:
        if data.key:
            raise Conflict(
                "An activity with this key exists", field="key", code="DUPLICATE_ACTIVITY"
            )
        key = f"{key}_{new_id().hex[-6:]}"
    at = now(session)
    return repo.add(
        Activity(
            id=new_id(),
            key=key,
            name=data.name,
            description=data.description,
            kind=data.kind.value,
            points=data.points,
            multiplier=data.multiplier,
            max_award_frequency=data.max_award_frequency,
            frequency_period=period,
            approval=data.approval.value,
            is_active=data.is_active,
            expiry_days=data.expiry_days,
            created_at=at,
            updated_at=at,
        )
    )


def update(
    session: Session, principal: Principal, *, activity_id: uuid.UUID | str, data: ActivityChanges
) -> Activity:
    activity = get(session, principal, activity_id=activity_id, field="id")
    changes: dict[str, Any] = dict(data)
    for required in ("name", "kind", "points", "multiplier", "approval", "is_active"):
        if required in changes and changes[required] is None:
            raise ValidationFailed(f"{required} cannot be null", field=required)
    for key, value in changes.items():
        setattr(activity, key, value.value if hasattr(value, "value") else value)
    _check_rules(activity.kind, activity.max_award_frequency, activity.frequency_period)
    activity.updated_at = now(session)
    session.flush()
    return activity


def base_points(activity: Activity | ActivityRule, points_passed: Decimal | None) -> int:
    """Points before the tier multiplier."""
    if activity.kind == "bonus_multiplier":
        if points_passed is None:
            raise ValidationFailed(
                "points_passed is required for a bonus multiplier activity", field="pointsPassed"
            )
        return int((points_passed * activity.multiplier).to_integral_value(rounding=ROUND_FLOOR))
    if points_passed is not None:
        return int(points_passed.to_integral_value(rounding=ROUND_FLOOR))
    return activity.points


def with_tier(session: Session, member: Member, points: int) -> int:
    tier = tiers.multiplier(session, member)
    if tier is None or tier.multiplier == 1:
        return points
    return int((Decimal(points) * tier.multiplier).to_integral_value(rounding=ROUND_FLOOR))


def _check_frequency(
    session: Session, tenant: TenantSettings, member: Member, activity: ActivityRule
) -> None:
    if activity.max_award_frequency is None or activity.frequency_period is None:
        return
    since = calendar.period_start(activity.frequency_period, now(session), tenant.timezone)
    repo = ActivityRepository(session, member.tenant_id)
    if repo.awards_since(member.id, activity.id, since) >= activity.max_award_frequency:
        raise FrequencyCapReached(
            f"At most {activity.max_award_frequency} award(s) per {activity.frequency_period}",
            field="activityId",
        )


def award(
    session: Session,
    principal: Principal,
    *,
    member_id: uuid.UUID,
    activity_id: uuid.UUID | str,
    points_passed: Decimal | int | None = None,
    reference: str | None = None,
    description: str | None = None,
    store_id: uuid.UUID | str | None = None,
) -> Awarded:
    """Award an activity to a member, once per ``reference`` when one is given."""
    # The member is locked first: the lock reads the configuration version, so the
    # rule comes from the tenant snapshot with no statement of its own. Its NotFound
    # still comes after the activity's, the points' and the store's, as it always has.
    try:
        member: Member | None = members.lock(
            session, principal, member_id=member_id, field="memberId"
        )
        missing: NotFound | None = None
    except NotFound as exc:
        member, missing = None, exc
    activity = rule(session, principal, activity_id=activity_id)
    passed = None if points_passed is None else Decimal(points_passed)
    if passed is not None and not (passed.is_finite() and passed <= MAX_POINTS):
        # Checked before anything reads it: an order's total is made of it (and
        # overflowed the money bounds with a 500 when an order_id came with it).
        raise ValidationFailed(f"points_passed must be at most {MAX_POINTS}", field="pointsPassed")
    if passed is not None and passed < 0:
        raise ValidationFailed("points_passed must not be negative", field="pointsPassed")
    store = stores.resolve(session, principal, store_id)
    if missing is not None:
        raise missing
    assert member is not None
    orders = OrderRepository(session, principal.tenant_id)
    if reference is not None:
        existing = orders.get_by_external(reference, refresh=True)
        if existing is not None:
            first = _first_award(session, existing)
            if first is None or existing.member_id != member.id:
                raise ReferenceUsed(field="reference")
            return Awarded(first, member, activity, created=False)
    if not activity.is_active:
        raise ActivityInactive(field="activityId")
    config = snapshot(session, principal.tenant_id)
    tenant = config.settings
    _check_frequency(session, tenant, member, activity)
    points = with_tier(session, member, base_points(activity, passed))
    if points <= 0:
        raise ValidationFailed("The award comes to 0 points", field="pointsPassed")
    # Before the order row: the tenant's maximum per award, named by what set the points.
    ledger.check_limit(config, points, field="pointsPassed" if passed is not None else "amount")
    order_id = None
    at = now(session)
    if reference is not None:
        total = to_money(passed if passed is not None else 0)
        order = orders.add(
            Order(
                id=new_id(),
                external_order_id=reference,
                member_id=member.id,
                store_id=store.id if store else None,
                channel="activity",
                total=total,
                currency=tenant.currency,
                items=[],
                status="paid",
                points_awarded=points,
                points_clawed_back=0,
                refunded_amount=Decimal(0),
                body_hash=hashlib.sha256(f"{activity.id}:{passed}".encode()).hexdigest(),
                placed_at=at,
                created_at=at,
                updated_at=at,
            )
        )
        order_id = order.id
    entry = ledger.credit(
        session,
        member,
        amount=points,
        refs=ledger.Refs(
            description=description or activity.name,
            activity_id=activity.id,
            order_id=order_id,
            store_id=store.id if store else None,
        ),
        pending=activity.approval != "immediate",
        status="auto_approved",
        expiry_days=activity.expiry_days,
        reference=reference,
    )
    return Awarded(entry, member, activity, created=True)


def _first_award(session: Session, order: Order) -> PointsEntry | None:
    entries = LedgerRepository(session, order.tenant_id).entries_for_order(order.id)
    return next((e for e in entries if e.type == "award"), None)
