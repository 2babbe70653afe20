"""Award, Redeem and Deduct Points; Return Order (functions 1, 2, 3 and 24)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from punchcard.activities import service as activities
from punchcard.api.common import ids, inputs
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.ledger import PointsChange
from punchcard.api.native.schemas.orders import RefundCreate
from punchcard.api.shopsocially.auth import OrdersWrite, PointsWrite, RewardsWrite
from punchcard.api.shopsocially.errors import build, wire_fields
from punchcard.api.shopsocially.params import Params, body_doc, money, params
from punchcard.api.shopsocially.render import View, stamp, transaction_type
from punchcard.api.shopsocially.render import money as money_text
from punchcard.api.shopsocially.schemas import AwardOut, DeductOut, Ok, RedeemOut, ReturnOut
from punchcard.identity.principal import Principal
from punchcard.kit.bounds import MAX_POINTS, MoneyAmount, PointsAmount
from punchcard.ledger import points as ledger_points
from punchcard.ledger import service as ledger
from punchcard.ledger import statuses
from punchcard.members import service as members
from punchcard.models import Member
from punchcard.orders import service as orders
from punchcard.rewards import service as rewards

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Points"])


class AwardParams(Params):
    user_email: str = Field(description="The email of the user to award")
    activity_id: str = Field(description="The activity's id (`made_a_purchase`) or `act_…`")
    points_passed: PointsAmount | None = Field(
        default=None,
        description="Overrides a fixed activity's points; the base value a bonus "
        "multiplier activity multiplies (then required)",
    )
    order_id: str | None = Field(
        default=None, max_length=128, description="Awards for one order_id are made once"
    )


class RedeemParams(Params):
    user_email: str
    redemption_id: str = Field(description="The redemption option's id (or `rwd_…`)")


_DIGITS = re.compile(r"[0-9]{1,30}")


def _whole_number(value: Any) -> Any:
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("int_type", "Input should be a valid integer or a string of digits")


MAX_DEDUCT = MAX_POINTS
# The document's table gives Deduct's points_passed as a "String Value" (Award's is a
# Number): in a JSON body both a number and a string of digits are taken. The string
# is documented without a pattern: the face trims every value first (its curl examples
# send ` points_passed = 100`), which no JSON Schema pattern could state exactly.
PointsText = Annotated[
    int,
    BeforeValidator(
        _whole_number, json_schema_input_type=Annotated[int, Field(gt=0, le=MAX_DEDUCT)] | str
    ),
]


class DeductParams(Params):
    user_email: str
    reason: str = Field(max_length=500, description="The reason for the deduction")
    points_passed: PointsText = Field(
        gt=0, le=MAX_DEDUCT, description="The number of points to deduct (digits in a string, too)"
    )


class ReturnParams(Params):
    order_id: str = Field(description="The order_id given when its points were awarded")
    returned_amount: MoneyAmount | None = Field(
        default=None,
        description="The value returned; absent or 0: the whole order. Points are "
        "recomputed on what remains and the difference deducted",
    )


def _user(session: Session, p: Principal, email: str) -> Member:
    return members.get_by_email(session, p, email=email, field="user_email")


@router.post("/award", response_model=Ok[AwardOut], openapi_extra=body_doc(AwardParams))
def award(
    p: PointsWrite,
    session: DbSession,
    q: Annotated[AwardParams, Depends(params(AwardParams))],
) -> Ok[AwardOut]:
    """Award points to a user for an activity; once per order_id."""
    member = _user(session, p, q.user_email)
    with wire_fields(
        activityId="activity_id",
        pointsPassed="points_passed",
        amount="points_passed",
        reference="order_id",
    ):
        done = activities.award(
            session,
            p,
            member_id=member.id,
            activity_id=ids.ref("act", q.activity_id),
            points_passed=q.points_passed,
            reference=q.order_id,
        )
    view = View(session, p)
    entry = done.entry
    return Ok(
        data=AwardOut(
            **view.user_ref(done.member),
            activity_id=done.activity.key,
            activity_name=done.activity.name,
            id=ids.render("txn", entry.id),
            transaction_type=transaction_type(entry),
            points=abs(entry.amount),
            points_status=entry.status,
            partner_id=view.partner_id,
            created_time=stamp(entry.created_at),
        )
    )


@router.post("/redeem", response_model=Ok[RedeemOut], openapi_extra=body_doc(RedeemParams))
def redeem(
    p: RewardsWrite,
    session: DbSession,
    q: Annotated[RedeemParams, Depends(params(RedeemParams))],
) -> Ok[RedeemOut]:
    """Spend a user's points on a redemption option; answers its one-time coupon code."""
    member = _user(session, p, q.user_email)
    with wire_fields(rewardId="redemption_id"):
        done = rewards.redeem(
            session, p, reward_id=ids.ref("rwd", q.redemption_id), member_id=member.id
        )
    view = View(session, p)
    entry = done.entry
    return Ok(
        data=RedeemOut(
            **view.user_ref(done.member),
            redemption_id=done.reward.key,
            redemption_name=done.reward.name,
            redemption_value=money_text(done.reward.monetary_value),
            id=ids.render("txn", entry.id),
            transaction_type=transaction_type(entry),
            points=abs(entry.amount),
            points_status=entry.status,
            coupon_code=done.coupon.code if done.coupon is not None else None,
            partner_id=view.partner_id,
            created_time=stamp(entry.created_at),
        )
    )


@router.post("/deduct", response_model=Ok[DeductOut], openapi_extra=body_doc(DeductParams))
def deduct(
    p: PointsWrite,
    session: DbSession,
    q: Annotated[DeductParams, Depends(params(DeductParams))],
) -> Ok[DeductOut]:
    """Deduct points from a user for any reason; never below zero."""
    member = _user(session, p, q.user_email)
    wire = {"amount": "points_passed", "description": "reason"}
    body = build(PointsChange, wire, {"amount": -q.points_passed, "description": q.reason})
    data = inputs.points_change(body)
    with wire_fields(**wire):
        entry = ledger_points.change(session, p, member_id=member.id, data=data)
    view = View(session, p)
    return Ok(
        data=DeductOut(
            **view.user_ref(member),
            id=ids.render("txn", entry.id),
            transaction_type=transaction_type(entry),
            points=abs(entry.amount),
            points_status=entry.status,
            available_points=ledger.available(session, member),
            partner_id=view.partner_id,
            created_time=stamp(entry.created_at),
        )
    )


@router.post(
    "/transaction/return", response_model=Ok[ReturnOut], openapi_extra=body_doc(ReturnParams)
)
def return_order(
    p: OrdersWrite,
    session: DbSession,
    q: Annotated[ReturnParams, Depends(params(ReturnParams))],
) -> Ok[ReturnOut]:
    """Take back the points of a returned order, wholly or in part."""
    amount = money(q.returned_amount, "returned_amount") if q.returned_amount is not None else None
    data = build(RefundCreate, {"amount": "returned_amount"}, {"amount": amount or None})
    with wire_fields(externalOrderId="order_id", amount="returned_amount"):
        done = orders.refund(
            session, p, external_order_id=q.order_id, data=inputs.refund_request(data)
        )
    order, member, entry = done.order, done.member, done.entry
    view = View(session, p)
    partial = order.status == "partially_refunded"
    created = entry.created_at if entry is not None else order.updated_at
    return Ok(
        data=ReturnOut(
            **view.user_ref(member),
            id=(ids.render("txn", entry.id) if entry is not None else None) or "",
            transaction_type="deduct",
            points=abs(entry.amount) if entry is not None else 0,
            points_status=entry.status if entry is not None else "deducted",
            reason="Order Partially Returned" if partial else "Order Returned",
            returned_for_order_id=order.external_order_id,
            auto_approval_date="",
            approved_time=stamp(statuses.approved_at(entry))
            if entry is not None
            else stamp(created),
            partner_id=view.partner_id,
            created_time=stamp(created),
            updated_time=stamp(created),
        )
    )
