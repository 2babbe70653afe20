"""The ledger's two write paths (``ledger.service``): the set-based path for the common
changes and the ORM path for the rest write the same rows.

A property test drives three members of one tenant through the same random history —
awards with and without expiry, several awards in one transaction, pending awards and
their approval, redeems, deducts, clawbacks (debt), expiry, a clock moving across days
and a tier-period boundary — one member with the set-based path on, one with it forced
off (``FAST_PATH``), and one whose awards go through the bulk credit
(``ledger.Credits``, as an order batch credits), and compares everything written:
entries, lots, allocations, the member's cache, outbox events and webhook deliveries
(ids mapped to their order, so only generated ids differ).

Then ``members.next_expiry_at``: `verify` flags a wrong value, a change reads no lots
while it lies ahead, and the objects the set-based path hands back behave as flushed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

from punchcard.db.uow import Database
from punchcard.errors import InsufficientPoints
from punchcard.events.service import lane
from punchcard.kit.ids import new_id
from punchcard.ledger import service as ledger
from punchcard.ledger.verify import verify_all
from punchcard.members.repository import MemberRepository
from punchcard.models import (
    Member,
    OutboxEvent,
    PointsAllocation,
    PointsEntry,
    PointsLot,
    Tier,
    WebhookDelivery,
    WebhookEndpoint,
)
from punchcard.tenants.service import create_tenant
from tests.conftest import TestClock

EXPIRY = st.sampled_from([None, None, 1, 3, 20])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("award"), st.integers(1, 400), EXPIRY),
        st.tuples(st.just("awards"), st.lists(st.integers(1, 400), min_size=2, max_size=5), EXPIRY),
        st.tuples(st.just("pending"), st.integers(1, 200), EXPIRY),
        st.tuples(st.just("approve"), st.just(0), st.none()),
        st.tuples(st.sampled_from(["redeem", "deduct"]), st.integers(1, 500), st.none()),
        st.tuples(st.just("clawback"), st.integers(1, 300), st.none()),
        st.tuples(st.just("expire"), st.just(0), st.none()),
        st.tuples(st.just("advance"), st.integers(0, 6), st.none()),
    ),
    min_size=1,
    max_size=30,
)

# The member columns the ledger writes (``updated_at`` is not one of them).
MEMBER_CACHE = (
    "points_balance",
    "pending_points",
    "lifetime_points",
    "points_debt",
    "points_redeemed",
    "points_expired",
    "points_deducted",
    "period_points",
    "period_start",
    "period_end",
    "next_expiry_at",
    "last_activity_at",
    "tier_id",
    "period_tier_id",
    "lifetime_tier_id",
)


def _setup(db: Database, *, tiers: bool = True, members: int = 2) -> tuple[uuid.UUID, ...]:
    """A tenant with two tiers (unless not ``tiers``) and a webhook endpoint for every
    event; ``members`` members. Returns the tenant's id, then the members'."""
    with db.transaction() as s:
        t = create_tenant(s, name="Paths Co")
        at = db.clock.now()
        for kind, points in (("lifetime", 600), ("period", 300)) if tiers else ():
            s.add(
                Tier(
                    tenant_id=t.id,
                    id=new_id(),
                    key=f"{kind}_{new_id().hex[-8:]}",
                    name=kind,
                    type=kind,
                    position=1,
                    min_points=points,
                    created_at=at,
                    updated_at=at,
                )
            )
        s.add(
            WebhookEndpoint(
                tenant_id=t.id,
                id=new_id(),
                url="https://example.com/hook",
                secret="s" * 32,
                event_types=["*"],
                enabled=True,
                created_at=at,
                updated_at=at,
            )
        )
        ids = []
        for _ in range(members):
            m = Member(
                tenant_id=t.id,
                id=new_id(),
                email=f"{new_id().hex}@example.com",
                status="active",
                enrolled_at=at,
                created_at=at,
                updated_at=at,
            )
            s.add(m)
            ids.append(m.id)
        s.flush()
        return (t.id, *ids)


def _apply(
    db: Database,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    op: tuple[Any, ...],
    *,
    bulk: bool = False,
) -> str:
    """Run one step of the history on one member; what it answered. ``bulk``: awards go
    through ``ledger.Credits`` (added one by one, written at the end)."""
    kind, amount, days = op
    try:
        with db.transaction() as s:
            member = MemberRepository(s, tenant_id).lock_by_id(member_id)
            assert member is not None
            if kind in ("award", "awards"):
                amounts = amount if kind == "awards" else [amount]
                if bulk:
                    credits = ledger.Credits(s)
                    for points in amounts:
                        credits.add(member, amount=points, expiry_days=days)
                    credits.write()
                else:
                    for points in amounts:
                        ledger.credit(s, member, amount=points, expiry_days=days)
            elif kind == "pending":
                ledger.credit(s, member, amount=amount, expiry_days=days, pending=True)
            elif kind == "approve":
                entry = s.scalars(
                    select(PointsEntry)
                    .where(
                        PointsEntry.tenant_id == tenant_id,
                        PointsEntry.member_id == member_id,
                        PointsEntry.status == "pending",
                    )
                    .order_by(PointsEntry.created_at, PointsEntry.id)
                ).first()
                if entry is None:
                    return "none pending"
                ledger.approve(s, member, entry)
            elif kind in ("redeem", "deduct"):
                ledger.debit(s, member, amount=amount, type_=kind)
            elif kind == "clawback":
                ledger.clawback(s, member, amount=amount)
            elif kind == "expire":
                ledger.expire_due(s, member)
            return f"ok {member.points_balance}"
    except InsufficientPoints:
        return "refused"


def _rows(s: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> dict[str, Any]:
    """Everything the ledger wrote for one member, with ids replaced by their order."""
    names: dict[str, str] = {str(member_id): "M", member_id.hex: "M"}

    def name(id_: Any) -> str | None:
        if id_ is None:
            return None
        return names.setdefault(str(id_), f"#{len(names)}")

    entries = s.scalars(
        select(PointsEntry)
        .where(PointsEntry.tenant_id == tenant_id, PointsEntry.member_id == member_id)
        .order_by(PointsEntry.created_at, PointsEntry.id)
    ).all()
    out: dict[str, Any] = {
        "entries": [
            (
                name(e.id),
                e.type,
                e.amount,
                e.status,
                e.balance_after,
                e.description,
                e.related_entry_id and name(e.related_entry_id),
                e.expires_at,
                e.created_at,
                e.decided_at,
            )
            for e in entries
        ]
    }
    lots = s.scalars(
        select(PointsLot).where(PointsLot.tenant_id == tenant_id, PointsLot.member_id == member_id)
    ).all()
    out["lots"] = sorted(
        (str(name(lot.id)), lot.amount, lot.remaining, lot.expires_at, lot.created_at)
        for lot in lots
    )
    allocations = s.scalars(
        select(PointsAllocation).where(
            PointsAllocation.tenant_id == tenant_id, PointsAllocation.member_id == member_id
        )
    ).all()
    out["allocations"] = sorted(
        (str(name(a.debit_entry_id)), str(name(a.lot_id)), a.points, a.created_at)
        for a in allocations
    )
    member = s.get(Member, (tenant_id, member_id))
    assert member is not None
    out["member"] = {c: getattr(member, c) for c in MEMBER_CACHE}
    events = s.scalars(
        select(OutboxEvent)
        .where(
            OutboxEvent.tenant_id == tenant_id, OutboxEvent.resource_id == lane("mem", member_id)
        )
        .order_by(OutboxEvent.created_at, OutboxEvent.id)
    ).all()
    rendered = []
    for e in events:
        body = json.dumps(e.payload, sort_keys=True)
        for raw, alias in names.items():
            body = body.replace(raw, alias)
        rendered.append((name(e.id), e.type, body, e.created_at))
    out["events"] = rendered
    deliveries = s.scalars(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.tenant_id == tenant_id,
            WebhookDelivery.resource_id == lane("mem", member_id),
        )
        .order_by(WebhookDelivery.seq)
    ).all()
    out["deliveries"] = [
        (name(d.event_id), d.event_type, d.seq, d.status, d.next_attempt_at, d.created_at)
        for d in deliveries
    ]
    return out


@pytest.fixture
def paths() -> Iterator[None]:
    yield
    ledger.FAST_PATH = True


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=OPS)
def test_both_write_paths_write_the_same_rows(
    db: Database, clock: TestClock, paths: None, ops: list[tuple[Any, ...]]
) -> None:
    # Late December: a few advances cross the tier period (the year) boundary.
    clock.freeze(datetime(2026, 12, 24, 9, tzinfo=UTC))
    tenant_id, fast, orm, bulk = _setup(db, members=3)
    for op in ops:
        if op[0] == "advance":
            clock.advance(days=op[1], hours=7)
            continue
        ledger.FAST_PATH = True
        answer = _apply(db, tenant_id, fast, op)
        assert _apply(db, tenant_id, bulk, op, bulk=True) == answer, op
        ledger.FAST_PATH = False
        assert _apply(db, tenant_id, orm, op) == answer, op
    ledger.FAST_PATH = True
    with db.transaction(write=False) as s:
        a, b, c = (_rows(s, tenant_id, m) for m in (fast, orm, bulk))
        for part in a:
            assert a[part] == b[part], part
            assert a[part] == c[part], part
        report = verify_all(s, tenant_id)
        assert report.ok, report.violations


def _award_with_expiry(db: Database, days: int) -> tuple[uuid.UUID, uuid.UUID]:
    if not isinstance(db.clock, TestClock) or db.clock.now() != db.clock.now():
        raise AssertionError("freeze the clock first")
    tenant_id, member_id, _ = _setup(db)
    with db.transaction() as s:
        member = MemberRepository(s, tenant_id).lock_by_id(member_id)
        assert member is not None
        ledger.credit(s, member, amount=50, expiry_days=days)
        assert member.next_expiry_at == db.clock.now() + timedelta(days=days)
    return tenant_id, member_id


def _set_next_expiry(db: Database, tenant_id: uuid.UUID, member_id: uuid.UUID, at: Any) -> None:
    with db.transaction() as s:
        s.execute(
            update(Member)
            .where(Member.tenant_id == tenant_id, Member.id == member_id)
            .values(next_expiry_at=at)
        )


def test_verify_flags_a_next_expiry_later_than_an_open_lot(db: Database, clock: TestClock) -> None:
    clock.freeze()
    tenant_id, member_id = _award_with_expiry(db, 10)
    with db.transaction(write=False) as s:
        assert verify_all(s, tenant_id).ok
    for wrong in (db.clock.now() + timedelta(days=11), None):
        _set_next_expiry(db, tenant_id, member_id, wrong)
        with db.transaction(write=False) as s:
            report = verify_all(s, tenant_id)
        assert [v.invariant for v in report.violations] == [
            "next_expiry_at <= every open lot's expiry"
        ], wrong
    # Put it right again: the suite's database is shared, and a whole-database `verify`
    # (the import tests run one) must not meet this test's deliberate damage.
    _set_next_expiry(db, tenant_id, member_id, db.clock.now() + timedelta(days=10))
    with db.transaction(write=False) as s:
        assert verify_all(s, tenant_id).ok


def test_verify_accepts_a_next_expiry_earlier_than_every_open_lot(
    db: Database, clock: TestClock
) -> None:
    """A lower bound, not the exact value: a debit may leave it where it was."""
    clock.freeze()
    tenant_id, member_id = _award_with_expiry(db, 10)
    _set_next_expiry(db, tenant_id, member_id, db.clock.now() + timedelta(days=2))
    with db.transaction(write=False) as s:
        assert verify_all(s, tenant_id).ok


def _statements(db: Database) -> tuple[list[str], Any]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", record)
    return seen, record


def test_a_change_reads_no_lots_while_the_next_expiry_lies_ahead(
    db: Database, clock: TestClock
) -> None:
    clock.freeze(datetime(2026, 3, 1, tzinfo=UTC))
    tenant_id, member_id = _award_with_expiry(db, 10)
    seen, record = _statements(db)
    try:
        with db.transaction() as s:
            member = MemberRepository(s, tenant_id).lock_by_id(member_id)
            assert member is not None
            ledger.credit(s, member, amount=5)
        assert not [q for q in seen if "FROM points_lots" in q]
        # Once it is due, the check runs, expires the lot and recomputes the bound.
        clock.advance(days=11)
        seen.clear()
        with db.transaction() as s:
            member = MemberRepository(s, tenant_id).lock_by_id(member_id)
            assert member is not None
            ledger.credit(s, member, amount=5)
            assert member.points_balance == 10 and member.points_expired == 50
            assert member.next_expiry_at is None
        assert [q for q in seen if "FROM points_lots" in q]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    with db.transaction(write=False) as s:
        assert verify_all(s, tenant_id).ok


def test_the_set_based_path_hands_back_flushed_objects(db: Database) -> None:
    """The award's entry is a persistent session object, the member holds the row's
    values with nothing left to write, and a later change to either is one UPDATE."""
    tenant_id, member_id, _ = _setup(db)
    with db.transaction() as s:
        member = MemberRepository(s, tenant_id).lock_by_id(member_id)
        assert member is not None
        entry = ledger.credit(s, member, amount=40)
        assert entry in s and entry not in s.new and entry not in s.dirty
        assert member.points_balance == 40 and entry.balance_after == 40
        # Nothing of the ledger's is left for the ORM to write (the tier evaluation's
        # own first count of the period is — period_points and its bounds — but it is
        # not the ledger's, and no query autoflushes it any more: the tenant snapshot).
        assert not set(instance_state(member).committed_state) & set(MEMBER_CACHE[:7])
        s.flush()
        debit = ledger.debit(s, member, amount=15, type_="redeem")
        assert debit.amount == -15 and debit.balance_after == 25
        assert member.points_balance == 25 and member.points_redeemed == 15
        assert not set(instance_state(member).committed_state) & set(MEMBER_CACHE[:12])
        assert not s.new and debit not in s.dirty and entry not in s.dirty
        entry.description = "changed after"
        member.first_name = "Ada"
        seen, record = _statements(db)
        try:
            s.flush()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert len(seen) == 2 and all(q.startswith("UPDATE") for q in seen), seen
    with db.transaction(write=False) as s:
        stored = s.get(Member, (tenant_id, member_id))
        assert stored is not None and stored.points_balance == 25
        assert stored.first_name == "Ada"
        got = s.get(PointsEntry, (tenant_id, entry.id))
        assert got is not None and got.description == "changed after"
        assert verify_all(s, tenant_id).ok


def test_a_savepoint_rolled_back_after_a_set_based_change_leaves_no_stale_member(
    db: Database,
) -> None:
    """The Core statements roll back with the savepoint; the member object, set without
    history, must be expired with them, or the next change would start from the lost
    balance. (No tiers: their evaluation would touch the member through the ORM.)"""
    tenant_id, member_id, _ = _setup(db, tiers=False)
    with db.transaction() as s:
        member = MemberRepository(s, tenant_id).lock_by_id(member_id)
        assert member is not None
        ledger.credit(s, member, amount=30)
        s.flush()
        savepoint = s.begin_nested()
        ledger.credit(s, member, amount=7)
        ledger.debit(s, member, amount=31, type_="deduct")
        assert member.points_balance == 6
        savepoint.rollback()
        assert member.points_balance == 30
        ledger.debit(s, member, amount=10, type_="redeem")
        assert member.points_balance == 20 and member.points_deducted == 0
    with db.transaction(write=False) as s:
        stored = s.get(Member, (tenant_id, member_id))
        assert stored is not None and stored.points_balance == 20
        assert verify_all(s, tenant_id).ok


def test_lots_and_credits_the_session_holds_follow_a_set_based_debit(db: Database) -> None:
    """Lots and credit entries already loaded show what the Core statements wrote,
    whether their values were loaded or expired."""
    tenant_id, member_id, _ = _setup(db)
    with db.transaction() as s:
        member = MemberRepository(s, tenant_id).lock_by_id(member_id)
        assert member is not None
        first = ledger.credit(s, member, amount=10)
        second = ledger.credit(s, member, amount=10)
        lots = {
            lot.id: lot
            for lot in s.scalars(select(PointsLot).where(PointsLot.member_id == member_id))
        }
        s.expire(lots[second.id])
        ledger.debit(s, member, amount=14, type_="deduct")
        assert lots[first.id].remaining == 0 and first.status == "exhausted"
        assert lots[second.id].remaining == 6 and second.status == "approved"
        s.expire(lots[second.id], ["remaining"])
        ledger.debit(s, member, amount=6, type_="redeem")
        assert lots[second.id].remaining == 0 and second.status == "exhausted"
        s.flush()
    with db.transaction(write=False) as s:
        stored = s.scalars(select(PointsLot.remaining).where(PointsLot.member_id == member_id))
        assert list(stored) == [0, 0]
        assert verify_all(s, tenant_id).ok
