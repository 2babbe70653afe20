"""Referrals (native extension): clicks, conversions and per-code stats under ``/referrals``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from punchcard.ambassador import referrals
from punchcard.ambassador.schemas import CodeKind
from punchcard.api.common import ids
from punchcard.api.common.auth import AmbassadorRead, AmbassadorWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.params import IsoDate
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.ambassador import (
    ClickCreate,
    ClickRead,
    CodeStats,
    CodeStatsList,
    ConversionCreate,
    ConversionRead,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Referrals"])


@router.post("/referrals/clicks", response_model=ClickRead, status_code=202)
def record_click(p: AmbassadorWrite, session: DbSession, body: ClickCreate) -> ClickRead:
    """Record a click on a referral link (unknown `code` → 404)."""
    click, code = referrals.record_click(
        session, p, data=referrals.Click(code=body.code, visitor_id=body.visitor_id, url=body.url)
    )
    return ClickRead.of(click, code)


@router.post(
    "/referrals/conversions",
    response_model=ConversionRead,
    status_code=201,
    responses={200: {"model": ConversionRead, "description": "The order's existing conversion"}},
)
def record_conversion(
    p: AmbassadorWrite, session: DbSession, body: ConversionCreate, response: Response
) -> ConversionRead:
    """Record a referral conversion; one per order (the same order again → 200).

    `memberId` is the referred member (default: the order's member); `orderId` is an
    `ord_…` id or your externalOrderId; `revenue` defaults to the order's total net of
    refunds. An externalOrderId not ingested yet is recorded `pending` and linked when
    the order arrives. The referrer earns the `referral` activity's points (created on
    first use: 100 points, immediate; change it with `PATCH /activities/referral`) when
    the order is known, and loses them in proportion if it is refunded. The same order
    with another code is 409 `ORDER_ALREADY_CONVERTED`; a member referred by their own
    code is 422 `SELF_REFERRAL`. Emits `referral.converted`.
    """
    data = referrals.ConversionInput(
        code=body.code,
        member_id=ids.parse_optional("mem", body.member_id),
        order_ref=None if body.order_id is None else ids.ref("ord", body.order_id),
        revenue=body.revenue,
    )
    conversion = referrals.convert(session, p, data=data)
    if not conversion.created:
        response.status_code = 200
    return ConversionRead.of(conversion)


@router.get("/referrals/stats", response_model=CodeStatsList)
def referral_stats(
    p: AmbassadorRead,
    session: DbSession,
    page: PageParams,
    kind: Annotated[CodeKind | None, Query()] = None,
    member_id: Annotated[
        str | None, Query(alias="memberId", description="Codes of one member")
    ] = None,
    from_: Annotated[IsoDate | None, Query(alias="from", description="First day (UTC)")] = None,
    to: Annotated[IsoDate | None, Query(description="Last day (UTC)")] = None,
) -> CodeStatsList:
    """Clicks, conversions and revenue per referral code, most conversions first.

    All time unless `from`/`to` is given (then a missing end defaults to a 30-day window).
    """
    rows, total, currency = referrals.stats(
        session,
        p,
        page=page,
        kind=kind.value if kind else None,
        member_id=ids.parse_filter(
            "mem", member_id, field="memberId", message="memberId is not a member id"
        ),
        first=from_,
        last=to,
    )
    return CodeStatsList(
        codes=[CodeStats.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
        currency=currency,
    )
