"""Referrals that pay: the referrer's ``referral`` award, the friend's
``referral_welcome`` award, and the clawback when a converted order is refunded.

- The referrer earns through the earning-rules engine (``activities.award``): the
  merchant sets the amount, frequency cap, approval and expiry of the activity whose key
  is ``referral`` with the existing activities endpoints. A tenant without one gets it on
  first use: ``fixed``, :data:`DEFAULT_REFERRAL_POINTS` points, immediate, no cap (a
  merchant who wants other terms creates or edits the activity with that key).
- The friend (the referred member) earns through the activity whose key is
  ``referral_welcome`` when there is one and it is active: none is created, so the
  welcome reward is off until the merchant creates it.
- A conversion pays once: when it is recorded against an ingested order, or when the
  order of a pending one arrives. A capped, inactive or zero-point rule records the
  conversion with 0 points rather than refusing it.
- A refund of the converted order takes back the referrer's award in proportion to the
  refunded share (``orders.service.clawback_target``'s rule); while the award still
  awaits approval, a full refund rejects it instead and a partial one leaves it.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.activities import service as activities
from punchcard.db.uow import now
from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.ledger import service as ledger
from punchcard.members import service as members
from punchcard.models import Activity, Member, Order, PointsEntry, ReferralCode, ReferralEvent
from punchcard.tenants.snapshot import ActivityRule, snapshot

REFERRAL_ACTIVITY = "referral"
WELCOME_ACTIVITY = "referral_welcome"
# A fresh program pays: the points a referrer earns per conversion until the merchant
# changes the ``referral`` activity.
DEFAULT_REFERRAL_POINTS = 100


def referral_rule(session: Session, principal: Principal) -> ActivityRule:
    """The tenant's ``referral`` activity, created with the defaults on first use."""
    tenant_id = principal.tenant_id
    config = snapshot(session, tenant_id)
    found = config.system_activity(REFERRAL_ACTIVITY) or config.activity_by_key(REFERRAL_ACTIVITY)
    if found is not None:
        return found
    at = now(session)
    try:
        # A savepoint: another transaction creating it at the same time wins the
        # unique key, and this one reads theirs instead of failing.
        with session.begin_nested():
            session.add(
                Activity(
                    tenant_id=tenant_id,
                    id=new_id(),
                    key=REFERRAL_ACTIVITY,
                    name="Referred a customer",
                    description="Points for each customer a member's referral code brings",
                    kind="fixed",
                    points=DEFAULT_REFERRAL_POINTS,
                    multiplier=Decimal(1),
                    approval="immediate",
                    is_active=True,
                    system_key=REFERRAL_ACTIVITY,
                    created_at=at,
                    updated_at=at,
                )
            )
            session.flush()
    except IntegrityError:
        pass
    config = snapshot(session, tenant_id)
    found = config.system_activity(REFERRAL_ACTIVITY) or config.activity_by_key(REFERRAL_ACTIVITY)
    assert found is not None
    return found


def _award(
    session: Session, principal: Principal, member: Member, rule: ActivityRule, description: str
) -> PointsEntry | None:
    """The rule's award to ``member``, or None when the rule pays nothing now."""
    if not rule.is_active:
        return None
    try:
        awarded = activities.award(
            session, principal, member_id=member.id, activity_id=rule.id, description=description
        )
    except activities.FrequencyCapReached:
        return None
    except ValidationFailed as exc:
        if exc.field != "pointsPassed":  # "the award comes to 0 points"
            raise
        return None
    return awarded.entry


def pay(
    session: Session,
    principal: Principal,
    event: ReferralEvent,
    code: ReferralCode,
    order: Order,
) -> None:
    """Pay the conversion of ``order`` (ingested, not the referrer's own): the referrer's
    ``referral`` award and the friend's ``referral_welcome`` one. The caller holds the
    order's member lock (taken before the referrer's, the one lock order everywhere)."""
    rule = referral_rule(session, principal)
    referrer = members.lock(session, principal, member_id=code.member_id)
    description = f"Referral: order {order.external_order_id}"
    entry = _award(session, principal, referrer, rule, description)
    if entry is not None:
        event.points = entry.amount
        event.points_entry_id = entry.id
    welcome = snapshot(session, principal.tenant_id).activity_by_key(WELCOME_ACTIVITY)
    if welcome is not None and order.member_id != code.member_id:
        friend = members.lock(session, principal, member_id=order.member_id)
        _award(session, principal, friend, welcome, f"Welcome: referred by {code.code}")
    session.flush()


def claw_back(session: Session, principal: Principal, event: ReferralEvent, order: Order) -> None:
    """Take back the referrer's award in proportion to what of ``order`` is refunded."""
    if event.points_entry_id is None or event.points <= 0:
        return
    entry = session.get(PointsEntry, (principal.tenant_id, event.points_entry_id))
    if entry is None:  # pragma: no cover - the journal is append-only
        return
    code = session.get(ReferralCode, (principal.tenant_id, event.code_id))
    assert code is not None
    referrer = members.lock(session, principal, member_id=code.member_id)
    if entry.status == "pending":
        if order.refunded_amount >= order.total:
            ledger.reject(session, referrer, entry)
            event.points_clawed_back = event.points
        return
    if entry.status not in ("approved", "auto_approved"):
        return
    if order.total <= 0 or order.refunded_amount >= order.total:
        target = event.points
    else:
        keep = Decimal(event.points) * (order.total - order.refunded_amount) / order.total
        target = event.points - int(keep.to_integral_value(rounding=ROUND_FLOOR))
    claw = target - event.points_clawed_back
    if claw <= 0:
        return
    ledger.clawback(
        session,
        referrer,
        amount=claw,
        refs=ledger.Refs(
            description=f"Refund of referred order {order.external_order_id}",
            activity_id=entry.activity_id,
        ),
    )
    event.points_clawed_back += claw
    session.flush()
