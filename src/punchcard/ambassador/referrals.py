"""Referral use cases: record clicks and conversions of referral codes, report on them."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.ambassador import payout
from punchcard.ambassador.repository import (
    CodeActivity,
    ReferralCodeRepository,
    ReferralEventRepository,
)
from punchcard.db.uow import now
from punchcard.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from punchcard.events import data
from punchcard.events import service as events
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.members import service as members
from punchcard.members.visibility import member_filter
from punchcard.models import Member, Order, ReferralCode, ReferralEvent, TrackingEvent
from punchcard.tenants.service import get_tenant
from punchcard.tracking import period

# Unambiguous when read aloud or off a receipt: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CLICK_EVENT = "referral_click"


@dataclass(frozen=True)
class Click:
    """A visit through a referral link (the core's input)."""

    code: str
    visitor_id: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ConversionInput:
    """A conversion to record: the referred member's id, the order by id (a UUID) or by
    your externalOrderId (a string), revenue defaulting to the order's net total."""

    code: str
    member_id: uuid.UUID | None = None
    order_ref: uuid.UUID | str | None = None
    revenue: Decimal | None = None


@dataclass(frozen=True)
class Conversion:
    event: ReferralEvent
    code: ReferralCode
    currency: str
    created: bool


# What a ``referral.converted`` event keeps of the conversion (``event_data``).
REFERRAL = (
    "id",
    "referred_member_id",
    "order_id",
    "order_ref",
    "revenue",
    "points",
    "created_at",
)


def generate_code(session: Session, tenant_id: uuid.UUID) -> str:
    """A fresh random code not yet used in the tenant (31^8 ≈ 8.5e11 codes)."""
    repo = ReferralCodeRepository(session, tenant_id)
    for _ in range(10):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not repo.taken(code):
            return code
    raise Conflict(
        "Could not generate a free referral code; retry", field="code"
    )  # pragma: no cover


def find_code(session: Session, principal: Principal, code: str) -> ReferralCode:
    found = ReferralCodeRepository(session, principal.tenant_id).find(code)
    if found is None:
        raise NotFound("Unknown referral code", field="code")
    return found


def record_click(
    session: Session, principal: Principal, *, data: Click
) -> tuple[ReferralEvent, ReferralCode]:
    """A visit through a referral link. The landing ``url`` is kept as a tracking event
    (``referral_click``), so referral traffic shows in the tracking stats by page."""
    code = find_code(session, principal, data.code)
    at = now(session)
    click = ReferralEventRepository(session, principal.tenant_id).add(
        ReferralEvent(
            id=new_id(),
            code_id=code.id,
            type="click",
            visitor_id=data.visitor_id,
            created_at=at,
        )
    )
    session.add(
        TrackingEvent(
            tenant_id=principal.tenant_id,
            id=new_id(),
            type=CLICK_EVENT,
            visitor_id=data.visitor_id,
            url=data.url,
            properties={"code": code.code},
            occurred_at=at,
            created_at=at,
        )
    )
    session.flush()
    return click, code


def convert(session: Session, principal: Principal, *, data: ConversionInput) -> Conversion:
    """Record that ``code`` brought a customer (and, with ``orderId``, a sale).

    One conversion per order id (the unique ``order_ref``; concurrent conversions of one
    order record one): the same order and code again returns the stored conversion
    (``created`` False); the same order with another code is a 409. An order not yet
    ingested is recorded by its externalOrderId (pending) and linked, and paid, when it
    arrives (``Follower.placed``); an ingested one pays the referrer now
    (``payout.pay``). Emits ``referral.converted``.
    """
    code = find_code(session, principal, data.code)
    currency = get_tenant(session, principal.tenant_id).currency
    repo = ReferralEventRepository(session, principal.tenant_id)
    order = None
    order_ref = None
    if data.order_ref is not None:
        order = repo.order(data.order_ref)
        if order is None and isinstance(data.order_ref, uuid.UUID):
            raise NotFound("Order not found", field="orderId")  # an id of ours: never pending
        order_ref = order.external_order_id if order is not None else str(data.order_ref)
    referred = None
    if data.member_id is not None:
        referred = members.get(session, principal, member_id=data.member_id, field="memberId").id
        if order is not None and order.member_id != referred:
            raise ValidationFailed("memberId is not the order's member", field="memberId")
    elif order is not None:
        referred = order.member_id
    if referred is not None:
        # The referred member before the referrer (``payout.pay``): the lock order of
        # order placement too, so the two never wait on each other in a cycle. It also
        # runs the conversions of one customer's orders one at a time.
        members.lock(session, principal, member_id=referred, field="memberId")
    if order_ref is not None:
        existing = repo.conversion_for_ref(order_ref)
        if existing is not None:
            return _again(existing, code, currency)
    if referred is not None and referred == code.member_id:
        raise Unprocessable(
            "A member cannot be referred by their own code", field="memberId", code="SELF_REFERRAL"
        )
    revenue = data.revenue
    if revenue is None:
        revenue = order.total - order.refunded_amount if order is not None else Decimal(0)
    event = ReferralEvent(
        tenant_id=principal.tenant_id,
        id=new_id(),
        code_id=code.id,
        type="conversion",
        referred_member_id=referred,
        order_id=order.id if order is not None else None,
        order_ref=order_ref,
        revenue=revenue,
        points=0,
        points_clawed_back=0,
        created_at=now(session),
    )
    if not _insert(session, event):
        assert order_ref is not None
        existing = repo.conversion_for_ref(order_ref)
        assert existing is not None
        return _again(existing, code, currency)
    if order is not None:
        payout.pay(session, principal, event, code, order)
    conversion = Conversion(event, code, currency, created=True)
    _emit(session, conversion)
    return conversion


def _again(existing: ReferralEvent, code: ReferralCode, currency: str) -> Conversion:
    """The order's stored conversion, when ``code`` recorded it; else a 409."""
    if existing.code_id != code.id:
        raise Conflict(
            "This order was already converted by another referral code",
            field="orderId",
            code="ORDER_ALREADY_CONVERTED",
        )
    return Conversion(existing, code, currency, created=False)


def _insert(session: Session, event: ReferralEvent) -> bool:
    """Insert the conversion; False when another transaction has just converted the
    same order id (the unique key refused it, in a savepoint so the request goes on)."""
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError:
        return False
    return True


def _emit(session: Session, conversion: Conversion) -> None:
    events.emit(
        session,
        conversion.event.tenant_id,
        "referral.converted",
        event_data(conversion),
        resource_id=events.lane("ref", conversion.event.id),
    )
    session.flush()


class Follower:
    """What an order's arrival and its refunds do to referrals (``orders.service``
    calls it in the order's transaction, with the buyer locked; registered by
    ``punchcard.wiring.wire``). Placing an order costs one indexed lookup here."""

    def placed(self, session: Session, principal: Principal, member: Member, order: Order) -> None:
        """Link the order's pending conversion and pay it; else, for a member who joined
        through a referral code, convert their first order (the loop closes by itself)."""
        repo = ReferralEventRepository(session, principal.tenant_id)
        joined_by = member.referred_by_code_id
        hits = repo.hits(order.external_order_id, member.id if joined_by else None)
        pending = next((e for e in hits if e.order_ref == order.external_order_id), None)
        if pending is not None:
            self._link(session, principal, pending, order)
        elif joined_by is not None and not hits:
            self._close_loop(session, principal, joined_by, order)

    def _link(
        self, session: Session, principal: Principal, event: ReferralEvent, order: Order
    ) -> None:
        if event.order_id is not None:  # pragma: no cover - one order per externalOrderId
            return
        code = ReferralEventRepository(session, principal.tenant_id).code_of(event)
        if order.member_id == code.member_id:
            # The order is the referrer's own: what ``convert`` refuses (SELF_REFERRAL)
            # is dropped when only the order's arrival shows it.
            session.delete(event)
            session.flush()
            return
        event.order_id = order.id
        event.referred_member_id = order.member_id
        if event.revenue == 0:
            event.revenue = order.total
        payout.pay(session, principal, event, code, order)

    def _close_loop(
        self, session: Session, principal: Principal, code_id: uuid.UUID, order: Order
    ) -> None:
        code = session.get(ReferralCode, (principal.tenant_id, code_id))
        if code is None or code.member_id == order.member_id:
            return
        event = ReferralEvent(
            tenant_id=principal.tenant_id,
            id=new_id(),
            code_id=code.id,
            type="conversion",
            referred_member_id=order.member_id,
            order_id=order.id,
            order_ref=order.external_order_id,
            revenue=order.total,
            points=0,
            points_clawed_back=0,
            created_at=now(session),
        )
        if not _insert(session, event):
            return  # a conversion of this order was recorded meanwhile: that one counts
        payout.pay(session, principal, event, code, order)
        currency = get_tenant(session, principal.tenant_id).currency
        _emit(session, Conversion(event, code, currency, created=True))

    def concerns(
        self,
        session: Session,
        principal: Principal,
        members: Sequence[Member],
        external_order_ids: Collection[str],
    ) -> bool:
        """A pending conversion of one of the orders, or a referred member not yet
        converted (one indexed lookup, only when there is something to look for)."""
        referred = {m.id for m in members if m.referred_by_code_id is not None}
        repo = ReferralEventRepository(session, principal.tenant_id)
        refs, converted = repo.batch_hits(external_order_ids, referred)
        return bool(refs) or bool(referred - converted)

    def refunded(self, session: Session, principal: Principal, order: Order) -> None:
        """Take back the referrer's points in proportion to the refund."""
        event = ReferralEventRepository(session, principal.tenant_id).conversion_for_ref(
            order.external_order_id
        )
        if event is not None and event.order_id == order.id:
            payout.claw_back(session, principal, event, order)


FOLLOWER = Follower()


def event_data(c: Conversion) -> dict[str, Any]:
    """``referral.converted``'s neutral data (``events.data``): the conversion, its code
    and the tenant's currency."""
    return {
        "referral": data.snapshot(c.event, REFERRAL),
        "code": data.snapshot(c.code, ("id", "code", "member_id")),
        "currency": c.currency,
    }


@dataclass(frozen=True)
class OneCode:
    code: ReferralCode
    clicks: int
    unique_visitors: int
    conversions: int
    revenue: Decimal


def code_stats(session: Session, principal: Principal, *, code: str) -> OneCode:
    """One code's clicks (all), unique visitors, conversions and revenue, all time."""
    found = find_code(session, principal, code)
    repo = ReferralEventRepository(session, principal.tenant_id)
    return OneCode(found, *repo.code_activity(found))


def stats(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    kind: str | None = None,
    member_id: uuid.UUID | None = None,
    first: date | None = None,
    last: date | None = None,
) -> tuple[list[CodeActivity], int, str]:
    """Clicks, conversions and revenue per code (all time unless ``first``/``last``)."""
    member_id = member_filter(principal, member_id)
    window = None
    if first is not None or last is not None:
        window = period.resolve(session, first, last, default_days=30)
    rows, total = ReferralCodeRepository(session, principal.tenant_id).activity(
        page, window=window, kind=kind, member_id=member_id
    )
    return rows, total, get_tenant(session, principal.tenant_id).currency


@dataclass(frozen=True)
class MemberLink:
    """A member's own referral code, its link and how it did (all time)."""

    code: str
    url: str
    clicks: int
    unique_visitors: int
    conversions: int
    revenue: Decimal


def member_link(
    session: Session, principal: Principal, *, member_id: uuid.UUID, public_url: str
) -> MemberLink | None:
    """The member's own referral link ``{public_url}/r/{code}`` with its clicks and
    conversions; None when the member has no code (a row written without one). Another
    member's id is NotFound for a member principal."""
    member = members.get(session, principal, member_id=member_id)
    if member.referral_code is None:
        return None
    found = ReferralCodeRepository(session, principal.tenant_id).find(member.referral_code)
    if found is None:
        return None
    clicks, visitors, conversions, revenue = ReferralEventRepository(
        session, principal.tenant_id
    ).code_activity(found)
    url = f"{public_url.rstrip('/')}/r/{found.code}"
    return MemberLink(found.code, url, clicks, visitors, conversions, revenue)
