"""Transactions: Get All, Get, Update, and Get User Transactions (functions 4, 5, 6, 11)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field
from sqlalchemy.orm import Session

from punchcard.api.common import ids
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.shopsocially.auth import PointsRead, PointsWrite
from punchcard.api.shopsocially.errors import wire_fields
from punchcard.api.shopsocially.params import (
    FROM_RANGE,
    TO_RANGE,
    Params,
    body_doc,
    day_window,
    params,
    query_doc,
)
from punchcard.api.shopsocially.params import statuses as parse_statuses
from punchcard.api.shopsocially.render import View
from punchcard.api.shopsocially.schemas import Ok, TransactionOut, TransactionPage
from punchcard.identity.principal import Principal
from punchcard.kit.paging import MAX_OFFSET, Page
from punchcard.ledger import transactions
from punchcard.members import service as members

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Transactions"])

# The document: "The response will return only 10 records for each request."
PAGE_SIZE = 10


class WindowParams(Params):
    from_date: str = Field(
        description=f"The start date, MM/DD/YYYY (the merchant's timezone), {FROM_RANGE}"
    )
    to_date: str = Field(description=f"The end date, MM/DD/YYYY, included, {TO_RANGE}")
    points_status: Any = Field(
        default=None,
        description='A JSON list of statuses, e.g. `["approved","auto_approved"]`',
        json_schema_extra={"type": "string"},
    )
    start_index: int = Field(
        default=0, ge=0, le=MAX_OFFSET, description="Where the page starts (default 0)"
    )


class UpdateParams(Params):
    points_status: str = Field(description="approved or rejected (of a pending award)")


def _page(
    session: Session, p: Principal, q: WindowParams, member_id: uuid.UUID | None = None
) -> TransactionPage:
    view = View(session, p)
    window = day_window(q.from_date, q.to_date, view.tenant.timezone)
    rows, total = transactions.list_transactions(
        session,
        p,
        page=Page(limit=PAGE_SIZE, offset=q.start_index),
        since=window.start,
        until=window.last_instant,  # the service's upper bound is inclusive
        statuses=parse_statuses(q.points_status),
        member_id=member_id,
    )
    # As in the document's example (9 records: next_start_index 10, more false).
    following = q.start_index + PAGE_SIZE
    return TransactionPage(
        total=total,
        next_start_index=following,
        transactions=view.transactions(rows),
        more=following < total,
    )


@router.get(
    "/transactions", response_model=Ok[TransactionPage], openapi_extra=query_doc(WindowParams)
)
def list_all(
    p: PointsRead,
    session: DbSession,
    q: Annotated[WindowParams, Depends(params(WindowParams))],
) -> Ok[TransactionPage]:
    """All transactions in a date range, newest first, 10 a page."""
    return Ok(data=_page(session, p, q))


@router.get("/transactions/{transaction_id}", response_model=Ok[TransactionOut])
def get_one(p: PointsRead, session: DbSession, transaction_id: str) -> Ok[TransactionOut]:
    """One transaction."""
    entry = transactions.get_transaction(
        session, p, transaction_id=ids.parse("txn", transaction_id), field="transactionId"
    )
    return Ok(data=View(session, p).transaction(entry))


@router.put(
    "/transactions/{transaction_id}",
    response_model=Ok[TransactionOut],
    openapi_extra=body_doc(UpdateParams),
)
def update(
    p: PointsWrite,
    session: DbSession,
    transaction_id: str,
    q: Annotated[UpdateParams, Depends(params(UpdateParams))],
) -> Ok[TransactionOut]:
    """Approve or reject a pending award."""
    with wire_fields(status="points_status"):
        entry = transactions.decide(
            session, p, transaction_id=ids.parse("txn", transaction_id), status=q.points_status
        )
    return Ok(data=View(session, p).transaction(entry))


@router.get(
    "/users/{user_email}/transactions",
    response_model=Ok[TransactionPage],
    openapi_extra=query_doc(WindowParams),
)
def list_for_user(
    p: PointsRead,
    session: DbSession,
    user_email: str,
    q: Annotated[WindowParams, Depends(params(WindowParams))],
) -> Ok[TransactionPage]:
    """A user's transactions in a date range, newest first, 10 a page."""
    member = members.get_by_email(session, p, email=user_email, field="user_email")
    return Ok(data=_page(session, p, q, member_id=member.id))
