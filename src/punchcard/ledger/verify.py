"""`punchcard verify`: prove the member cache equals what the journal says.

Invariants, per member:
1. every lot: 0 <= remaining <= amount and remaining == amount - allocations to it
2. every non-clawback debit: |amount| == allocations for it (fully covered)
3. every clawback: allocations for it <= |amount|; the uncovered rest is the debt
4. points_debt == sum of uncovered clawbacks, and no lot has points left while in debt
5. points_balance == sum(lot remaining) - debt == sum of posted journal amounts
6. pending_points == sum of pending credits; lifetime == approved credits - clawbacks
7. balance < 0 only with a clawback debt
Per order: points clawed back never exceed points awarded, and both match the journal.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from punchcard.models import Member, Order, PointsAllocation, PointsEntry, PointsLot

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
    """Check every member (of one tenant, or one member, when given)."""
    report = Report()
    stmt = select(Member).order_by(Member.tenant_id, Member.id)
    if tenant_id is not None:
        stmt = stmt.where(Member.tenant_id == tenant_id)
    if member_id is not None:
        stmt = stmt.where(Member.id == member_id)
    for member in session.scalars(stmt).yield_per(500):
        verify_member(session, member, report)
    _verify_orders(session, report, tenant_id, member_id)
    return report


def verify_member(session: Session, member: Member, report: Report) -> None:
    report.members += 1
    t, m = f"ten_{member.tenant_id.hex}", f"mem_{member.id.hex}"

    def bad(invariant: str, expected: object, found: object) -> None:
        report.violations.append(Violation(t, m, invariant, expected, found))

    scope = (PointsEntry.tenant_id == member.tenant_id, PointsEntry.member_id == member.id)
    entries = list(session.scalars(select(PointsEntry).where(*scope)))
    lots = list(
        session.scalars(
            select(PointsLot).where(
                PointsLot.tenant_id == member.tenant_id, PointsLot.member_id == member.id
            )
        )
    )
    allocated_to_lot: dict[uuid.UUID, int] = defaultdict(int)
    allocated_for_debit: dict[uuid.UUID, int] = defaultdict(int)
    for a in session.scalars(
        select(PointsAllocation).where(
            PointsAllocation.tenant_id == member.tenant_id, PointsAllocation.member_id == member.id
        )
    ):
        allocated_to_lot[a.lot_id] += a.points
        allocated_for_debit[a.debit_entry_id] += a.points
    report.entries += len(entries)
    report.lots += len(lots)

    remaining = 0
    for lot in lots:
        if not 0 <= lot.remaining <= lot.amount:
            bad(f"lot {lot.id.hex} remaining within 0..amount", f"0..{lot.amount}", lot.remaining)
        if lot.remaining != lot.amount - allocated_to_lot[lot.id]:
            bad(
                f"lot {lot.id.hex} remaining == amount - allocations",
                lot.amount - allocated_to_lot[lot.id],
                lot.remaining,
            )
        remaining += lot.remaining

    debt = 0
    posted = pending = lifetime = 0
    lot_ids = {lot.id for lot in lots}
    for e in entries:
        if e.amount > 0:
            if e.status == "pending":
                pending += e.amount
            elif e.status in APPROVED:
                posted += e.amount
                lifetime += e.amount
                if e.id not in lot_ids:
                    bad(f"approved credit {e.id.hex} has a lot", "lot", "none")
            elif e.status not in REJECTED:
                bad(f"credit {e.id.hex} status", "pending/approved/rejected", e.status)
        elif e.status == "pending_deduction":
            pending += e.amount
            if allocated_for_debit[e.id]:
                bad(f"pending deduction {e.id.hex} consumed nothing", 0, allocated_for_debit[e.id])
        elif e.status in REJECTED:
            if allocated_for_debit[e.id]:
                bad(f"rejected deduction {e.id.hex} consumed nothing", 0, allocated_for_debit[e.id])
        elif e.amount < 0:
            posted += e.amount
            covered = allocated_for_debit[e.id]
            if e.type == "clawback":
                lifetime += e.amount
                if covered > -e.amount:
                    bad(f"clawback {e.id.hex} over-covered", -e.amount, covered)
                debt += -e.amount - covered
            elif covered != -e.amount:
                bad(f"{e.type} {e.id.hex} fully allocated", -e.amount, covered)
        else:
            bad(f"entry {e.id.hex} non-zero", "non-zero", 0)

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
    if member.points_balance < 0 and member.points_debt <= 0:
        bad("balance < 0 only through clawback debt", ">= 0", member.points_balance)


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
