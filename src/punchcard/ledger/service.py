"""The points ledger: every balance change goes through here.

Rules (SPEC section 2):
- The journal is append-only; a correction is a new entry.
- Balance = what is left of approved lots, minus any clawback debt. Pending points
  show but cannot be spent. Lifetime = approved credits net of clawbacks.
- Spending consumes lots oldest first; expiry removes what is left of a lot.
- No overdraft: only a clawback may take the balance below zero, as a debt that
  later credits pay off before they become spendable.

Every function here expects the member row to be *locked* by the caller
(``members.service.lock``), so concurrent changes on one member run one at a time.
The member's cached numbers are updated in the same transaction as the journal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import InsufficientPoints, ValidationFailed
from punchcard.events import data as event_data
from punchcard.events.service import emit, lane
from punchcard.ledger.repository import LedgerRepository
from punchcard.models import Member, Order, PointsEntry, PointsLot
from punchcard.tenants.snapshot import snapshot
from punchcard.tiers import service as tiers

APPROVED = ("approved", "auto_approved")
MAX_POINTS = 10**12


@dataclass(frozen=True)
class Refs:
    """What an entry is about; all optional."""

    description: str | None = None
    activity_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    store_id: uuid.UUID | None = None
    coupon_id: uuid.UUID | None = None
    reward_id: uuid.UUID | None = None


def _check_amount(amount: int, field: str = "amount") -> None:
    if amount <= 0 or amount > MAX_POINTS:
        raise ValidationFailed(f"{field} must be between 1 and {MAX_POINTS}", field=field)


def _entry(
    session: Session, member: Member, type_: str, amount: int, status: str, refs: Refs, **kw: object
) -> PointsEntry:
    entry = PointsEntry(
        tenant_id=member.tenant_id,
        id=kw.pop("id", None) or _new_id(),
        member_id=member.id,
        type=type_,
        amount=amount,
        status=status,
        balance_after=member.points_balance,
        description=refs.description,
        activity_id=refs.activity_id,
        order_id=refs.order_id,
        store_id=refs.store_id,
        coupon_id=refs.coupon_id,
        reward_id=refs.reward_id,
        created_at=now(session),
        **kw,
    )
    session.add(entry)
    return entry


def _new_id() -> uuid.UUID:
    from punchcard.kit.ids import new_id

    return new_id()


def default_expiry(
    session: Session, member: Member, at: datetime, days: int | None = None
) -> datetime | None:
    """A lot's expiry: the given period, else the tenant's default, else never."""
    if days is None:
        days = snapshot(session, member.tenant_id).settings.points_expiry_days
    return at + timedelta(days=days) if days else None


# Credits --------------------------------------------------------------------------


def credit(
    session: Session,
    member: Member,
    *,
    amount: int,
    refs: Refs = Refs(),
    type_: str = "award",
    pending: bool = False,
    status: str = "approved",
    expires_at: datetime | None = None,
    expiry_days: int | None = None,
) -> PointsEntry:
    """Award ``amount`` points: approved at once (``status``: approved or
    auto_approved), or pending until a decision."""
    _check_amount(amount)
    expire_due(session, member)
    at = now(session)
    expiry = (
        expires_at if expires_at is not None else default_expiry(session, member, at, expiry_days)
    )
    if pending:
        member.pending_points += amount
        entry = _entry(session, member, type_, amount, "pending", refs, expires_at=expiry)
        session.flush()
        return entry
    entry = _entry(session, member, type_, amount, status, refs, expires_at=expiry, decided_at=at)
    _open_lot(session, member, entry)
    entry.balance_after = member.points_balance
    tiers.count_period_points(session, member, entry)
    session.flush()
    _after_change(session, member, "points.awarded", entry)
    return entry


def approve(
    session: Session, member: Member, entry: PointsEntry, *, status: str = "approved"
) -> PointsEntry:
    """Turn a pending credit into spendable points."""
    if entry.status != "pending" or entry.amount <= 0:
        raise ValidationFailed("Only a pending credit can be approved", field="status")
    expire_due(session, member)
    member.pending_points -= entry.amount
    entry.status = status
    entry.decided_at = now(session)
    _open_lot(session, member, entry)
    tiers.count_period_points(session, member, entry)
    session.flush()
    _after_change(session, member, "points.awarded", entry)
    # Returns recorded while the award was pending now take effect.
    for deduction in _pending_deductions(session, entry):
        member.pending_points -= deduction.amount  # amount is negative: give it back
        _apply_clawback(session, member, deduction)
    return entry


def reject(
    session: Session, member: Member, entry: PointsEntry, *, status: str = "rejected"
) -> PointsEntry:
    if entry.status != "pending" or entry.amount <= 0:
        raise ValidationFailed("Only a pending credit can be rejected", field="status")
    member.pending_points -= entry.amount
    entry.status = status
    entry.decided_at = now(session)
    withdrawn = 0
    for deduction in _pending_deductions(session, entry):
        # The award never happened, so neither does the return against it.
        member.pending_points -= deduction.amount
        deduction.status = status
        deduction.decided_at = entry.decided_at
        withdrawn += -deduction.amount
    if entry.order_id is not None:
        order = session.get(Order, (entry.tenant_id, entry.order_id))
        if order is not None:
            order.points_awarded -= entry.amount
            order.points_clawed_back -= withdrawn
    session.flush()
    return entry


def _pending_deductions(session: Session, entry: PointsEntry) -> list[PointsEntry]:
    if entry.order_id is None:
        return []
    repo = LedgerRepository(session, entry.tenant_id)
    return [
        e
        for e in repo.entries_for_order(entry.order_id)
        if e.type == "clawback" and e.status == "pending_deduction"
    ]


def _open_lot(session: Session, member: Member, entry: PointsEntry) -> None:
    """Create the entry's lot; pay off clawback debt from it first."""
    repo = LedgerRepository(session, member.tenant_id)
    at = now(session)
    remaining = entry.amount
    if member.points_debt > 0:
        for clawback_id, owed in repo.outstanding_clawbacks(member.id):
            pay = min(owed, remaining)
            if pay <= 0:
                break
            repo.allocate(member.id, clawback_id, entry.id, pay, at)
            remaining -= pay
            member.points_debt -= pay
    session.add(
        PointsLot(
            tenant_id=member.tenant_id,
            id=entry.id,
            member_id=member.id,
            amount=entry.amount,
            remaining=remaining,
            expires_at=entry.expires_at,
            created_at=entry.created_at,
        )
    )
    member.points_balance += entry.amount
    member.lifetime_points += entry.amount
    member.last_activity_at = at


# Debits ---------------------------------------------------------------------------


def debit(
    session: Session,
    member: Member,
    *,
    amount: int,
    refs: Refs = Refs(),
    type_: str = "deduct",
) -> PointsEntry:
    """Spend ``amount`` points (redeem or deduct), oldest lots first; never overdraws."""
    _check_amount(amount)
    require_balance(session, member, amount)
    status = "redeemed" if type_ == "redeem" else "deducted"
    member.points_balance -= amount
    if type_ == "redeem":
        member.points_redeemed += amount
    elif type_ == "deduct":
        member.points_deducted += amount
    entry = _entry(session, member, type_, -amount, status, refs, decided_at=now(session))
    session.flush()
    left = _consume(session, member, entry, amount)
    assert left == 0, "balance cache and lots disagree"
    member.last_activity_at = now(session)
    session.flush()
    _after_change(session, member, "points.deducted", entry)
    return entry


def require_balance(session: Session, member: Member, amount: int) -> None:
    """Refuse (InsufficientPoints, nothing written) unless ``amount`` is spendable now."""
    expire_due(session, member)
    if member.points_balance < amount:
        raise InsufficientPoints(
            f"The member has {max(member.points_balance, 0)} points available; {amount} requested",
            field="amount",
            extra={"balance": member.points_balance, "requested": amount},
        )


def clawback(
    session: Session,
    member: Member,
    *,
    amount: int,
    refs: Refs = Refs(),
    pending: bool = False,
) -> PointsEntry:
    """Take back points for a refund or return. The only debit that may overdraw:
    what the lots cannot cover becomes a debt. ``pending``: the award it reverses is
    itself still pending, so the deduction waits for that decision
    (``pending_deduction``) and only lowers the pending points meanwhile."""
    _check_amount(amount)
    expire_due(session, member)
    if pending:
        member.pending_points -= amount
        entry = _entry(session, member, "clawback", -amount, "pending_deduction", refs)
        session.flush()
        return entry
    entry = _entry(session, member, "clawback", -amount, "deducted", refs)
    session.flush()
    _apply_clawback(session, member, entry)
    return entry


def _apply_clawback(session: Session, member: Member, entry: PointsEntry) -> None:
    amount = -entry.amount
    member.points_balance -= amount
    member.lifetime_points -= amount
    member.points_deducted += amount
    entry.status = "deducted"
    entry.decided_at = now(session)
    entry.balance_after = member.points_balance
    uncovered = _consume(session, member, entry, amount)
    member.points_debt += uncovered
    tiers.count_period_points(session, member, entry)
    session.flush()
    _after_change(session, member, "points.deducted", entry)


def _consume(session: Session, member: Member, entry: PointsEntry, amount: int) -> int:
    """Allocate ``amount`` from open lots, oldest first. Returns what was not covered."""
    repo = LedgerRepository(session, member.tenant_id)
    at = now(session)
    left = amount
    for lot in repo.open_lots(member.id):
        if left == 0:
            break
        take = min(lot.remaining, left)
        lot.remaining -= take
        repo.allocate(member.id, entry.id, lot.id, take, at)
        left -= take
        if lot.remaining == 0:
            _mark_credit(session, lot, "exhausted")
    return left


def _mark_credit(session: Session, lot: PointsLot, status: str) -> None:
    """ShopSocially's lifecycle: an award fully spent is ``exhausted``; one whose
    remainder lapsed is ``expired``. Only the status moves, never the amount."""
    credit = session.get(PointsEntry, (lot.tenant_id, lot.id))
    if credit is not None and credit.status in APPROVED:
        credit.status = status


# Expiry ---------------------------------------------------------------------------


def expire_due(session: Session, member: Member) -> list[PointsEntry]:
    """Write ``expire`` entries for what is left of every lot past its expiry."""
    repo = LedgerRepository(session, member.tenant_id)
    at = now(session)
    entries = []
    for lot in repo.due_lots(member.id, at):
        points = lot.remaining
        lot.remaining = 0
        _mark_credit(session, lot, "expired")
        member.points_balance -= points
        member.points_expired += points
        entry = _entry(
            session,
            member,
            "expire",
            -points,
            "expired",
            Refs(description="Points expired"),
            related_entry_id=lot.id,
            decided_at=at,
        )
        session.flush()
        repo.allocate(member.id, entry.id, lot.id, points, at)
        entries.append(entry)
    if entries:
        session.flush()
        for entry in entries:
            emit(
                session,
                member.tenant_id,
                "points.expired",
                event_data.points(member, entry),
                resource_id=lane("mem", member.id),
            )
    return entries


def available(session: Session, member: Member) -> int:
    """The spendable balance right now: the cache less lots already past expiry that
    no write (or expiry job) has removed yet. Reads show this; writes expire first."""
    due = LedgerRepository(session, member.tenant_id).due_lots(member.id, now(session))
    return member.points_balance - sum(lot.remaining for lot in due)


# Shared ---------------------------------------------------------------------------


def _after_change(session: Session, member: Member, event: str, entry: PointsEntry) -> None:
    emit(
        session,
        member.tenant_id,
        event,
        event_data.points(member, entry),
        resource_id=lane("mem", member.id),
    )
    tiers.reevaluate(session, member)
