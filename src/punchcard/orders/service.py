"""Orders earn points; refunds claw them back in proportion.

Orders are idempotent by ``externalOrderId`` (same body: the stored order, nothing
re-awarded; another body: 409) and refunds by ``refundId``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import (
    Conflict,
    DuplicateOrder,
    NotFound,
    PointsLimitExceeded,
    RefundExceedsOrder,
    Unprocessable,
    ValidationFailed,
)
from punchcard.events import data as event_data
from punchcard.events.service import emit, lane
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.ledger import service as ledger
from punchcard.ledger.repository import LedgerRepository
from punchcard.members import service as members
from punchcard.members.visibility import member_filter
from punchcard.models import Member, Order, PointsEntry, Refund, Store
from punchcard.models.base import row_of
from punchcard.orders.repository import OrderRepository
from punchcard.stores import service as stores
from punchcard.tenants.service import PURCHASE_ACTIVITY
from punchcard.tenants.snapshot import ActivityRule, TenantSettings, TierRule, snapshot
from punchcard.tiers import service as tiers


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool
    balance: int


@dataclass(frozen=True)
class OrderLine:
    price: Decimal
    quantity: int = 1
    # Lines marked false (gift cards, tax, shipping) earn nothing.
    eligible: bool = True
    sku: str | None = None
    product_id: str | None = None
    name: str | None = None

    def stored(self) -> dict[str, object]:
        """The line as ``orders.items`` keeps it (and the native face shows it)."""
        return {
            "sku": self.sku,
            "productId": self.product_id,
            "name": self.name,
            "quantity": self.quantity,
            "price": str(self.price),
            "eligible": self.eligible,
        }


@dataclass(frozen=True)
class NewOrder:
    """An order to ingest for ``member_id``. ``fingerprint`` identifies the body as the
    face received it: the same order sent again carries the same one, and one sent
    again with another fingerprint is a conflict. ``store_id``: a store id or code."""

    external_order_id: str
    member_id: uuid.UUID
    total: Decimal
    fingerprint: str
    store_id: uuid.UUID | str | None = None
    channel: str = "online"
    currency: str | None = None
    items: Sequence[OrderLine] = ()
    eligible_amount: Decimal | None = None
    placed_at: datetime | None = None


@dataclass(frozen=True)
class RefundRequest:
    """All of what is left of an order (``amount`` None) or part of it, once per
    ``refund_id`` when one is given."""

    amount: Decimal | None = None
    refund_id: str | None = None
    reason: str | None = None


class Follower(Protocol):
    """What a package above this one does when an order is placed or refunded, in the
    order's transaction with its member locked (``ambassador.referrals.Follower``: the
    referral conversion an order closes, and its clawback). Stated here, and called
    back, because ``ambassador`` pays through ``activities``, which sits above orders."""

    def placed(
        self, session: Session, principal: Principal, member: Member, order: Order
    ) -> None: ...

    def refunded(self, session: Session, principal: Principal, order: Order) -> None: ...

    def concerns(
        self,
        session: Session,
        principal: Principal,
        members: Sequence[Member],
        external_order_ids: Collection[str],
    ) -> bool:
        """Whether placing these orders (of these members) would call ``placed`` for
        anything: a batch that would is placed row by row."""
        ...


# Filled by ``punchcard.wiring.wire`` (every entry point calls it; the one list of
# followers is there). ``None`` until then: placing or refunding an order in a process
# that never wired would silently skip what the followers owe (a referrer unpaid), so
# it raises instead.
_FOLLOWERS: list[Follower] | None = None


class NotWired(RuntimeError):
    """An order was placed or refunded before ``punchcard.wiring.wire`` ran: a programming
    error of the entry point (not the caller's input), so not a ``PunchcardError``."""


def follow(follower: Follower) -> None:
    """Have ``follower`` called on every order placed and refunded (once, however often
    it is registered). Only ``punchcard.wiring`` calls it."""
    global _FOLLOWERS
    if _FOLLOWERS is None:
        _FOLLOWERS = []
    if follower not in _FOLLOWERS:
        _FOLLOWERS.append(follower)


def followers() -> tuple[Follower, ...]:
    """The registered followers, in the order they are called; ``NotWired`` if none has
    been (the process's entry point did not call ``punchcard.wiring.wire``)."""
    if _FOLLOWERS is None:
        raise NotWired(
            "order followers are not wired: call punchcard.wiring.wire() at the entry point "
            "(create_app, the CLI, the worker and punchcard.imports do)"
        )
    return tuple(_FOLLOWERS)


def followers_concerned(
    session: Session,
    principal: Principal,
    members: Sequence[Member],
    external_order_ids: Collection[str],
) -> bool:
    """Whether a follower has work on these orders (``orders.batch`` asks)."""
    return any(f.concerns(session, principal, members, external_order_ids) for f in followers())


def check_currency(data: NewOrder, settings: TenantSettings) -> None:
    """422 naming ``currency`` for an order in another currency than the tenant's: with
    no conversion rates, earning 1:1 on it would mint the wrong number of points."""
    if data.currency is not None and data.currency.upper() != settings.currency.upper():
        raise Unprocessable(
            f"currency {data.currency} is not the program's currency ({settings.currency}); "
            "orders in other currencies are refused until conversion rates exist",
            code="CURRENCY_MISMATCH",
            field="currency",
        )


def check_points(points: int, settings: TenantSettings) -> None:
    """422 POINTS_LIMIT_EXCEEDED naming ``total`` for an order that would earn more
    than the tenant's ``max_points_per_award`` (before anything is written)."""
    if points > settings.max_points_per_award:
        raise PointsLimitExceeded(
            f"The order would earn {points} points, more than the maximum of "
            f"{settings.max_points_per_award} per award (maxPointsPerAward)",
            field="total",
            extra={"maxPointsPerAward": settings.max_points_per_award},
        )


def eligible_amount(data: NewOrder) -> Decimal:
    if data.eligible_amount is not None:
        if data.eligible_amount > data.total:
            raise ValidationFailed("eligibleAmount cannot exceed total", field="eligibleAmount")
        return data.eligible_amount
    if data.items:
        items = sum((i.price * i.quantity for i in data.items if i.eligible), Decimal(0))
        return min(items, data.total)
    return data.total


def points_for(
    session: Session, member: Member, amount: Decimal
) -> tuple[int, ActivityRule | None]:
    """floor(eligible amount x points per currency unit x tier multiplier x activity multiplier)."""
    config = snapshot(session, member.tenant_id)
    activity = config.system_activity(PURCHASE_ACTIVITY)
    if activity is None or not activity.is_active:
        return 0, activity
    tier = tiers.multiplier(session, member)
    return earned(amount, settings=config.settings, tier=tier, activity=activity), activity


def earned(
    amount: Decimal,
    *,
    settings: TenantSettings,
    tier: TierRule | None,
    activity: ActivityRule | None,
) -> int:
    """``points_for`` with its inputs read (by ``points_for``, or once for a batch)."""
    if activity is None or not activity.is_active:
        return 0
    tier_mult = tier.multiplier if tier is not None else Decimal(1)
    raw = amount * settings.points_per_currency_unit * tier_mult * activity.multiplier
    # Floor: a member never earns a point the rule did not fully pay for.
    return int(raw.to_integral_value(rounding=ROUND_FLOOR))


def place(session: Session, principal: Principal, *, data: NewOrder) -> Placed:
    """Ingest an order and award its points, exactly once per external order id."""
    following = followers()  # before any write: unwired, the order is refused whole
    # Lock the member first: concurrent posts of one order then run one at a time and
    # the second one sees the first's order.
    member = members.lock(session, principal, member_id=data.member_id, field="memberId")
    repo = OrderRepository(session, principal.tenant_id)
    existing = repo.get_by_external(data.external_order_id, refresh=True)
    if existing is not None:
        refuse_other_body(existing, data)
        return Placed(existing, False, member.points_balance)
    store = stores.resolve(session, principal, data.store_id)
    config = snapshot(session, principal.tenant_id)
    check_currency(data, config.settings)
    at = now(session)
    amount = eligible_amount(data)
    points, activity = points_for(session, member, amount)
    check_points(points, config.settings)
    order = repo.add(new_order(data, member, store, config.settings, at, points))
    award(session, member, order, activity)
    member.last_activity_at = at
    session.flush()
    type_, payload, resource_id = order_created(order)
    emit(session, principal.tenant_id, type_, payload, resource_id=resource_id)
    for follower in following:
        follower.placed(session, principal, member, order)
    return Placed(order, True, member.points_balance)


# The steps of ``place`` that ``orders.batch`` shares, so one order and a batch of them
# follow the same rules.


def refuse_other_body(existing: Order, data: NewOrder) -> None:
    """409 DUPLICATE_ORDER when ``data`` is another body under an existing order's id."""
    if existing.body_hash != data.fingerprint:
        raise DuplicateOrder(
            "An order with this externalOrderId exists with a different body",
            field="externalOrderId",
            extra={"existingId": existing.id},
        )


def new_order(
    data: NewOrder,
    member: Member,
    store: Store | None,
    tenant: TenantSettings,
    at: datetime,
    points: int,
) -> Order:
    # Every column, without the ORM's attribute events: a batch makes 500 of these.
    return row_of(
        Order,
        dict(
            tenant_id=tenant.id,
            id=new_id(),
            external_order_id=data.external_order_id,
            member_id=member.id,
            store_id=store.id if store else None,
            channel=data.channel,
            total=data.total,
            currency=data.currency or tenant.currency,
            items=[i.stored() for i in data.items],
            status="paid",
            points_awarded=points,
            points_clawed_back=0,
            refunded_amount=Decimal(0),
            body_hash=data.fingerprint,
            placed_at=data.placed_at or at,
            created_at=at,
            updated_at=at,
        ),
    )


def award(
    session: Session,
    member: Member,
    order: Order,
    activity: ActivityRule | None,
    *,
    credits: ledger.Credits | None = None,
) -> None:
    """Credit the order's points (if any) through the ledger: at once, or queued on a
    batch's ``credits`` (``ledger.Credits``, written together)."""
    if order.points_awarded <= 0:
        return
    refs = ledger.Refs(
        description=f"Order {order.external_order_id}",
        order_id=order.id,
        store_id=order.store_id,
        activity_id=getattr(activity, "id", None),
    )
    expiry_days = getattr(activity, "expiry_days", None)
    # Orders earn through the built-in purchase rule, so its approval applies.
    pending = getattr(activity, "approval", "immediate") != "immediate"
    amount = order.points_awarded
    if credits is not None:
        credits.add(
            member,
            amount=amount,
            refs=refs,
            expiry_days=expiry_days,
            pending=pending,
            status="auto_approved",
        )
        return
    ledger.credit(
        session,
        member,
        amount=amount,
        refs=refs,
        expiry_days=expiry_days,
        pending=pending,
        status="auto_approved",
    )


def order_created(order: Order) -> tuple[str, dict[str, Any], str]:
    """The ``order.created`` event: type, payload, lane."""
    return "order.created", {"order": event_data.order(order)}, lane("ord", order.id)


def get_by_external(session: Session, principal: Principal, *, external_order_id: str) -> Order:
    order = OrderRepository(session, principal.tenant_id).get_by_external(external_order_id)
    if order is None:
        raise NotFound("Order not found", field="externalOrderId")
    return order


@dataclass(frozen=True)
class OrderEffects:
    """What an order did: the ledger entries it wrote (award, clawbacks) and its
    refunds, oldest first."""

    entries: list[PointsEntry]
    refunds: list[Refund]


def effects(session: Session, principal: Principal, *, order: Order) -> OrderEffects:
    """The ledger entries and refunds of ``order`` (one of the caller's tenant)."""
    if order.tenant_id != principal.tenant_id:
        raise NotFound("Order not found", field="externalOrderId")
    return OrderEffects(
        entries=LedgerRepository(session, principal.tenant_id).entries_for_order(order.id),
        refunds=OrderRepository(session, principal.tenant_id).refunds(order.id),
    )


def member_emails(
    session: Session, principal: Principal, orders: Sequence[Order]
) -> dict[uuid.UUID, str | None]:
    """The email of each order's member (a list shows who placed what)."""
    return OrderRepository(session, principal.tenant_id).member_emails(
        {o.member_id for o in orders}
    )


def list_orders(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    member_id: uuid.UUID | None = None,
    store_id: uuid.UUID | str | None = None,
    status: str | None = None,
    external_order_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[Order], int]:
    member_id = member_filter(principal, member_id)
    store = stores.resolve(session, principal, store_id)
    return OrderRepository(session, principal.tenant_id).list(
        page,
        member_id=member_id,
        store_id=store.id if store else None,
        status=status,
        external_order_id=external_order_id,
        since=since,
        until=until,
    )


def clawback_target(order: Order, refunded: Decimal) -> int:
    """Points the order must have given back once ``refunded`` of it is refunded.

    The points are recomputed on what remains (ShopSocially's rule): the member keeps
    ``floor(points x remaining / total)``, so several partial refunds never drift from
    one refund of the same total, and a full refund takes back exactly what was earned.
    """
    if order.total <= 0 or refunded >= order.total:
        return order.points_awarded
    keep = Decimal(order.points_awarded) * (order.total - refunded) / order.total
    return order.points_awarded - int(keep.to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class Refunded:
    order: Order
    member: Member
    points_clawed_back: int
    balance: int
    entry: PointsEntry | None = None
    """The clawback the refund wrote (on a replayed ``refundId``, the order's latest
    one); None when it clawed nothing back."""


def refund(
    session: Session, principal: Principal, *, external_order_id: str, data: RefundRequest
) -> Refunded:
    """Refund all or part of an order and claw back its points in proportion."""
    following = followers()  # before any write, as in ``place``
    found = get_by_external(session, principal, external_order_id=external_order_id)
    member = members.lock(session, principal, member_id=found.member_id)
    repo = OrderRepository(session, principal.tenant_id)
    # Re-read under the member lock: a concurrent refund may have just committed.
    order = repo.get_by_external(external_order_id, refresh=True)
    assert order is not None
    if data.refund_id is not None:
        previous = repo.refund_by_key(order.id, data.refund_id)
        if previous is not None:
            if data.amount is not None and data.amount != previous.amount:
                raise Conflict(
                    "This refundId was used with another amount",
                    field="refundId",
                    code="DUPLICATE_REFUND",
                )
            entry = None
            if previous.points_clawed_back > 0:
                clawbacks = [
                    e
                    for e in LedgerRepository(session, order.tenant_id).entries_for_order(order.id)
                    if e.type == "clawback"
                ]
                entry = clawbacks[-1] if clawbacks else None
            return Refunded(
                order, member, previous.points_clawed_back, member.points_balance, entry
            )
    left = order.total - order.refunded_amount
    amount = data.amount if data.amount is not None else left
    if left <= 0:
        raise RefundExceedsOrder("The order is already fully refunded", field="amount")
    if amount > left:
        raise RefundExceedsOrder(f"amount exceeds what is left to refund ({left})", field="amount")
    refunded = order.refunded_amount + amount
    claw = max(clawback_target(order, refunded) - order.points_clawed_back, 0)
    entry = None
    if claw > 0:
        awards = [
            e
            for e in LedgerRepository(session, order.tenant_id).entries_for_order(order.id)
            if e.type == "award"
        ]
        entry = ledger.clawback(
            session,
            member,
            amount=claw,
            refs=ledger.Refs(
                description=f"Refund of order {order.external_order_id}",
                order_id=order.id,
                store_id=order.store_id,
            ),
            # The award is still awaiting approval: so is the deduction.
            pending=any(e.status == "pending" for e in awards),
        )
    at = now(session)
    order.refunded_amount = refunded
    order.points_clawed_back += claw
    order.status = "refunded" if refunded == order.total else "partially_refunded"
    order.updated_at = at
    session.add(
        Refund(
            tenant_id=principal.tenant_id,
            id=new_id(),
            order_id=order.id,
            refund_key=data.refund_id,
            amount=amount,
            reason=data.reason,
            points_clawed_back=claw,
            created_at=at,
        )
    )
    session.flush()
    payload = {
        "order": event_data.order(order),
        "refund_amount": event_data.value(amount),
        "points_clawed_back": claw,
    }
    emit(session, principal.tenant_id, "order.refunded", payload, resource_id=lane("ord", order.id))
    for follower in following:
        follower.refunded(session, principal, order)
    return Refunded(order, member, claw, member.points_balance, entry)
