"""A member's points, tier, coupons and receipts: ``/members/{id}/...``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from punchcard.api.common import ids, inputs
from punchcard.api.common.auth import CouponsRead, OrdersRead, PointsRead, PointsWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.params import FromParam, ToParam, utc
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.coupons import (
    CouponList,
    CouponRead,
    RedeemForPoints,
    RedeemForPointsResult,
)
from punchcard.api.native.schemas.ledger import (
    ExpirationItem,
    PointsChange,
    PointsChangeResult,
    PointsStatement,
    TransactionRead,
)
from punchcard.api.native.schemas.orders import OrderRead, ReceiptList
from punchcard.api.native.schemas.tiers import MemberTierRead
from punchcard.coupons import service as coupons
from punchcard.ledger import points
from punchcard.members import service as members
from punchcard.orders import service as orders
from punchcard.tiers import views as tier_views

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Members"])


@router.get("/members/{id}/points", response_model=PointsStatement)
def get_points(
    p: PointsRead,
    session: DbSession,
    id: str,
    page: PageParams,
    since: FromParam = None,
    until: ToParam = None,
    type: Annotated[
        str | None, Query(description="award|redeem|deduct|expire|clawback|adjust")
    ] = None,
    status: Annotated[str | None, Query()] = None,
) -> PointsStatement:
    """A member's balance, pending and lifetime points, expiry schedule and ledger."""
    st = points.statement(
        session,
        p,
        member_id=ids.parse("mem", id),
        page=page,
        since=utc(since),
        until=utc(until),
        type_=type,
        status=status,
    )
    return PointsStatement(
        balance=st.balance,
        pending=st.member.pending_points,
        lifetime=st.member.lifetime_points,
        expiration_schedule=[ExpirationItem(date=d, points=n) for d, n in st.schedule],
        transactions=[TransactionRead.of(e) for e in st.entries],
        total=st.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/members/{id}/points", response_model=PointsChangeResult)
def change_points(
    p: PointsWrite, session: DbSession, id: str, body: PointsChange
) -> PointsChangeResult:
    """Award (positive amount) or deduct (negative) exactly `amount` points."""
    entry = points.change(
        session, p, member_id=ids.parse("mem", id), data=inputs.points_change(body)
    )
    return PointsChangeResult(
        transaction_id=ids.render("txn", entry.id), balance=entry.balance_after
    )


@router.get("/members/{id}/tier", response_model=MemberTierRead)
def get_tier(p: PointsRead, session: DbSession, id: str) -> MemberTierRead:
    """A member's tier, the next one, and the points still needed to reach it."""
    return MemberTierRead.of(tier_views.tier_view(session, p, member_id=ids.parse("mem", id)))


@router.get("/members/{id}/coupons", response_model=CouponList)
def member_coupons(p: CouponsRead, session: DbSession, id: str, page: PageParams) -> CouponList:
    """The member's coupon codes."""
    member = members.get(session, p, member_id=ids.parse("mem", id))
    rows, total = coupons.list_coupons(session, p, page=page, member_id=member.id)
    return CouponList(
        coupons=[CouponRead.of(c) for c in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/members/{id}/receipts", response_model=ReceiptList)
def member_receipts(p: OrdersRead, session: DbSession, id: str, page: PageParams) -> ReceiptList:
    """The member's orders, as receipts."""
    member = members.get(session, p, member_id=ids.parse("mem", id))
    rows, total = orders.list_orders(session, p, page=page, member_id=member.id)
    return ReceiptList(
        receipts=[OrderRead.of(o) for o in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post("/members/{id}/redeem-coupon", response_model=RedeemForPointsResult)
def redeem_coupon(
    p: PointsWrite, session: DbSession, id: str, body: RedeemForPoints
) -> RedeemForPointsResult:
    """Spend the pool's points cost for one of its codes."""
    bought = coupons.redeem_for_points(
        session, p, member_id=ids.parse("mem", id), pool_id=ids.parse("pool", body.pool_id)
    )
    return RedeemForPointsResult(
        coupon=CouponRead.of(bought.coupon),
        transaction_id=ids.render("txn", bought.entry.id),
        balance=bought.balance,
    )
