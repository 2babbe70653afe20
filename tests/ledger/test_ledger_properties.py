"""Property-based ledger test: random sequences of awards, deducts, orders, partial and
full refunds and coupon redemptions, through the real API on the real database.

After every step: the API's balance equals an independent model's, the balance
equals the sum of lot remainders less the clawback debt, it is below zero only
through a clawback, and ``punchcard verify`` finds nothing wrong.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from punchcard.kit.ids import parse
from punchcard.ledger.verify import verify_all
from punchcard.models import Member, PointsLot
from tests.factories import Tenant, insert_member, make_pool, unique


class LedgerMachine(RuleBasedStateMachine):
    tenant: Tenant

    def __init__(self) -> None:
        super().__init__()
        self.balance = 0
        self.orders: dict[str, dict[str, object]] = {}
        self.member = ""
        self.pool = ""
        self.codes_left = 0

    @initialize()
    def setup(self) -> None:
        self.member = insert_member(self.tenant)
        pool = make_pool(self.tenant, codes=5, points_cost=75)
        self.pool, self.codes_left = pool["id"], 5

    def _post(self, path: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
        return self.tenant.api.post(path, json=body)

    @rule(amount=st.integers(min_value=1, max_value=500))
    def award(self, amount: int) -> None:
        r = self._post(f"/members/{self.member}/points", {"amount": amount})
        assert r.status_code == 200, r.text
        self.balance += amount
        assert r.json()["balance"] == self.balance

    @rule(amount=st.integers(min_value=1, max_value=600))
    def deduct(self, amount: int) -> None:
        r = self._post(f"/members/{self.member}/points", {"amount": -amount})
        if amount <= self.balance:
            assert r.status_code == 200, r.text
            self.balance -= amount
        else:
            assert r.status_code == 422 and r.json()["error"]["code"] == "INSUFFICIENT_POINTS"

    @rule(cents=st.integers(min_value=0, max_value=50_000))
    def place_order(self, cents: int) -> None:
        total = Decimal(cents) / 100
        ext = unique("O-")
        r = self._post(
            "/orders", {"externalOrderId": ext, "memberId": self.member, "total": str(total)}
        )
        assert r.status_code == 201, r.text
        points = int(total)  # one point per currency unit, floored
        assert r.json()["pointsAwarded"] == points
        self.balance += points
        self.orders[ext] = {"total": total, "refunded": Decimal(0), "points": points, "clawed": 0}

    @precondition(lambda self: any(o["refunded"] < o["total"] for o in self.orders.values()))
    @rule(data=st.data(), full=st.booleans())
    def refund(self, data: st.DataObject, full: bool) -> None:
        open_ = sorted(k for k, o in self.orders.items() if o["refunded"] < o["total"])  # type: ignore[operator]
        ext = data.draw(st.sampled_from(open_))
        o = self.orders[ext]
        left: Decimal = o["total"] - o["refunded"]  # type: ignore[operator,assignment]
        if full:
            amount, body = left, {}
        else:
            cents = data.draw(st.integers(min_value=1, max_value=int(left * 100)))
            amount = Decimal(cents) / 100
            body = {"amount": str(amount)}
        r = self._post(f"/orders/{ext}/refund", body)
        assert r.status_code == 200, r.text
        refunded: Decimal = o["refunded"] + amount  # type: ignore[operator,assignment]
        total: Decimal = o["total"]  # type: ignore[assignment]
        points: int = o["points"]  # type: ignore[assignment]
        # The member keeps floor(points x remaining / total).
        target = points - int(
            (Decimal(points) * (total - refunded) / total).to_integral_value(ROUND_FLOOR)
        )
        claw = target - o["clawed"]  # type: ignore[operator]
        assert r.json()["pointsClawedBack"] == claw
        o["refunded"], o["clawed"] = refunded, target
        self.balance -= claw
        assert r.json()["balance"] == self.balance

    @rule()
    def redeem_coupon(self) -> None:
        r = self._post(f"/members/{self.member}/redeem-coupon", {"poolId": self.pool})
        if self.codes_left == 0:
            assert r.status_code == 409
        elif self.balance < 75:
            assert r.status_code == 422
        else:
            assert r.status_code == 200, r.text
            self.balance -= 75
            self.codes_left -= 1

    @invariant()
    def ledger_holds(self) -> None:
        if not self.member:
            return
        body = self.tenant.api.get(f"/members/{self.member}/points").json()
        assert body["balance"] == self.balance
        with self.tenant.db.transaction(write=False) as s:
            member = s.get(Member, (self.tenant.id, parse("mem", self.member)))
            assert member is not None
            lots = s.scalar(
                select(func.coalesce(func.sum(PointsLot.remaining), 0)).where(
                    PointsLot.tenant_id == self.tenant.id, PointsLot.member_id == member.id
                )
            )
            assert member.points_balance == lots - member.points_debt
            assert member.points_balance >= 0 or member.points_debt > 0
            report = verify_all(s, self.tenant.id, member.id)
            assert report.ok, report.violations


def test_ledger_invariants_hold_for_random_sequences(tenant: Tenant) -> None:
    LedgerMachine.tenant = tenant
    runner = LedgerMachine.TestCase
    runner.settings = settings(
        max_examples=25,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    runner().runTest()
