"""What an entry's status means (``ledger/statuses.py``): decided, approved at, updated at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from punchcard.kit.ids import parse
from punchcard.ledger import statuses
from punchcard.models import PointsEntry
from tests.factories import Tenant, insert_member

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _entry(t: Tenant, txn_id: str) -> PointsEntry:
    with t.db.transaction(write=False) as s:
        entry = s.get(PointsEntry, (t.id, parse("txn", txn_id)))
        assert entry is not None
        s.expunge(entry)
        return entry


def _award(t: Tenant, approval: str) -> str:
    r = t.api.post("/activities", json={"name": "Review", "points": 30, "approval": approval})
    assert r.status_code == 201, r.text
    m = insert_member(t)
    done = t.api.post(f"/activities/{r.json()['id']}/award", json={"memberId": m})
    assert done.status_code == 201, done.text
    return str(done.json()["transaction"]["id"])


def _pending(t: Tenant) -> str:
    return _award(t, "manual")


def _decide(t: Tenant, txn_id: str, status: str) -> Any:
    r = t.api.patch(f"/points/transactions/{txn_id}", json={"status": status})
    assert r.status_code == 200, r.text


def test_a_pending_credit_is_undecided_and_not_approved(tenant: Tenant) -> None:
    entry = _entry(tenant, _pending(tenant))
    assert not statuses.is_decided(entry)
    assert statuses.approved_at(entry) is None


def test_an_approved_credit_was_approved_when_it_was_decided(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    clock.freeze(T0)
    txn = _pending(tenant)
    clock.advance(days=2)
    _decide(tenant, txn, "approved")
    entry = _entry(tenant, txn)
    assert statuses.is_decided(entry)
    assert statuses.approved_at(entry) == T0 + timedelta(days=2)


def test_a_rejected_credit_is_decided_but_never_approved(tenant: Tenant) -> None:
    txn = _pending(tenant)
    _decide(tenant, txn, "rejected")
    entry = _entry(tenant, txn)
    assert statuses.is_decided(entry) and entry.decided_at is not None
    assert statuses.approved_at(entry) is None


def test_an_auto_approved_credit_is_approved_when_it_was_written(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    clock.freeze(T0)
    entry = _entry(tenant, _award(tenant, "immediate"))
    assert entry.status == "auto_approved"
    assert statuses.approved_at(entry) == T0


def test_an_entry_was_last_updated_by_its_decision(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    clock.freeze(T0)
    txn = _pending(tenant)
    assert statuses.updated_at(_entry(tenant, txn)) == T0
    clock.advance(hours=5)
    _decide(tenant, txn, "rejected")
    assert statuses.updated_at(_entry(tenant, txn)) == T0 + timedelta(hours=5)
