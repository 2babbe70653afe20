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

Two write paths, one set of rules. The common changes — an approved credit on a member
without debt, a redeem or deduct — take the *set-based path*: reused Core statements
(the entry, the lot or the allocations, the lots taken from, and ONE ``UPDATE members``
moving the cache by increments, ``RETURNING`` it), with the locked ``Member`` object
brought in line through ``set_committed_value`` so nothing is written twice. Everything
else (debt repayment, clawbacks, pending credits and their decisions, expiry, a tier
period rollover, spending more lots than one batch holds) takes the ORM path.
``FAST_PATH = False`` forces the ORM path everywhere: tests/ledger/test_write_paths.py
drives both with the same random histories and proves they write the same rows.

The expiry check before a change reads nothing while the member's ``next_expiry_at``
(a lower bound on its open lots' expiry; NULL: none expires) lies in the future.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import flag_dirty, instance_state, set_committed_value
from sqlalchemy.orm.util import identity_key

from punchcard.db.pipeline import Pipeline
from punchcard.db.uow import now
from punchcard.errors import InsufficientPoints, PointsLimitExceeded, ValidationFailed
from punchcard.events import data as event_data
from punchcard.events.service import emit, emit_many, lane
from punchcard.ledger.repository import COUNTERS, ENTRY_COLUMNS, LedgerRepository
from punchcard.models import Member, Order, PointsEntry, PointsLot
from punchcard.tenants.snapshot import TenantSnapshot, snapshot
from punchcard.tiers import service as tiers

APPROVED = ("approved", "auto_approved")
MAX_POINTS = 10**12

# The set-based write path for the common changes (see the module docstring); False
# forces the ORM path (the write-path equivalence test runs both).
FAST_PATH = True


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


def check_limit(config: TenantSnapshot, amount: int, field: str = "amount") -> None:
    """422 POINTS_LIMIT_EXCEEDED when one award of ``amount`` points would credit more
    than the tenant's ``max_points_per_award`` (read from the snapshot: no statement)."""
    limit = config.settings.max_points_per_award
    if amount > limit:
        raise PointsLimitExceeded(
            f"{amount} points exceed the maximum of {limit} per award (maxPointsPerAward)",
            field=field,
            extra={"maxPointsPerAward": limit},
        )


def _entry(
    session: Session, member: Member, type_: str, amount: int, status: str, refs: Refs, **kw: object
) -> PointsEntry:
    """The ORM path's journal entry, added to the session: ``_entry_values``' row,
    decided only when ``decided_at`` is given."""
    kw.setdefault("decided_at", None)
    kw.setdefault("balance_after", member.points_balance)
    values = _entry_values(member, type_, amount, status, refs, now(session), **kw)
    entry = PointsEntry(**values)
    session.add(entry)
    return entry


def _new_id() -> uuid.UUID:
    from punchcard.kit.ids import new_id

    return new_id()


def default_expiry(
    session: Session,
    member: Member,
    at: datetime,
    days: int | None = None,
    *,
    config: TenantSnapshot | None = None,
) -> datetime | None:
    """A lot's expiry: the given period, else the tenant's default, else never
    (``config``: the tenant snapshot, when the caller holds it)."""
    if days is None:
        days = (config or snapshot(session, member.tenant_id)).settings.points_expiry_days
    return at + timedelta(days=days) if days else None


def _expiry(
    session: Session,
    member: Member,
    at: datetime,
    expires_at: datetime | None,
    expiry_days: int | None,
    config: TenantSnapshot | None = None,
) -> datetime | None:
    """A credit's lot expiry: the one given, else ``default_expiry``."""
    if expires_at is not None:
        return expires_at
    return default_expiry(session, member, at, expiry_days, config=config)


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
    reference: str | None = None,
) -> PointsEntry:
    """Award ``amount`` points: approved at once (``status``: approved or
    auto_approved), or pending until a decision. ``reference``: the caller's own
    reference for the entry (ShopSocially's order id on an activity award)."""
    _check_amount(amount)
    check_limit(snapshot(session, member.tenant_id), amount)
    expire_due(session, member)
    at = now(session)
    expiry = _expiry(session, member, at, expires_at, expiry_days)
    if pending:
        member.pending_points += amount
        entry = _entry(
            session, member, type_, amount, "pending", refs, expires_at=expiry, reference=reference
        )
        session.flush()
        return entry
    if _fast(session, member) and member.points_debt <= 0:
        fast = _credit_set_based(session, member, type_, amount, status, refs, expiry, reference)
        if fast is not None:
            tiers.reevaluate(session, member)
            return fast
    entry = _entry(
        session,
        member,
        type_,
        amount,
        status,
        refs,
        expires_at=expiry,
        decided_at=at,
        reference=reference,
    )
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
    next_expiry = lowered(member.next_expiry_at, entry.expires_at)
    if next_expiry != member.next_expiry_at:
        member.next_expiry_at = next_expiry


def lowered(next_expiry_at: datetime | None, expires_at: datetime | None) -> datetime | None:
    """``members.next_expiry_at`` after a lot expiring at ``expires_at`` opens: a lower
    bound on the open lots' expiry stays one if it drops to the new lot's."""
    if expires_at is None:
        return next_expiry_at
    if next_expiry_at is None or expires_at < next_expiry_at:
        return expires_at
    return next_expiry_at


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
    if _fast(session, member):
        fast = _debit_set_based(session, member, type_, amount, status, refs)
        if fast is not None:
            _after_change(session, member, "points.deducted", fast)
            return fast
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


def expiry_due(member: Member, at: datetime) -> bool:
    """Whether a lot of the member may be past its expiry at ``at``: never while the
    member's ``next_expiry_at`` (a lower bound on its open lots' expiry) is later."""
    return member.next_expiry_at is not None and member.next_expiry_at <= at


def expire_due(session: Session, member: Member, *, force: bool = False) -> list[PointsEntry]:
    """Write ``expire`` entries for what is left of every lot past its expiry. Reads
    nothing while ``next_expiry_at`` says no lot can be due (``force``: look anyway, as
    the expiry job does), and sets ``next_expiry_at`` to the exact earliest expiry of
    the lots left open."""
    at = now(session)
    if not force and not expiry_due(member, at):
        return []
    repo = LedgerRepository(session, member.tenant_id)
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
    next_expiry = repo.next_expiry(member.id)
    if next_expiry != member.next_expiry_at:
        member.next_expiry_at = next_expiry
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
    if not expiry_due(member, now(session)):
        return member.points_balance
    due = LedgerRepository(session, member.tenant_id).due_lots(member.id, now(session))
    return member.points_balance - sum(lot.remaining for lot in due)


# Shared ---------------------------------------------------------------------------


def _after_change(session: Session, member: Member, event: str, entry: PointsEntry) -> None:
    _emit(session, member, event, entry)
    tiers.reevaluate(session, member)


def _emit(session: Session, member: Member, event: str, entry: PointsEntry) -> None:
    emit(
        session,
        member.tenant_id,
        event,
        event_data.points(member, entry),
        resource_id=lane("mem", member.id),
    )


# The set-based path ----------------------------------------------------------------


def _fast(session: Session, member: Member) -> bool:
    """Whether this change may take the set-based path: on, and the member's row is
    what the database holds (pending ORM changes flushed first, so the Core statements
    see them and the member's cache is not written twice)."""
    if not FAST_PATH:
        return False
    session.flush()
    return instance_state(member).persistent


def _attach(session: Session, obj: object) -> None:
    """Put a row written by a Core statement into the session as if loaded: callers get
    the same persistent object the ORM path returns, and nothing is inserted again."""
    make_transient_to_detached(obj)
    session.add(obj)
    _written(session, obj)


def _written(session: Session, obj: object) -> None:
    """Inside a savepoint (``begin_nested``), mark an object whose row a Core statement
    changed: the session does not know it changed, and rolling the savepoint back must
    expire it as it expires what the ORM wrote there (a flush finds nothing to write)."""
    if session.in_nested_transaction():
        flag_dirty(obj)


def _commit_member(
    session: Session,
    member: Member,
    deltas: dict[str, int],
    *,
    next_expiry_at: datetime | None,
    at: datetime,
    before: dict[str, int] | None = None,
    pipe: Pipeline | None = None,
) -> Callable[[], None]:
    """The member's cache moved by ``deltas`` in one UPDATE ... RETURNING, and the locked
    object set to what the row now holds (no history: a later flush writes nothing).
    ``before``: the counters the row holds now, when the object is already ahead of it
    (the bulk credit moves it row by row first); by default the object's own.

    Returns the check that the row holds what the object now does: run at once, or,
    with ``pipe`` (the update queued in a PostgreSQL pipeline), by the caller once the
    pipeline has ended."""
    if before is None:
        before = {name: getattr(member, name) for name in COUNTERS}
    expected = {name: before[name] + deltas.get(name, 0) for name in COUNTERS}
    returned = LedgerRepository(session, member.tenant_id).member_delta(
        member.id, deltas, next_expiry_at=next_expiry_at, last_activity_at=at, pipe=pipe
    )
    for name in COUNTERS:
        set_committed_value(member, name, expected[name])
    set_committed_value(member, "next_expiry_at", next_expiry_at)
    set_committed_value(member, "last_activity_at", at)
    _written(session, member)

    def check() -> None:
        for name, value in zip(COUNTERS, returned.one(), strict=True):
            if value != expected[name]:  # pragma: no cover - the member row was not locked
                raise RuntimeError(
                    f"member {name} moved under the ledger: {value} != {expected[name]}"
                )

    if pipe is None or not pipe.open:
        check()
    return check


def _entry_values(
    member: Member, type_: str, amount: int, status: str, refs: Refs, at: datetime, **kw: object
) -> dict[str, object]:
    """A journal entry's row (every column), decided at ``at``; ``kw`` overrides."""
    values: dict[str, object] = dict.fromkeys(ENTRY_COLUMNS)
    values.update(
        tenant_id=member.tenant_id,
        id=_new_id(),
        member_id=member.id,
        type=type_,
        amount=amount,
        status=status,
        description=refs.description,
        activity_id=refs.activity_id,
        order_id=refs.order_id,
        store_id=refs.store_id,
        coupon_id=refs.coupon_id,
        reward_id=refs.reward_id,
        created_at=at,
        decided_at=at,
    )
    values.update(kw)
    return values


def _credit_set_based(
    session: Session,
    member: Member,
    type_: str,
    amount: int,
    status: str,
    refs: Refs,
    expiry: datetime | None,
    reference: str | None,
) -> PointsEntry | None:
    """An approved credit on a member without debt: entry, lot, member in three
    statements, then its ``points.awarded`` event (the caller re-evaluates the tier).
    None (nothing written) when the credit opens a new tier period: the ORM path rolls
    the period count over (``tiers.count_period_points``).

    On PostgreSQL the five writes (entry, lot, member, event, deliveries) go in one
    round trip (``db.pipeline``): nothing in between reads a result."""
    at = now(session)
    rows = _credit_rows(member, type_, amount, status, refs, expiry, reference, at)
    if rows is None:
        return None
    values, lot, deltas = rows
    repo = LedgerRepository(session, member.tenant_id)
    snapshot(session, member.tenant_id)  # the event's fan-out reads it: now, not piped
    with Pipeline(session) as pipe:
        repo.insert_entry(values)
        repo.insert_lot(lot)
        check = _commit_member(
            session,
            member,
            deltas,
            next_expiry_at=lowered(member.next_expiry_at, expiry),
            at=at,
            pipe=pipe,
        )
        entry = PointsEntry(**values)
        _attach(session, entry)
        _emit(session, member, "points.awarded", entry)
    check()
    return entry


def _credit_rows(
    member: Member,
    type_: str,
    amount: int,
    status: str,
    refs: Refs,
    expiry: datetime | None,
    reference: str | None,
    at: datetime,
) -> tuple[dict[str, object], dict[str, object], dict[str, int]] | None:
    """The set-based credit's rows: the entry's and the lot's column values and the
    member's counter deltas (``_credit_set_based`` writes one, ``Credits`` many). None
    when the credit opens a new tier period (the ORM path rolls the count over)."""
    period = 0
    if tiers.counts_in_period(type_, amount, status):
        start, end = member.period_start, member.period_end
        if start is not None and end is not None:
            if not start <= at < end:
                return None
            period = amount
    values = _entry_values(
        member,
        type_,
        amount,
        status,
        refs,
        at,
        balance_after=member.points_balance + amount,
        expires_at=expiry,
        reference=reference,
    )
    lot: dict[str, object] = {
        "tenant_id": member.tenant_id,
        "id": values["id"],
        "member_id": member.id,
        "amount": amount,
        "remaining": amount,
        "expires_at": expiry,
        "created_at": at,
    }
    deltas = {"points_balance": amount, "lifetime_points": amount, "period_points": period}
    return values, lot, deltas


class Credits:
    """``credit`` for many rows written together (an order batch): ``add`` each credit
    in order, then ``write``.

    A credit in the common case — approved, the member without debt, no lot due to
    expire, the member's tier period count already for the current period (the
    set-based path's conditions, and no period rollover or journal sum) — is decided in
    memory: its entry and lot values built by the set-based path's own code
    (``_credit_rows``), the locked member object moved at once (``set_committed_value``:
    the next row's balance, tier and multiplier see it), the member's tier evaluated as
    ``credit`` evaluates it (``tiers.evaluate``), and its ``points.awarded`` (and any
    ``tier.changed``) event kept in order. ``write`` then writes them all: one insert
    of the entries, one of the lots, one ``UPDATE members ... RETURNING`` per member
    (checked against what the object holds), one insert of the events and one of
    their deliveries (``emit_many``: lane positions as if emitted one by one); on
    PostgreSQL all in one round trip (``db.pipeline``).

    Any other credit first writes what is queued, then goes through ``credit`` as for
    one row, so the rows it reads and the lanes it joins are exactly as one by one.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._entries: list[dict[str, object]] = []
        self._lots: list[dict[str, object]] = []
        self._events: list[tiers.Event] = []
        # Per member touched: the object and the counters its row holds (not yet moved),
        # and the time of its last credit.
        self._members: dict[uuid.UUID, tuple[Member, dict[str, int]]] = {}
        self._last: dict[uuid.UUID, datetime] = {}
        self._configs: dict[uuid.UUID, TenantSnapshot] = {}

    def add(
        self,
        member: Member,
        *,
        amount: int,
        refs: Refs = Refs(),
        type_: str = "award",
        pending: bool = False,
        status: str = "approved",
        expires_at: datetime | None = None,
        expiry_days: int | None = None,
        reference: str | None = None,
    ) -> None:
        """``credit``'s arguments; the member locked by the caller, as for ``credit``."""
        _check_amount(amount)
        session = self.session
        at = now(session)
        rows = None
        expiry = None
        config = self._config(member.tenant_id)
        check_limit(config, amount)
        if not pending and self._common(member, at, config):
            expiry = _expiry(session, member, at, expires_at, expiry_days, config)
            rows = _credit_rows(member, type_, amount, status, refs, expiry, reference, at)
        if rows is None:
            self.write()
            credit(
                session,
                member,
                amount=amount,
                refs=refs,
                type_=type_,
                pending=pending,
                status=status,
                expires_at=expires_at,
                expiry_days=expiry_days,
                reference=reference,
            )
            return
        values, lot, deltas = rows
        if member.id not in self._members:
            if instance_state(member).modified:
                # What the ORM holds of the member first (``credit``'s tier evaluation
                # sets the period count): ``before`` must be what its row holds.
                session.flush()
            self._members[member.id] = (member, {n: getattr(member, n) for n in COUNTERS})
            _written(session, member)  # a savepoint rolled back reloads it
        for name, delta in deltas.items():
            set_committed_value(member, name, getattr(member, name) + delta)
        set_committed_value(member, "next_expiry_at", lowered(member.next_expiry_at, expiry))
        set_committed_value(member, "last_activity_at", at)
        self._last[member.id] = at
        self._entries.append(values)
        self._lots.append(lot)
        self._events.append(
            ("points.awarded", event_data.points(member, values), lane("mem", member.id))
        )
        change = tiers.evaluate(session, member, config=config)
        if change is not None:
            self._events.append(change)

    def _config(self, tenant_id: uuid.UUID) -> TenantSnapshot:
        """The tenant snapshot, read once (a batch changes no configuration)."""
        config = self._configs.get(tenant_id)
        if config is None:
            config = self._configs[tenant_id] = snapshot(self.session, tenant_id)
        return config

    def _common(self, member: Member, at: datetime, config: TenantSnapshot) -> bool:
        if not FAST_PATH or member.points_debt > 0 or expiry_due(member, at):
            return False
        if not instance_state(member).persistent:
            return False
        # The tier evaluation then reads the member's count, not the journal.
        period = tiers.current_period(config.settings, at)
        return member.period_start == period.start and member.period_end == period.end

    def write(self) -> None:
        """Write the credits queued since the last ``write`` (see the class docstring)."""
        if not self._entries:
            return
        session = self.session
        # What the ORM holds first: the orders the entries name, the tiers evaluated.
        session.flush()
        tenant_id = next(iter(self._members.values()))[0].tenant_id
        repo = LedgerRepository(session, tenant_id)
        snapshot(session, tenant_id)  # the fan-out reads it: now, not in the pipeline
        checks = []
        # On PostgreSQL one round trip for all of it (``db.pipeline``), as for one credit.
        with Pipeline(session) as pipe:
            repo.insert_entry(self._entries)
            repo.insert_lot(self._lots)
            for member, before in self._members.values():
                deltas = {name: getattr(member, name) - before[name] for name in COUNTERS}
                check = _commit_member(
                    session,
                    member,
                    deltas,
                    next_expiry_at=member.next_expiry_at,
                    at=self._last[member.id],
                    before=before,
                    pipe=pipe,
                )
                checks.append(check)
            emit_many(session, tenant_id, self._events)
        for check in checks:
            check()
        self._entries, self._lots, self._events = [], [], []
        self._members, self._last = {}, {}


def _debit_set_based(
    session: Session, member: Member, type_: str, amount: int, status: str, refs: Refs
) -> PointsEntry | None:
    """A redeem or deduct the member can afford (checked): entry, allocations, lots
    taken from, credits spent, member — one statement each. None (nothing written) when
    the first batch of open lots does not cover it: the ORM path reads on."""
    repo = LedgerRepository(session, member.tenant_id)
    takes: list[tuple[uuid.UUID, int]] = []
    spent: list[uuid.UUID] = []
    left = amount
    for lot_id, remaining in repo.open_lot_rows(member.id):
        take = min(remaining, left)
        takes.append((lot_id, take))
        if take == remaining:
            spent.append(lot_id)
        left -= take
        if left == 0:
            break
    if left:
        return None
    at = now(session)
    values = _entry_values(
        member, type_, -amount, status, refs, at, balance_after=member.points_balance - amount
    )
    repo.insert_entry(values)
    repo.insert_allocations(
        [
            {
                "tenant_id": member.tenant_id,
                "id": _new_id(),
                "member_id": member.id,
                "debit_entry_id": values["id"],
                "lot_id": lot_id,
                "points": take,
                "created_at": at,
            }
            for lot_id, take in takes
        ]
    )
    repo.take_from_lots(takes)
    if spent:
        repo.mark_credits(spent, "exhausted", APPROVED)
    for lot_id, take in takes:
        # Only a loaded value is moved: an expired one loads what the row now holds.
        lot = session.identity_map.get(identity_key(PointsLot, (member.tenant_id, lot_id)))
        if lot is not None and "remaining" in instance_state(lot).dict:
            set_committed_value(lot, "remaining", lot.remaining - take)
            _written(session, lot)
    for lot_id in spent:
        credit = session.identity_map.get(identity_key(PointsEntry, (member.tenant_id, lot_id)))
        if credit is not None and instance_state(credit).dict.get("status") in APPROVED:
            set_committed_value(credit, "status", "exhausted")
            _written(session, credit)
    kind = "points_redeemed" if type_ == "redeem" else "points_deducted"
    _commit_member(
        session,
        member,
        {"points_balance": -amount, kind: amount if type_ in ("redeem", "deduct") else 0},
        next_expiry_at=member.next_expiry_at,
        at=at,
    )
    entry = PointsEntry(**values)
    _attach(session, entry)
    return entry
