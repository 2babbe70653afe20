"""Exports: a tenant's members, ledger or orders as rows in the native API's field
names, streamed from the database (``yield_per``: a bounded number of rows in memory),
written as CSV or JSONL. A members export reads back with ``punchcard import members``
(its first columns are the import's)."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable, Iterator
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from punchcard.kit.clock import iso_z
from punchcard.kit.ids import render
from punchcard.models import Member, Order, PointsEntry

EXPORT_KINDS = ("members", "ledger", "orders")
STREAM = 1000

MEMBER_COLUMNS = (
    "email",
    "phone",
    "firstName",
    "lastName",
    "externalId",
    "id",
    "status",
    "pointsBalance",
    "lifetimePoints",
    "pendingPoints",
    "enrolledAt",
)
LEDGER_COLUMNS = (
    "id",
    "memberId",
    "type",
    "amount",
    "status",
    "balanceAfter",
    "description",
    "reference",
    "orderId",
    "expiresAt",
    "createdAt",
)
ORDER_COLUMNS = (
    "externalOrderId",
    "memberId",
    "total",
    "currency",
    "channel",
    "status",
    "pointsAwarded",
    "pointsClawedBack",
    "refundedAmount",
    "placedAt",
    "id",
)


def _member(m: Member) -> dict[str, Any]:
    return {
        "email": m.email,
        "phone": m.phone,
        "firstName": m.first_name,
        "lastName": m.last_name,
        "externalId": m.external_id,
        "id": render("mem", m.id),
        "status": m.status,
        "pointsBalance": m.points_balance,
        "lifetimePoints": m.lifetime_points,
        "pendingPoints": m.pending_points,
        "enrolledAt": iso_z(m.enrolled_at),
    }


def _entry(e: PointsEntry) -> dict[str, Any]:
    return {
        "id": render("txn", e.id),
        "memberId": render("mem", e.member_id),
        "type": e.type,
        "amount": e.amount,
        "status": e.status,
        "balanceAfter": e.balance_after,
        "description": e.description,
        "reference": e.reference,
        "orderId": render("ord", e.order_id),
        "expiresAt": iso_z(e.expires_at) if e.expires_at else None,
        "createdAt": iso_z(e.created_at),
    }


def _order(o: Order) -> dict[str, Any]:
    return {
        "externalOrderId": o.external_order_id,
        "memberId": render("mem", o.member_id),
        "total": str(o.total),
        "currency": o.currency,
        "channel": o.channel,
        "status": o.status,
        "pointsAwarded": o.points_awarded,
        "pointsClawedBack": o.points_clawed_back,
        "refundedAmount": str(o.refunded_amount),
        "placedAt": iso_z(o.placed_at),
        "id": render("ord", o.id),
    }


_SOURCES: dict[str, tuple[Any, Any, Callable[[Any], dict[str, Any]], tuple[str, ...]]] = {
    "members": (Member, Member.id, _member, MEMBER_COLUMNS),
    "ledger": (PointsEntry, PointsEntry.created_at, _entry, LEDGER_COLUMNS),
    "orders": (Order, Order.placed_at, _order, ORDER_COLUMNS),
}


def columns(kind: str) -> tuple[str, ...]:
    return _SOURCES[kind][3]


def count(session: Session, tenant_id: uuid.UUID, kind: str) -> int:
    model = _SOURCES[kind][0]
    stmt = select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
    return int(session.scalar(stmt) or 0)


def rows(session: Session, tenant_id: uuid.UUID, kind: str) -> Iterator[dict[str, Any]]:
    """The tenant's rows of ``kind``, oldest first, streamed."""
    model, order, shape, _ = _SOURCES[kind]
    stmt = (
        select(model)
        .where(model.tenant_id == tenant_id)
        .order_by(order, model.id)
        .execution_options(yield_per=STREAM)
    )
    for partition in session.scalars(stmt).partitions():
        for obj in partition:
            yield shape(obj)
        session.expunge_all()  # what was written out leaves the identity map


class Writer:
    """CSV (a header row, empty cells for nulls) or JSONL (one object a line)."""

    def __init__(self, out: IO[str], fmt: str, header: tuple[str, ...]) -> None:
        self.out = out
        self.fmt = fmt
        self.header = header
        self._csv = None
        if fmt == "csv":
            self._csv = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n")
            self._csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow({k: ("" if v is None else v) for k, v in row.items()})
        else:
            self.out.write(json.dumps(row, separators=(",", ":")) + "\n")
