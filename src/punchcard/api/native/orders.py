"""Orders: ingestion awards points, refunds claw back."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from punchcard.api.common import ids, inputs
from punchcard.api.common.auth import OrdersRead, OrdersWrite
from punchcard.api.common.guards import BULK_BODY
from punchcard.api.common.paging import PageParams
from punchcard.api.common.params import FromParam, ToParam, utc
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.orders import (
    BatchError,
    OrderBatch,
    OrderBatchResponse,
    OrderBatchResult,
    OrderCreate,
    OrderCreated,
    OrderList,
    OrderRead,
    RefundCreate,
    RefundResult,
)
from punchcard.errors import PunchcardError
from punchcard.orders import batch, service

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Orders"])


@router.get("/orders", response_model=OrderList)
def list_orders(
    p: OrdersRead,
    session: DbSession,
    page: PageParams,
    member_id: Annotated[str | None, Query(alias="memberId")] = None,
    store_id: Annotated[str | None, Query(alias="storeId")] = None,
    status: Annotated[str | None, Query(pattern="^(paid|partially_refunded|refunded)$")] = None,
    external_order_id: Annotated[str | None, Query(alias="externalOrderId")] = None,
    since: FromParam = None,
    until: ToParam = None,
) -> OrderList:
    """List orders (newest first), for reconciliation."""
    rows, total = service.list_orders(
        session,
        p,
        page=page,
        member_id=ids.parse_filter(
            "mem", member_id, field="memberId", message="Malformed member id"
        ),
        store_id=ids.ref("st", store_id) if store_id is not None else None,
        status=status,
        external_order_id=external_order_id,
        since=utc(since),
        until=utc(until),
    )
    return OrderList(
        orders=[OrderRead.of(o) for o in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "/orders",
    response_model=OrderCreated,
    status_code=201,
    responses={200: {"model": OrderCreated}},
)
def create_order(
    p: OrdersWrite, session: DbSession, body: OrderCreate, response: Response
) -> OrderCreated:
    """Ingest an order and award its points (idempotent by externalOrderId)."""
    placed = service.place(session, p, data=inputs.new_order(body))
    if not placed.created:
        response.status_code = 200
    return OrderCreated(**OrderRead.of(placed.order).model_dump(), balance=placed.balance)


@router.post("/orders/batch", response_model=OrderBatchResponse, openapi_extra=BULK_BODY)
def create_orders_batch(p: OrdersWrite, session: DbSession, body: OrderBatch) -> OrderBatchResponse:
    """Ingest up to 500 orders; each succeeds or fails on its own."""
    placed = batch.place_batch(session, p, orders=[inputs.order_row(r) for r in body.orders])
    results = [
        _batch_result(i, raw, done)
        for i, (raw, done) in enumerate(zip(body.orders, placed, strict=True))
    ]
    return OrderBatchResponse(
        results=results,
        created=sum(r.status == "created" for r in results),
        duplicates=sum(r.status == "duplicate" for r in results),
        failed=sum(r.status == "error" for r in results),
    )


# An externalOrderId is the shop's own string and may hold a "/": the ``path``
# converter takes the rest of the path, so `a/b` and `a%2Fb` (which the server decodes
# to the same path) name the same order. Refund's literal tail still anchors the match.
@router.post("/orders/{externalOrderId:path}/refund", response_model=RefundResult)
def refund_order(
    p: OrdersWrite, session: DbSession, externalOrderId: str, body: RefundCreate
) -> RefundResult:
    """Refund all (no amount) or part of an order; points are clawed back in proportion.
    The externalOrderId is written as for `GET /orders/{externalOrderId}`."""
    done = service.refund(
        session, p, external_order_id=externalOrderId, data=inputs.refund_request(body)
    )
    return RefundResult(
        order=OrderRead.of(done.order),
        points_clawed_back=done.points_clawed_back,
        balance=done.balance,
    )


# Last of the order routes: its path matches every path under /orders/, so a method
# another route there allows (POST /orders/batch, /orders/{id}/refund) must find that
# route first, for its 405's Allow header.
@router.get("/orders/{externalOrderId:path}", response_model=OrderRead)
def get_order(p: OrdersRead, session: DbSession, externalOrderId: str) -> OrderRead:
    """One order by its externalOrderId, as the list renders it (404 when none).

    Any externalOrderId that create accepts works here and in the refund path: a `/`
    in it may be sent as it is or percent-encoded (`%2F`); `%`, `?`, `#` and spaces
    must be percent-encoded, as in any URL."""
    return OrderRead.of(service.get_by_external(session, p, external_order_id=externalOrderId))


def _batch_result(
    index: int, raw: dict[str, Any], done: service.Placed | PunchcardError
) -> OrderBatchResult:
    if isinstance(done, PunchcardError):
        ext = raw.get("externalOrderId") if isinstance(raw, dict) else None
        return OrderBatchResult(
            index=index,
            external_order_id=ext if isinstance(ext, str) else None,
            status="error",
            error=BatchError(code=done.code, message=done.message, field=done.field),
        )
    return OrderBatchResult(
        index=index,
        external_order_id=done.order.external_order_id,
        status="created" if done.created else "duplicate",
        id=ids.render("ord", done.order.id),
        points_awarded=done.order.points_awarded,
    )
