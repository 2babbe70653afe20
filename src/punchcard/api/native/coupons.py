"""Coupons: pools, codes, issuing, and redemption at the register."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from punchcard.api.common import ids, inputs
from punchcard.api.common.auth import CouponsRead, CouponsWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.coupons import (
    CouponList,
    CouponRead,
    IssueRequest,
    IssueResult,
    PoolCreate,
    PoolList,
    PoolRead,
    RedeemRequest,
)
from punchcard.coupons import service

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Coupons"])


@router.get("/coupons", response_model=CouponList)
def list_coupons(
    p: CouponsRead,
    session: DbSession,
    page: PageParams,
    pool_id: Annotated[str | None, Query(alias="poolId")] = None,
    member_id: Annotated[str | None, Query(alias="memberId")] = None,
    status: Annotated[
        str | None, Query(pattern="^(available|issued|redeemed|expired|void)$")
    ] = None,
    code: Annotated[str | None, Query(max_length=64)] = None,
) -> CouponList:
    """List coupon codes."""
    rows, total = service.list_coupons(
        session,
        p,
        page=page,
        pool_id=ids.parse_filter("pool", pool_id, field="poolId", message="Malformed pool id"),
        member_id=ids.parse_filter(
            "mem", member_id, field="memberId", message="Malformed member id"
        ),
        status=status,
        code=code,
    )
    return CouponList(
        coupons=[CouponRead.of(c) for c in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/coupons/pools", response_model=PoolList)
def list_pools(p: CouponsRead, session: DbSession, page: PageParams) -> PoolList:
    """List coupon pools with their code counts."""
    rows, total = service.list_pools(session, p, page=page)
    counts = service.pool_counts(session, p, rows)
    return PoolList(
        pools=[PoolRead.of(pool, counts.get(pool.id, {})) for pool in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/coupons/pools", response_model=PoolRead, status_code=201)
def create_pool(p: CouponsWrite, session: DbSession, body: PoolCreate) -> PoolRead:
    """Create a pool from given codes or generated ones."""
    pool = service.create_pool(session, p, data=inputs.new_pool(body))
    return PoolRead.of(pool, service.pool_counts(session, p, [pool]).get(pool.id, {}))


@router.post("/coupons/issue", response_model=IssueResult, status_code=201)
def issue_coupons(p: CouponsWrite, session: DbSession, body: IssueRequest) -> IssueResult:
    """Issue codes from a pool to a member (no points charged)."""
    issued = service.issue(
        session,
        p,
        pool_id=ids.parse("pool", body.pool_id),
        member_id=ids.parse("mem", body.member_id),
        quantity=body.quantity,
    )
    return IssueResult(coupons=[CouponRead.of(c) for c in issued])


@router.post("/coupons/{id}/redeem", response_model=CouponRead)
def redeem_coupon(
    p: CouponsWrite, session: DbSession, id: str, body: RedeemRequest | None = None
) -> CouponRead:
    """Redeem a code at the register (`id` is the coupon id or the code); 404 = do not honor."""
    store_id = ids.ref("st", body.store_id) if body and body.store_id is not None else None
    return CouponRead.of(service.redeem(session, p, ref=ids.ref("cpn", id), store_id=store_id))
