"""Referral use cases: record clicks and conversions of referral codes, report on them."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

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
from punchcard.models import ReferralCode, ReferralEvent, TrackingEvent
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
REFERRAL = ("id", "referred_member_id", "order_id", "revenue", "points", "created_at")


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

    One conversion per order: the same order and code again returns the stored
    conversion (``created`` False); the same order with another code is a 409.
    Emits ``referral.converted``.
    """
    code = find_code(session, principal, data.code)
    currency = get_tenant(session, principal.tenant_id).currency
    repo = ReferralEventRepository(session, principal.tenant_id)
    order = None
    if data.order_ref is not None:
        order = repo.order(data.order_ref)
        if order is None:
            raise NotFound("Order not found", field="orderId")
        existing = repo.conversion_for_order(order.id)
        if existing is not None:
            if existing.code_id != code.id:
                raise Conflict(
                    "This order was already converted by another referral code",
                    field="orderId",
                    code="ORDER_ALREADY_CONVERTED",
                )
            return Conversion(existing, code, currency, created=False)
    referred = None
    if data.member_id is not None:
        referred = members.get(session, principal, member_id=data.member_id, field="memberId").id
        if order is not None and order.member_id != referred:
            raise ValidationFailed("memberId is not the order's member", field="memberId")
    elif order is not None:
        referred = order.member_id
    if referred is not None and referred == code.member_id:
        raise Unprocessable(
            "A member cannot be referred by their own code", field="memberId", code="SELF_REFERRAL"
        )
    revenue = data.revenue
    if revenue is None:
        revenue = order.total - order.refunded_amount if order is not None else Decimal(0)
    at = now(session)
    event = repo.add(
        ReferralEvent(
            id=new_id(),
            code_id=code.id,
            type="conversion",
            referred_member_id=referred,
            order_id=order.id if order is not None else None,
            revenue=revenue,
            points=0,
            created_at=at,
        )
    )
    conversion = Conversion(event, code, currency, created=True)
    events.emit(
        session,
        principal.tenant_id,
        "referral.converted",
        event_data(conversion),
        resource_id=events.lane("ref", event.id),
    )
    session.flush()
    return conversion


def event_data(c: Conversion) -> dict[str, Any]:
    """``referral.converted``'s neutral data (``events.data``): the conversion, its code
    and the tenant's currency."""
    return {
        "referral": data.snapshot(c.event, REFERRAL),
        "code": data.snapshot(c.code, ("id", "code", "member_id")),
        "currency": c.currency,
    }


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
