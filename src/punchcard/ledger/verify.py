"""`punchcard verify`: prove the member cache equals what the journal says.

Invariants, per member:
1. every lot: 0 <= remaining <= amount and remaining == amount - allocations to it
2. every non-clawback debit: |amount| == allocations for it (fully covered)
3. every clawback: allocations for it <= |amount|; the uncovered rest is the debt
4. points_debt == sum of uncovered clawbacks, and no lot has points left while in debt
5. points_balance == sum(lot remaining) - debt == sum of posted journal amounts
6. pending_points == sum of pending credits; lifetime == approved credits - clawbacks
7. balance < 0 only with a clawback debt; redeemed / expired / deducted == those entries
8. period_points == what counts towards tiers, decided in [period_start, period_end)
9. next_expiry_at is a lower bound on the open lots' expiry: no open lot expires before
   it, and it is NULL only when no open lot expires at all
Per order: points clawed back never exceed points awarded, and both match the journal.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from punchcard.models import Member, Order, PointsAllocation, PointsEntry, PointsLot
from punchcard.tiers.service import counts_in_period

# Credits that were approved (they may since have been spent or have lapsed).
APPROVED = ("approved", "auto_approved", "exhausted", "expired")
REJECTED = ("rejected", "auto_rejected")


@dataclass(frozen=True)
class Violation:
    tenant: str
    member: str
    invariant: str
    expected: object
    found: object


@dataclass
class Report:
    members: int = 0
    entries: int = 0
    lots: int = 0
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def verify_all(
    session: Session, tenant_id: uuid.UUID | None = None, member_id: uuid.UUID | None = None
) -> Report:
    """Check every member (of one tenant, or one member, when given), then the orders."""
    report = Report()
    _verify_members(session, report, tenant_id, member_id)
    _verify_orders(session, report, tenant_id, member_id)
    return report


def verify_member(session: Session, member: Member, report: Report) -> None:
    """Check one member."""
    _verify_members(session, report, member.tenant_id, member.id)


# Four streams ordered by (tenant, member) — members, journal entries, lots, allocations
# — are merged one member at a time: a handful of queries and one pass over the data,
# holding one member's rows in memory. Rows, not ORM objects, and ids as the driver
# returns them (a hex string on SQLite, a UUID on PostgreSQL; either sorts like the
# database sorts them), so that a million members take seconds, not minutes.


def _raw(column: Any) -> Any:
    return type_coerce(column, NullType()).label(column.key)


MEMBER_COLUMNS = (
    _raw(Member.tenant_id),
    _raw(Member.id).label("member_id"),
    Member.points_balance,
    Member.pending_points,
    Member.lifetime_points,
    Member.points_debt,
    Member.points_redeemed,
    Member.points_expired,
    Member.points_deducted,
    Member.period_points,
    Member.period_start,
    Member.period_end,
    Member.next_expiry_at,
)
ENTRY_COLUMNS = (
    _raw(PointsEntry.tenant_id),
    _raw(PointsEntry.member_id),
    _raw(PointsEntry.id),
    PointsEntry.type,
    PointsEntry.amount,
    PointsEntry.status,
    PointsEntry.decided_at,
)
LOT_COLUMNS = (
    _raw(PointsLot.tenant_id),
    _raw(PointsLot.member_id),
    _raw(PointsLot.id),
    PointsLot.amount,
    PointsLot.remaining,
    PointsLot.expires_at,
)
ALLOCATION_COLUMNS = (
    _raw(PointsAllocation.tenant_id),
    _raw(PointsAllocation.member_id),
    _raw(PointsAllocation.lot_id),
    _raw(PointsAllocation.debit_entry_id),
    PointsAllocation.points,
)
STREAM_BATCH = 5000


def _verify_members(
    session: Session, report: Report, tenant_id: uuid.UUID | None, member_id: uuid.UUID | None
) -> None:
    def stream(columns: tuple[Any, ...], model: Any, member_col: Any) -> Iterator[Row[Any]]:
        stmt = select(*columns).order_by(model.tenant_id, member_col)
        if tenant_id is not None:
            stmt = stmt.where(model.tenant_id == tenant_id)
        if member_id is not None:
            stmt = stmt.where(member_col == member_id)
        return iter(session.execute(stmt.execution_options(yield_per=STREAM_BATCH)))

    entries = _Stream(stream(ENTRY_COLUMNS, PointsEntry, PointsEntry.member_id))
    lots = _Stream(stream(LOT_COLUMNS, PointsLot, PointsLot.member_id))
    allocations = _Stream(stream(ALLOCATION_COLUMNS, PointsAllocation, PointsAllocation.member_id))
    for member in stream(MEMBER_COLUMNS, Member, Member.id):
        key = (member.tenant_id, member.member_id)
        _check_member(member, entries.take(key), lots.take(key), allocations.take(key), report)


class _Stream:
    """Rows ordered by (tenant_id, member_id), taken one member at a time."""

    def __init__(self, rows: Iterator[Row[Any]]) -> None:
        self._rows = rows
        self._advance()

    def _advance(self) -> None:
        self._head = next(self._rows, None)
        self._key = None if self._head is None else (self._head.tenant_id, self._head.member_id)

    def take(self, key: tuple[Any, Any]) -> list[Row[Any]]:
        out: list[Row[Any]] = []
        # Rows of a member missing from the members stream (only possible without the
        # foreign keys) are passed over.
        while self._key is not None and self._key <= key:
            if self._key == key:
                out.append(self._head)  # type: ignore[arg-type]
            self._advance()
        return out


def _hex(value: Any) -> str:
    return uuid.UUID(str(value)).hex


def _check_member(
    member: Row[Any],
    entries: list[Row[Any]],
    lots: list[Row[Any]],
    allocations: list[Row[Any]],
    report: Report,
) -> None:
    report.members += 1
    report.entries += len(entries)
    report.lots += len(lots)

    def bad(invariant: str, expected: object, found: object) -> None:
        report.violations.append(
            Violation(
                f"ten_{_hex(member.tenant_id)}",
                f"mem_{_hex(member.member_id)}",
                invariant,
                expected,
                found,
            )
        )

    allocated_to_lot: dict[Any, int] = defaultdict(int)
    allocated_for_debit: dict[Any, int] = defaultdict(int)
    for a in allocations:
        allocated_to_lot[a.lot_id] += a.points
        allocated_for_debit[a.debit_entry_id] += a.points
    remaining = 0
    for lot in lots:
        if not 0 <= lot.remaining <= lot.amount:
            bad(f"lot {_hex(lot.id)} remaining within 0..amount", f"0..{lot.amount}", lot.remaining)
        if lot.remaining != lot.amount - allocated_to_lot[lot.id]:
            bad(
                f"lot {_hex(lot.id)} remaining == amount - allocations",
                lot.amount - allocated_to_lot[lot.id],
                lot.remaining,
            )
        remaining += lot.remaining

    debt = 0
    posted = pending = lifetime = 0
    taken: dict[str, int] = defaultdict(int)  # debits that took effect, by type
    lot_ids = {lot.id for lot in lots}
    for e in entries:
        if e.amount > 0:
            if e.status == "pending":
                pending += e.amount
            elif e.status in APPROVED:
                posted += e.amount
                lifetime += e.amount
                if e.id not in lot_ids:
                    bad(f"approved credit {_hex(e.id)} has a lot", "lot", "none")
            elif e.status not in REJECTED:
                bad(f"credit {_hex(e.id)} status", "pending/approved/rejected", e.status)
        elif e.status == "pending_deduction":
            pending += e.amount
            if allocated_for_debit[e.id]:
                bad(
                    f"pending deduction {_hex(e.id)} consumed nothing", 0, allocated_for_debit[e.id]
                )
        elif e.status in REJECTED:
            if allocated_for_debit[e.id]:
                bad(
                    f"rejected deduction {_hex(e.id)} consumed nothing",
                    0,
                    allocated_for_debit[e.id],
                )
        elif e.amount < 0:
            posted += e.amount
            taken[e.type] -= e.amount
            covered = allocated_for_debit[e.id]
            if e.type == "clawback":
                lifetime += e.amount
                if covered > -e.amount:
                    bad(f"clawback {_hex(e.id)} over-covered", -e.amount, covered)
                debt += -e.amount - covered
            elif covered != -e.amount:
                bad(f"{e.type} {_hex(e.id)} fully allocated", -e.amount, covered)
        else:
            bad(f"entry {_hex(e.id)} non-zero", "non-zero", 0)

    if member.points_debt != debt:
        bad("points_debt == uncovered clawbacks", debt, member.points_debt)
    if debt > 0 and remaining > 0:
        bad("no spendable lot while in debt", 0, remaining)
    if member.points_balance != remaining - debt:
        bad("balance == sum(lot remaining) - debt", remaining - debt, member.points_balance)
    if member.points_balance != posted:
        bad("balance == sum(posted journal)", posted, member.points_balance)
    if member.pending_points != pending:
        bad("pending == sum(pending credits)", pending, member.pending_points)
    if member.lifetime_points != lifetime:
        bad("lifetime == approved credits - clawbacks", lifetime, member.lifetime_points)
    if member.points_redeemed != taken["redeem"]:
        bad("points_redeemed == redeem entries", taken["redeem"], member.points_redeemed)
    if member.points_expired != taken["expire"]:
        bad("points_expired == expire entries", taken["expire"], member.points_expired)
    if member.points_deducted != taken["deduct"] + taken["clawback"]:
        bad(
            "points_deducted == deduct and clawback entries",
            taken["deduct"] + taken["clawback"],
            member.points_deducted,
        )
    expiring = [lot.expires_at for lot in lots if lot.remaining > 0 and lot.expires_at]
    if expiring and (member.next_expiry_at is None or min(expiring) < member.next_expiry_at):
        bad(
            "next_expiry_at <= every open lot's expiry",
            f"<= {min(expiring).isoformat()}",
            member.next_expiry_at.isoformat() if member.next_expiry_at else None,
        )
    if member.points_balance < 0 and member.points_debt <= 0:
        bad("balance < 0 only through clawback debt", ">= 0", member.points_balance)
    start, end = member.period_start, member.period_end
    if start is not None and end is not None:
        earned = sum(
            e.amount
            for e in entries
            if e.decided_at is not None
            and start <= e.decided_at < end
            and counts_in_period(e.type, e.amount, e.status)
        )
        if member.period_points != earned:
            bad(
                "period_points == credits - clawbacks decided in the period",
                earned,
                member.period_points,
            )


def _verify_orders(
    session: Session, report: Report, tenant_id: uuid.UUID | None, member_id: uuid.UUID | None
) -> None:
    sums = (
        select(
            PointsEntry.tenant_id,
            PointsEntry.order_id,
            func.sum(PointsEntry.amount)
            .filter(PointsEntry.type == "award", PointsEntry.status.not_in(REJECTED))
            .label("awarded"),
            func.sum(-PointsEntry.amount)
            .filter(PointsEntry.type == "clawback", PointsEntry.status.not_in(REJECTED))
            .label("clawed"),
        )
        .where(PointsEntry.order_id.is_not(None))
        .group_by(PointsEntry.tenant_id, PointsEntry.order_id)
        .subquery()
    )
    stmt = select(Order, sums.c.awarded, sums.c.clawed).outerjoin(
        sums, (sums.c.tenant_id == Order.tenant_id) & (sums.c.order_id == Order.id)
    )
    if tenant_id is not None:
        stmt = stmt.where(Order.tenant_id == tenant_id)
    if member_id is not None:
        stmt = stmt.where(Order.member_id == member_id)
    for order, awarded, clawed in session.execute(stmt):
        t, o = f"ten_{order.tenant_id.hex}", f"ord_{order.id.hex}"
        awarded, clawed = int(awarded or 0), int(clawed or 0)
        if order.points_awarded != awarded:
            report.violations.append(
                Violation(
                    t, o, "order points_awarded == journal awards", awarded, order.points_awarded
                )
            )
        if order.points_clawed_back != clawed:
            report.violations.append(
                Violation(
                    t,
                    o,
                    "order points_clawed_back == journal clawbacks",
                    clawed,
                    order.points_clawed_back,
                )
            )
        if order.points_clawed_back > order.points_awarded:
            report.violations.append(
                Violation(
                    t, o, "clawback <= awarded", order.points_awarded, order.points_clawed_back
                )
            )
