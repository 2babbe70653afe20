"""Every figure of ``metrics.service.overview`` recomputed from the raw rows in Python.

A random history (hypothesis, bounded) runs through the real API, so through the core
services: enrolments, awards, deductions, coupon redemptions (``redeem``), orders and
refunds (clawbacks), referral clicks and conversions, and expiries written by the
expiry job as the test clock moves. The tenant lives in New York, so local days are
not UTC days and the history crosses a DST change (2026-11-01). The same history on
SQLite and PostgreSQL (``PUNCHCARD_TEST_DATABASE_URL``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import hypothesis.strategies as st
from hypothesis import HealthCheck, Phase, given, settings
from sqlalchemy import select

from punchcard.ledger.jobs import expire_due_lots
from punchcard.metrics.service import NOT_EFFECTIVE, Bucket, overview
from punchcard.models import Capture, Coupon, Member, Order, PointsEntry, ReferralEvent, Refund
from tests.factories import Tenant, make_pool, make_tenant, unique

TZ = "America/New_York"
START = datetime(2026, 10, 30, 2, 0, tzinfo=UTC)  # 22:00 on the 29th in New York
FIRST, LAST = date(2026, 10, 29), date(2026, 11, 8)

step = st.tuples(
    st.integers(min_value=1, max_value=10),  # hours after the previous step
    st.sampled_from(
        [
            "enrol",
            "award",
            "deduct",
            "redeem",
            "reward",
            "use",
            "order",
            "refund",
            "click",
            "convert",
            "expire",
        ]
    ),
    st.integers(min_value=0, max_value=50),  # which member / order
    st.integers(min_value=1, max_value=400),  # an amount
)


def _ok(r: Any, *codes: int) -> Any:
    assert r.status_code in codes, r.text
    return r.json()


def run_history(t: Tenant, clock: Any, steps: list[tuple[int, str, int, int]]) -> None:
    _ok(t.api.patch("/settings", json={"timezone": TZ, "pointsExpiryDays": 2}), 200)
    at = clock.freeze(START)
    pool = make_pool(t, codes=50, points_cost=50)
    reward = _ok(t.api.post("/rewards", json={"name": "Mug", "pointsCost": 30}), 201)
    members: list[dict[str, Any]] = []
    coupons: list[str] = []
    orders: list[str] = []

    def enrol() -> None:
        members.append(
            _ok(t.api.post("/members", json={"email": f"{unique('m')}@example.com"}), 201)
        )

    enrol()
    for hours, action, pick, amount in steps:
        at = clock.freeze(at + timedelta(hours=hours))
        member = members[pick % len(members)]
        if action == "enrol":
            enrol()
        elif action == "award":
            _ok(t.api.post(f"/members/{member['id']}/points", json={"amount": amount}), 200)
        elif action == "deduct":
            t.api.post(f"/members/{member['id']}/points", json={"amount": -amount})
        elif action == "redeem":
            r = t.api.post(f"/members/{member['id']}/redeem-coupon", json={"poolId": pool["id"]})
            if r.status_code == 200:
                coupons.append(r.json()["coupon"]["id"])
        elif action == "reward":
            t.api.post(f"/rewards/{reward['id']}/redeem", json={"memberId": member["id"]})
        elif action == "use" and coupons:
            t.api.post(f"/coupons/{coupons[pick % len(coupons)]}/redeem")
        elif action == "order":
            ext = unique("O-")
            body = {"externalOrderId": ext, "memberId": member["id"], "total": f"{amount}.25"}
            _ok(t.api.post("/orders", json=body), 201)
            orders.append(ext)
        elif action == "refund" and orders:
            t.api.post(f"/orders/{orders[pick % len(orders)]}/refund", json={"amount": "1.10"})
        elif action == "click":
            body = {"code": member["referralCode"], "visitorId": unique("v")}
            _ok(t.api.post("/referrals/clicks", json=body), 202)
        elif action == "convert" and orders:
            referrer = members[(pick + 1) % len(members)]
            body = {"code": referrer["referralCode"], "orderId": orders[pick % len(orders)]}
            t.api.post("/referrals/conversions", json=body)
        elif action == "expire":
            expire_due_lots(t.db, at, tenant_id=t.id)


def recompute(t: Tenant) -> dict[str, Any]:
    """The figures from the raw rows, by local day, without the service's SQL."""
    tz = ZoneInfo(TZ)
    since = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=tz)
    until = datetime(LAST.year, LAST.month, LAST.day, tzinfo=tz) + timedelta(days=1)

    def day(at: datetime) -> date:
        return at.astimezone(tz).date()

    def within(at: datetime) -> bool:
        return since <= at < until

    days: dict[date, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    outstanding = 0
    active: set[Any] = set()
    with t.db.transaction(write=False) as s:
        for e in s.scalars(select(PointsEntry).where(PointsEntry.tenant_id == t.id)):
            if e.type != "expire" and within(e.created_at):
                active.add(e.member_id)
            if e.status in NOT_EFFECTIVE:
                continue
            at = e.decided_at or e.created_at
            if at >= until:
                continue
            outstanding += e.amount
            if not within(at):
                continue
            name = {"redeem": "redeemed", "expire": "expired", "clawback": "clawed_back"}
            key = "issued" if e.amount > 0 else name.get(e.type, "deducted")
            days[day(at)][key] += abs(e.amount)
            if e.type == "redeem" and e.reward_id is not None:
                days[day(at)]["reward_redemptions"] += 1
        members = list(s.scalars(select(Member).where(Member.tenant_id == t.id)))
        balances = sum(m.points_balance for m in members)
        total_members = 0
        for m in members:
            if m.enrolled_at < until:
                total_members += 1
            if within(m.enrolled_at):
                days[day(m.enrolled_at)]["new_members"] += 1
        tiers: dict[Any, int] = defaultdict(int)
        for m in members:
            tiers[m.tier_id] += 1
        for o in s.scalars(select(Order).where(Order.tenant_id == t.id)):
            if within(o.placed_at):
                days[day(o.placed_at)]["orders"] += 1
                days[day(o.placed_at)]["gmv"] += o.total
                active.add(o.member_id)
        for r in s.scalars(select(Refund).where(Refund.tenant_id == t.id)):
            if within(r.created_at):
                days[day(r.created_at)]["refunds"] += r.amount
        for ev in s.scalars(select(ReferralEvent).where(ReferralEvent.tenant_id == t.id)):
            if within(ev.created_at):
                if ev.type == "click":
                    days[day(ev.created_at)]["referral_clicks"] += 1
                else:
                    days[day(ev.created_at)]["referral_conversions"] += 1
                    days[day(ev.created_at)]["referral_revenue"] += ev.revenue
        for cp in s.scalars(select(Coupon).where(Coupon.tenant_id == t.id)):
            if cp.status == "redeemed" and cp.redeemed_at and within(cp.redeemed_at):
                days[day(cp.redeemed_at)]["coupon_redemptions"] += 1
        for c in s.scalars(select(Capture).where(Capture.tenant_id == t.id)):
            if within(c.created_at):
                active.add(c.member_id)
    return {
        "days": days,
        "outstanding": outstanding,
        "balances": balances,
        "active": len(active),
        "total_members": total_members,
        "tiers": dict(tiers),
    }


@settings(
    max_examples=6,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=20))
def test_every_figure_reconciles_with_the_raw_rows(
    db: Any, client: Any, clock: Any, steps: Any
) -> None:
    check(db, client, clock, steps)


def check(db: Any, client: Any, clock: Any, steps: Any) -> Any:
    t = make_tenant(db, client)
    try:
        run_history(t, clock, steps)
        clock.freeze(START + timedelta(days=30))
        with db.transaction(write=False) as s:
            got = overview(s, t.id, start=FIRST, end=LAST)
        raw = recompute(t)
    finally:
        clock.reset()
    assert got.timezone == TZ
    assert [b.start for b in got.series] == [FIRST + timedelta(days=i) for i in range(11)]
    for b in got.series:
        want = raw["days"].get(b.start, {})
        for name in Bucket.__dataclass_fields__:
            if name == "start":
                continue
            assert getattr(b, name) == want.get(name, 0), (b.start, name)
    totals = got.totals
    assert totals.issued == sum(d.get("issued", 0) for d in raw["days"].values())
    assert got.outstanding_points == raw["outstanding"]
    # Everything happened before the period's end, so the outstanding points are what
    # the members' cached balances add up to.
    assert got.outstanding_points == raw["balances"]
    assert got.liability == (Decimal(raw["outstanding"]) * Decimal("0.01")).quantize(
        Decimal("0.01")
    )
    assert got.active_members == raw["active"]
    assert got.total_members == raw["total_members"]
    assert {tc.tier_id: tc.members for tc in got.members_by_tier if tc.members} == raw["tiers"]
    if totals.issued:
        assert got.breakage == (Decimal(totals.expired) / totals.issued).quantize(Decimal("0.0001"))
        assert got.redemption_rate == (Decimal(totals.redeemed) / totals.issued).quantize(
            Decimal("0.0001")
        )
    else:
        assert got.breakage is None and got.redemption_rate is None
    assert got.net_gmv == totals.gmv - totals.refunds
    return got


FULL = [
    (1, "award", 0, 300),
    (1, "enrol", 0, 1),
    (2, "order", 1, 120),
    (1, "redeem", 0, 1),
    (1, "use", 0, 1),
    (1, "reward", 0, 1),
    (1, "deduct", 0, 25),
    (3, "refund", 0, 1),
    (1, "click", 0, 1),
    (1, "convert", 1, 1),
    (60, "expire", 0, 1),
    (1, "award", 1, 40),
]


def test_a_full_history_reconciles_and_has_every_kind(db: Any, client: Any, clock: Any) -> None:
    got = check(db, client, clock, FULL)
    t = got.totals
    assert t.issued > 0 and t.redeemed == 80 and t.deducted == 25
    assert t.reward_redemptions == 1 and t.coupon_redemptions == 1
    assert t.expired > 0 and t.clawed_back > 0
    assert t.orders == 1 and t.gmv == Decimal("120.25") and t.refunds == Decimal("1.10")
    assert t.referral_clicks == 1 and t.referral_conversions == 1
    assert t.new_members == 2 and got.active_members == 2


def test_the_grid_never_lets_a_bucket_straddle_a_local_midnight() -> None:
    from punchcard.metrics.service import grid

    assert grid(date(2026, 6, 1), date(2026, 6, 30), "Asia/Kolkata").grain == 86_400
    assert grid(date(2026, 6, 1), date(2026, 6, 30), "Asia/Kolkata").shift == 19_800
    assert grid(FIRST, LAST, TZ).grain == 3_600
    assert grid(date(2026, 3, 30), date(2026, 4, 10), "Australia/Lord_Howe").grain == 1_800
    g = grid(FIRST, LAST, TZ)
    # 2026-11-01 04:30 UTC is 00:30 EDT; 05:30 UTC is 00:30 EST on the same local day.
    for hour in (4, 5, 6):
        instant = datetime(2026, 11, 1, hour, 30, tzinfo=UTC)
        bucket = (int(instant.timestamp()) + g.shift) // g.grain
        assert g.local_day(bucket) == instant.astimezone(ZoneInfo(TZ)).date()
