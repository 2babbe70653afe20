"""Property-based engine test with a moving clock: awards (immediate, manual,
expiring), approvals, rejections, deductions, reward redemptions, expiry and returns.

After every step `punchcard verify` is clean, the balance is the sum of lot remainders
less the debt, it is negative only with a debt, pending points equal the pending
awards less pending deductions, and nothing was charged for a refused request.
"""

from __future__ import annotations

from datetime import UTC, datetime

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from punchcard.db.uow import Database
from punchcard.kit.ids import parse
from punchcard.ledger.jobs import approve_monthly, expire_due_lots
from punchcard.ledger.verify import verify_all
from punchcard.models import Member
from tests.factories import Tenant, insert_member, unique


class EngineMachine(RuleBasedStateMachine):
    tenant: Tenant
    db: Database
    clock: object

    def __init__(self) -> None:
        super().__init__()
        self.member = ""
        self.pending: list[str] = []
        self.orders: list[str] = []
        self.key = unique("k")

    @initialize()
    def setup(self) -> None:
        self.clock.freeze(datetime(2026, 1, 10, 12, tzinfo=UTC))  # type: ignore[attr-defined]
        self.member = insert_member(self.tenant)
        api = self.tenant.api
        for suffix, body in [
            ("now", {"points": 10, "expiryDays": 30}),
            ("manual", {"points": 25, "approval": "manual"}),
            ("monthly", {"points": 15, "approval": "monthly", "expiryDays": 60}),
            ("buy", {"kind": "bonus_multiplier", "multiplier": "1", "approval": "manual"}),
            ("buynow", {"kind": "bonus_multiplier", "multiplier": "2"}),
        ]:
            r = api.post(
                "/activities", json={"key": f"{self.key}_{suffix}", "name": suffix, **body}
            )
            assert r.status_code == 201, r.text
        r = api.post(
            "/rewards",
            json={"key": f"{self.key}_r", "name": "r", "pointsCost": 30, "generate": {"count": 3}},
        )
        assert r.status_code == 201, r.text

    def _earn(self, suffix: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.tenant.api.post(
            f"/activities/{self.key}_{suffix}/award", json={"memberId": self.member, **kw}
        )

    def _balance(self) -> dict:  # type: ignore[type-arg]
        return dict(self.tenant.api.get(f"/members/{self.member}/points").json())

    @rule(kind=st.sampled_from(["now", "manual", "monthly"]))
    def award(self, kind: str) -> None:
        r = self._earn(kind)
        assert r.status_code == 201, r.text
        if kind == "manual":
            self.pending.append(r.json()["transaction"]["id"])

    @rule(value=st.integers(min_value=1, max_value=300), manual=st.booleans())
    def order(self, value: int, manual: bool) -> None:
        ref = unique("o")
        r = self._earn("buy" if manual else "buynow", pointsPassed=value, reference=ref)
        assert r.status_code == 201, r.text
        self.orders.append(ref)
        if manual:
            self.pending.append(r.json()["transaction"]["id"])

    @precondition(lambda self: bool(self.pending))
    @rule(data=st.data(), approve=st.booleans())
    def decide(self, data: st.DataObject, approve: bool) -> None:
        txn = data.draw(st.sampled_from(self.pending))
        self.pending.remove(txn)
        r = self.tenant.api.patch(
            f"/points/transactions/{txn}", json={"status": "approved" if approve else "rejected"}
        )
        assert r.status_code == 200, r.text

    @rule(amount=st.integers(min_value=1, max_value=120))
    def deduct(self, amount: int) -> None:
        before = self._balance()["balance"]
        r = self.tenant.api.post(f"/members/{self.member}/points", json={"amount": -amount})
        if amount <= before:
            assert r.status_code == 200, r.text
        else:
            assert r.status_code == 422
            assert self._balance()["balance"] == before  # nothing charged

    @rule()
    def redeem(self) -> None:
        before = self._balance()["balance"]
        r = self.tenant.api.post(f"/rewards/{self.key}_r/redeem", json={"memberId": self.member})
        if r.status_code != 200:
            assert r.status_code in (409, 422), r.text
            assert self._balance()["balance"] == before

    @precondition(lambda self: bool(self.orders))
    @rule(data=st.data(), part=st.integers(min_value=0, max_value=300))
    def return_order(self, data: st.DataObject, part: int) -> None:
        ref = data.draw(st.sampled_from(self.orders))
        body = {"amount": str(part)} if part else {}
        r = self.tenant.api.post(f"/orders/{ref}/refund", json=body)
        assert r.status_code in (200, 400), r.text
        if r.status_code == 400:
            assert r.json()["error"]["code"] == "REFUND_EXCEEDS_ORDER"

    @rule(days=st.integers(min_value=1, max_value=45))
    def time_passes(self, days: int) -> None:
        now = self.clock.advance(days=days)  # type: ignore[attr-defined]
        expire_due_lots(self.db, now, tenant_id=self.tenant.id)
        approve_monthly(self.db, now, tenant_id=self.tenant.id)

    @invariant()
    def ledger_holds(self) -> None:
        if not self.member:
            return
        with self.tenant.db.transaction(write=False) as s:
            member = s.get(Member, (self.tenant.id, parse("mem", self.member)))
            assert member is not None
            assert member.points_balance >= 0 or member.points_debt > 0
            assert member.pending_points >= 0
            report = verify_all(s, self.tenant.id, member.id)
            assert report.ok, report.violations


def test_engine_invariants_hold_with_a_moving_clock(tenant: Tenant, db: Database, clock) -> None:  # type: ignore[no-untyped-def]
    EngineMachine.tenant, EngineMachine.db, EngineMachine.clock = tenant, db, clock
    runner = EngineMachine.TestCase
    runner.settings = settings(
        max_examples=15,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    runner().runTest()
