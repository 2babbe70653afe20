"""Work on a member does not grow with their history: the running period count, open lots
read a batch at a time, partial indexes, and a verify that streams (bench/scale.py
measures the same at a million entries)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update

from punchcard.kit.ids import parse
from punchcard.ledger.repository import LOT_BATCH
from punchcard.ledger.verify import verify_all
from punchcard.models import Member
from punchcard.models import Tenant as TenantRow
from punchcard.tiers import service as tiers
from tests.factories import Tenant, award, insert_member, unique, verify_tenant


def _member(t: Tenant, member_id: str) -> Member:
    with t.db.transaction(write=False) as s:
        m = s.get(Member, (t.id, parse("mem", member_id)))
        assert m is not None
        s.expunge(m)
        return m


def _journal_period_points(t: Tenant, member_id: str, at: datetime) -> int:
    with t.db.transaction(write=False) as s:
        m = s.get(Member, (t.id, parse("mem", member_id)))
        tenant = s.get(TenantRow, t.id)
        assert m is not None and tenant is not None
        return tiers.period_points(s, m, tiers.current_period(tenant, at))


def _period_tier(t: Tenant) -> None:
    r = t.api.post("/tiers", json={"name": "Gold", "type": "period", "minPoints": 1_000})
    assert r.status_code == 201, r.text


def _activity(t: Tenant, **kw: Any) -> None:
    r = t.api.post("/activities", json={"name": unique("act"), **kw})
    assert r.status_code == 201, r.text


def test_period_count_follows_the_journal_across_a_period_boundary(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    _period_tier(tenant)
    clock.freeze(datetime(2026, 12, 30, tzinfo=UTC))
    m = insert_member(tenant)
    award(tenant, m, 300)
    award(tenant, m, -100)  # spending does not lower points earned
    order = unique("o")
    r = tenant.api.post("/orders", json={"externalOrderId": order, "memberId": m, "total": "50.00"})
    assert r.status_code == 201, r.text
    assert tenant.api.post(f"/orders/{order}/refund", json={"amount": "20"}).status_code == 200
    member = _member(tenant, m)
    assert member.period_points == 300 + 50 - 20
    assert member.period_points == _journal_period_points(tenant, m, clock.now())
    assert tenant.api.get(f"/members/{m}/tier").json()["periodPoints"] == 330

    # A new year: the view shows 0 without a change; the first change starts the count.
    clock.freeze(datetime(2027, 1, 2, tzinfo=UTC))
    assert tenant.api.get(f"/members/{m}/tier").json()["periodPoints"] == 0
    award(tenant, m, 7)
    member = _member(tenant, m)
    assert member.period_start == datetime(2027, 1, 1, tzinfo=UTC)
    assert member.period_points == 7 == _journal_period_points(tenant, m, clock.now())
    assert tenant.api.get(f"/members/{m}/tier").json()["periodPoints"] == 7
    verify_tenant(tenant)


def test_period_count_follows_a_change_of_period_setting(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    _period_tier(tenant)
    clock.freeze(datetime(2026, 3, 10, tzinfo=UTC))
    m = insert_member(tenant)
    award(tenant, m, 40)
    clock.freeze(datetime(2026, 5, 10, tzinfo=UTC))
    award(tenant, m, 2)
    assert _member(tenant, m).period_points == 42
    assert tenant.api.patch("/settings", json={"tierPeriod": "month"}).status_code == 200
    assert tenant.api.get(f"/members/{m}/tier").json()["periodPoints"] == 2
    award(tenant, m, 1)
    member = _member(tenant, m)
    assert member.period_start == datetime(2026, 5, 1, tzinfo=UTC)
    assert member.period_points == 3
    verify_tenant(tenant)


def test_a_return_withdrawn_with_its_rejected_award_never_counts(tenant: Tenant) -> None:
    _period_tier(tenant)
    _activity(tenant, key="buy_rej", kind="bonus_multiplier", multiplier="1", approval="manual")
    m = insert_member(tenant)
    award(tenant, m, 10)
    r = tenant.api.post(
        "/activities/buy_rej/award", json={"memberId": m, "pointsPassed": 50, "reference": "PR-1"}
    )
    assert r.status_code == 201, r.text
    txn = r.json()["transaction"]["id"]
    assert tenant.api.post("/orders/PR-1/refund", json={"amount": "10"}).status_code == 200
    r = tenant.api.patch(f"/points/transactions/{txn}", json={"status": "rejected"})
    assert r.status_code == 200, r.text
    award(tenant, m, 1)
    assert tenant.api.get(f"/members/{m}/tier").json()["periodPoints"] == 11
    assert _member(tenant, m).period_points == 11
    verify_tenant(tenant)


def test_a_debit_spans_several_batches_of_open_lots(tenant: Tenant) -> None:
    m = insert_member(tenant)
    lots = 2 * LOT_BATCH + 7
    for _ in range(lots):
        award(tenant, m, 2)
    r = tenant.api.post(f"/members/{m}/points", json={"amount": -(2 * lots - 3)})
    assert r.status_code == 200, r.text
    assert r.json()["balance"] == 3
    body = tenant.api.get(f"/members/{m}/points", params={"limit": 200}).json()
    statuses = [t["status"] for t in body["transactions"] if t["type"] == "award"]
    assert statuses.count("exhausted") == lots - 2 and statuses.count("approved") == 2
    verify_tenant(tenant)


def test_verify_checks_the_period_count_and_many_members_at_once(tenant: Tenant) -> None:
    _period_tier(tenant)
    members = [insert_member(tenant) for _ in range(5)]
    for i, m in enumerate(members):
        for k in range(i + 1):
            award(tenant, m, 10 + k)
        if i % 2:
            award(tenant, m, -5)
    with tenant.db.transaction(write=False) as s:
        report = verify_all(s, tenant.id)
    assert report.ok, report.violations
    assert report.members == 5 and report.entries == 15 + 2
    victim = parse("mem", members[3])
    with tenant.db.transaction() as s:
        s.execute(
            update(Member)
            .where(Member.tenant_id == tenant.id, Member.id == victim)
            .values(period_points=Member.period_points + 1)
        )
    with tenant.db.transaction(write=False) as s:
        report = verify_all(s, tenant.id)
    assert [(v.member, v.invariant) for v in report.violations] == [
        (members[3], "period_points == credits - clawbacks decided in the period")
    ]
    with tenant.db.transaction() as s:
        s.execute(
            update(Member)
            .where(Member.tenant_id == tenant.id, Member.id == victim)
            .values(period_points=Member.period_points - 1)
        )
    verify_tenant(tenant)
