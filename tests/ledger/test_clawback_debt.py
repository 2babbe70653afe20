"""Clawback debt is paid off only towards clawbacks that took effect: a return still
waiting on its pending award (``pending_deduction``) owes nothing yet."""

from __future__ import annotations

from typing import Any

from punchcard.kit.ids import parse
from punchcard.ledger.verify import verify_all
from punchcard.models import Member
from tests.factories import Tenant, insert_member, unique


def _activity(t: Tenant, body: dict[str, Any]) -> str:
    r = t.api.post("/activities", json={"key": unique("a"), "name": "a", **body})
    assert r.status_code == 201, r.text
    return str(r.json()["key"])


def _earn(t: Tenant, activity: str, member: str, **kw: object) -> dict[str, Any]:
    r = t.api.post(f"/activities/{activity}/award", json={"memberId": member, **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _refund(t: Tenant, ref: str) -> None:
    r = t.api.post(f"/orders/{ref}/refund", json={})
    assert r.status_code == 200, r.text


def _member(t: Tenant, member: str) -> Member:
    with t.db.transaction(write=False) as s:
        found = s.get(Member, (t.id, parse("mem", member)))
        assert found is not None
        s.expunge(found)
        return found


def _violations(t: Tenant, member: str) -> list[Any]:
    with t.db.transaction(write=False) as s:
        return verify_all(s, t.id, parse("mem", member)).violations


def test_a_credit_pays_no_debt_towards_a_return_of_a_pending_award(tenant: Tenant) -> None:
    member = insert_member(tenant)
    buy_manual = _activity(
        tenant, {"kind": "bonus_multiplier", "multiplier": "1", "approval": "manual"}
    )
    buy_now = _activity(tenant, {"kind": "bonus_multiplier", "multiplier": "2"})
    award = _activity(tenant, {"points": 30})
    # A pending order is returned: its deduction waits for the award's decision.
    pending_ref = unique("o")
    pending = _earn(tenant, buy_manual, member, pointsPassed=5, reference=pending_ref)
    _refund(tenant, pending_ref)
    # An approved order's 20 points are spent, then it is returned: a debt of 20.
    spent_ref = unique("o")
    _earn(tenant, buy_now, member, pointsPassed=10, reference=spent_ref)
    r = tenant.api.post(f"/members/{member}/points", json={"amount": -20})
    assert r.status_code == 200, r.text
    _refund(tenant, spent_ref)
    assert _member(tenant, member).points_debt == 20

    _earn(tenant, award, member)  # 30 points: 20 pay the debt, 10 are spendable

    after = _member(tenant, member)
    assert (after.points_debt, after.points_balance) == (0, 10)
    assert _violations(tenant, member) == []
    # Approving the pending award then applies its return in full.
    r = tenant.api.patch(
        f"/points/transactions/{pending['transaction']['id']}", json={"status": "approved"}
    )
    assert r.status_code == 200, r.text
    assert _member(tenant, member).points_balance == 10
    assert _violations(tenant, member) == []
