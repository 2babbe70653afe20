"""Plain factories for the tracking, referral and ambassador tests.

Members are enrolled through ``POST /members``; orders, extra codes and events are
written through the models, so a test states exactly the dataset it ranks or sums
(and when each row happened) without going through the points engine.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from punchcard.kit.ids import new_id, parse, render
from punchcard.models import Order, ReferralCode, ReferralEvent, TrackingEvent
from tests.factories import Tenant, unique


def make_member(t: Tenant, **kw: Any) -> dict[str, Any]:
    """A member enrolled through ``POST /members``, as the API renders it."""
    r = t.api.post("/members", json={"email": f"{unique('m')}@example.com", **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())


def member_uuid(member: dict[str, Any]) -> uuid.UUID:
    value = parse("mem", member["id"])
    assert value is not None
    return value


def member_code(t: Tenant, member: dict[str, Any]) -> str:
    """The member's own referral code (kind ``member``), created at enrolment."""
    with t.db.transaction(write=False) as s:
        return s.scalars(
            select(ReferralCode.code).where(
                ReferralCode.tenant_id == t.id,
                ReferralCode.member_id == member_uuid(member),
                ReferralCode.kind == "member",
            )
        ).one()


def make_code(
    t: Tenant, member: dict[str, Any], *, kind: str = "affiliate", at: datetime | None = None
) -> str:
    code = unique("A").upper().replace("-", "")
    with t.db.transaction() as s:
        s.add(
            ReferralCode(
                tenant_id=t.id,
                id=new_id(),
                member_id=member_uuid(member),
                code=code,
                kind=kind,
                created_at=at or t.db.clock.now(),
            )
        )
    return code


def make_order(
    t: Tenant,
    member: dict[str, Any],
    total: str,
    *,
    status: str = "paid",
    refunded: str = "0",
    at: datetime | None = None,
    external_id: str | None = None,
) -> dict[str, Any]:
    when = at or t.db.clock.now()
    with t.db.transaction() as s:
        order = Order(
            tenant_id=t.id,
            id=new_id(),
            external_order_id=external_id or unique("ORD-"),
            member_id=member_uuid(member),
            total=Decimal(total),
            currency="USD",
            items=[],
            status=status,
            refunded_amount=Decimal(refunded),
            body_hash="0" * 64,
            placed_at=when,
            created_at=when,
            updated_at=when,
        )
        s.add(order)
    return {"id": render("ord", order.id), "externalOrderId": order.external_order_id}


def add_referral_events(
    t: Tenant,
    code: str,
    *,
    clicks: int = 0,
    conversions: int = 0,
    revenue: str = "0",
    points: int = 0,
    at: datetime | None = None,
) -> None:
    """``clicks`` clicks and ``conversions`` conversions of ``revenue`` and ``points`` each."""
    when = at or t.db.clock.now()
    with t.db.transaction() as s:
        code_id = s.scalars(
            select(ReferralCode.id).where(ReferralCode.tenant_id == t.id, ReferralCode.code == code)
        ).one()
        for kind, n in (("click", clicks), ("conversion", conversions)):
            for _ in range(n):
                s.add(
                    ReferralEvent(
                        tenant_id=t.id,
                        id=new_id(),
                        code_id=code_id,
                        type=kind,
                        revenue=Decimal(revenue) if kind == "conversion" else Decimal(0),
                        points=points if kind == "conversion" else 0,
                        created_at=when,
                    )
                )


def add_tracking(
    t: Tenant, n: int, *, member: dict[str, Any] | None = None, at: datetime | None = None
) -> None:
    when = at or t.db.clock.now()
    with t.db.transaction() as s:
        for _ in range(n):
            s.add(
                TrackingEvent(
                    tenant_id=t.id,
                    id=new_id(),
                    type="page_view",
                    member_id=member_uuid(member) if member else None,
                    occurred_at=when,
                    created_at=when,
                )
            )
