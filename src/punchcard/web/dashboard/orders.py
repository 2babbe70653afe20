"""The dashboard's orders (issue 14): the list (filter by member email or external
order id, paged), an order's page with its lines, ledger entries and refunds, and
the refund action — the core's ``orders.service.refund``, as ``POST
/api/v2/orders/{id}/refund`` calls it. An external order id may hold ``/``: the
routes take the rest of the path (``{externalOrderId:path}``)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from punchcard.errors import NotFound, PunchcardError, ValidationFailed
from punchcard.kit.money import money_str, to_money
from punchcard.members import service as members
from punchcard.models import Order
from punchcard.orders import service
from punchcard.web.dashboard.ops_kit import page_of, pager
from punchcard.web.dashboard.session import Ctx, action, redirect, view

router = APIRouter(include_in_schema=False)

REASON_MAX = 500  # as the native face's RefundCreate.reason


def order_url(external_order_id: str) -> str:
    return "/dashboard/orders/" + quote(external_order_id, safe="")


@router.get("/dashboard/orders")
async def list_orders(request: Request) -> Response:
    q = request.query_params
    email = q.get("member", "").strip()
    external = q.get("order", "").strip()

    def page(ctx: Ctx) -> Response:
        current = page_of(request)
        rows: list[Order] = []
        total = 0
        member_id: uuid.UUID | None = None
        found_member = True
        if email:
            try:
                member_id = members.get_by_email(ctx.session, ctx.principal, email=email).id
            except NotFound:
                found_member = False
        if found_member:
            rows, total = service.list_orders(
                ctx.session,
                ctx.principal,
                page=current,
                member_id=member_id,
                external_order_id=external or None,
            )
        return ctx.page(
            "dashboard/orders/list.html",
            title="Orders",
            orders=rows,
            emails=service.member_emails(ctx.session, ctx.principal, rows),
            member_filter=email,
            order_filter=external,
            pager=pager(request, current, total, member=email, order=external),
            order_url=order_url,
            money=money_str,
        )

    return await view(request, page)


def _order_page(
    ctx: Ctx,
    order: Order,
    *,
    status: int = 200,
    error: PunchcardError | None = None,
    amount: str = "",
    reason: str = "",
) -> Response:
    done = service.effects(ctx.session, ctx.principal, order=order)
    member_email = service.member_emails(ctx.session, ctx.principal, [order]).get(order.member_id)
    return ctx.page(
        "dashboard/orders/detail.html",
        status=status,
        title=f"Order {order.external_order_id}",
        order=order,
        member_email=member_email,
        entries=done.entries,
        refunds=done.refunds,
        left=money_str(order.total - order.refunded_amount),
        money=money_str,
        action_url=order_url(order.external_order_id) + "/refund",
        refund_key=uuid.uuid4().hex,
        error=error,
        amount=amount,
        reason=reason,
    )


def _amount(raw: str) -> Decimal | None:
    """The refund amount of the form: empty is all of what is left."""
    if not raw:
        return None
    try:
        amount = to_money(raw)
    except ValueError as exc:
        raise ValidationFailed(f"amount must be a decimal amount ({exc})", field="amount") from exc
    if amount <= 0:
        raise ValidationFailed("amount must be positive", field="amount")
    return amount


# Before the order page: its path would take ".../refund" as part of the id.
@router.post("/dashboard/orders/{external_order_id:path}/refund")
async def refund(request: Request, external_order_id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        order = service.get_by_external(
            ctx.session, ctx.principal, external_order_id=external_order_id
        )
        raw_amount = str(form.get("amount") or "").strip()
        reason = str(form.get("reason") or "").strip()
        key = str(form.get("refund_key") or "").strip() or None
        try:
            if len(reason) > REASON_MAX:
                raise ValidationFailed(
                    f"reason must be at most {REASON_MAX} characters", field="reason"
                )
            if key is not None and len(key) > 128:
                raise ValidationFailed("refund_key is too long", field="refund_key")
            data = service.RefundRequest(
                amount=_amount(raw_amount), refund_id=key, reason=reason or None
            )
            # A savepoint: a refusal from inside the core leaves nothing written.
            with ctx.session.begin_nested():
                done = service.refund(
                    ctx.session, ctx.principal, external_order_id=external_order_id, data=data
                )
        except ValidationFailed as exc:
            ctx.session.expire(order)
            return _order_page(ctx, order, status=400, error=exc, amount=raw_amount, reason=reason)
        notice = (
            f"Refunded; {done.points_clawed_back} points clawed back, "
            f"the member's balance is now {done.balance}."
        )
        return redirect(order_url(external_order_id) + "?" + urlencode({"notice": notice}))

    return await action(request, work)


@router.get("/dashboard/orders/{external_order_id:path}")
async def order_page(request: Request, external_order_id: str) -> Response:
    def page(ctx: Ctx) -> Response:
        order = service.get_by_external(
            ctx.session, ctx.principal, external_order_id=external_order_id
        )
        return _order_page(ctx, order)

    return await view(request, page)
