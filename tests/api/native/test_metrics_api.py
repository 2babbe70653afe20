"""``GET /api/v2/metrics``: every figure recomputed from the raw rows on a random history
(the machinery of ``tests/metrics/test_reconcile.py``), bad periods named, the scope
demanded, the OpenAPI document. SQLite and PostgreSQL (``PUNCHCARD_TEST_DATABASE_URL``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, Phase, given, settings

from punchcard.identity.scopes import PRESETS, scopes_for_role
from punchcard.metrics.wire import FLOWS, MONEY
from tests.factories import make_tenant
from tests.metrics.test_reconcile import FIRST, FULL, LAST, START, recompute, run_history, step

PARAMS = {"from": FIRST.isoformat(), "to": LAST.isoformat()}


def _check(db: Any, client: Any, clock: Any, steps: Any) -> dict[str, Any]:
    t = make_tenant(db, client)
    try:
        run_history(t, clock, steps)
        clock.freeze(START + timedelta(days=30))
        r = t.key("metrics:read").get("/metrics", params=PARAMS)
        raw = recompute(t)
    finally:
        clock.reset()
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["from"], got["to"], got["interval"]) == (PARAMS["from"], PARAMS["to"], "day")
    assert got["timezone"] == "America/New_York"
    assert [b["start"] for b in got["series"]] == [
        (FIRST + timedelta(days=i)).isoformat() for i in range(11)
    ]
    sums: dict[str, Any] = {}
    for b in got["series"]:
        want = raw["days"].get(date.fromisoformat(b["start"]), {})
        for name, wire in FLOWS.items():
            value = want.get(name, 0)
            expected = f"{Decimal(value):.2f}" if name in MONEY else value
            assert b[wire] == expected, (b["start"], wire)
            sums[wire] = sums.get(wire, 0) + (Decimal(b[wire]) if name in MONEY else b[wire])
    for name, wire in FLOWS.items():
        total = got["totals"][wire]
        assert (Decimal(total) if name in MONEY else total) == sums[wire], wire
    assert got["outstandingPoints"] == raw["outstanding"] == raw["balances"]
    assert got["liability"] == f"{Decimal(raw['outstanding']) * Decimal('0.01'):.2f}"
    assert got["activeMembers"] == raw["active"]
    assert got["totalMembers"] == raw["total_members"]
    tiers = {m["tierId"]: m["members"] for m in got["membersByTier"] if m["members"]}
    assert sum(tiers.values()) == sum(raw["tiers"].values())
    issued = got["totals"]["pointsIssued"]
    for ratio, part in (("breakage", "pointsExpired"), ("redemptionRate", "pointsRedeemed")):
        if issued:
            want_ratio = (Decimal(got["totals"][part]) / issued).quantize(Decimal("0.0001"))
            assert got[ratio] == str(want_ratio)
        else:
            assert got[ratio] is None
    net = Decimal(got["totals"]["gmv"]) - Decimal(got["totals"]["refunds"])
    assert got["netGmv"] == f"{net:.2f}"
    return got


@settings(
    max_examples=4,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=20))
def test_the_api_figures_reconcile_with_the_raw_rows(
    db: Any, client: Any, clock: Any, steps: Any
) -> None:
    _check(db, client, clock, steps)


def test_a_full_history_has_every_figure(db: Any, client: Any, clock: Any) -> None:
    got = _check(db, client, clock, FULL)
    t = got["totals"]
    assert t["pointsRedeemed"] == 80 and t["rewardRedemptions"] == 1
    assert t["couponRedemptions"] == 1 and t["gmv"] == "120.25" and t["refunds"] == "1.10"
    assert t["referralClicks"] == 1 and t["referralConversions"] == 1


def test_week_and_month_fold_the_same_totals(tenant: Any) -> None:
    api = tenant.key("metrics:read")
    days = api.get("/metrics", params={"from": "2026-10-01", "to": "2026-12-06"}).json()
    for interval, first in (("week", "2026-10-01"), ("month", "2026-10-01")):
        r = api.get(
            "/metrics", params={"from": "2026-10-01", "to": "2026-12-06", "interval": interval}
        )
        assert r.status_code == 200, r.text
        assert r.json()["totals"] == days["totals"]
        assert r.json()["series"][0]["start"] == first
    weeks = api.get(
        "/metrics", params={"from": "2026-10-01", "to": "2026-12-06", "interval": "week"}
    )
    assert [b["start"] for b in weeks.json()["series"]][1] == "2026-10-05"  # a Monday
    months = api.get(
        "/metrics", params={"from": "2026-10-01", "to": "2026-12-06", "interval": "month"}
    )
    assert [b["start"] for b in months.json()["series"]] == [
        "2026-10-01",
        "2026-11-01",
        "2026-12-01",
    ]


def test_the_default_period_is_the_last_30_days(tenant: Any) -> None:
    got = tenant.key("metrics:read").get("/metrics").json()
    assert len(got["series"]) == 30 and got["to"] >= got["from"]


def _error(r: Any) -> tuple[int, str | None]:
    return r.status_code, r.json()["error"]["field"]


def test_bad_periods_are_400s_naming_the_field(tenant: Any) -> None:
    api = tenant.key("metrics:read")
    assert _error(api.get("/metrics", params={"from": "2026-13-01"})) == (400, "from")
    assert _error(api.get("/metrics", params={"to": "yesterday"})) == (400, "to")
    assert _error(api.get("/metrics", params={"from": "0"})) == (400, "from")
    reversed_ = api.get("/metrics", params={"from": "2026-05-02", "to": "2026-05-01"})
    assert _error(reversed_) == (400, "from")
    assert "after" in reversed_.json()["error"]["message"]
    long = api.get("/metrics", params={"from": "2024-01-01", "to": "2026-01-02"})
    assert _error(long) == (400, "to") and "731" in long.json()["error"]["message"]
    ok = api.get("/metrics", params={"from": "2024-01-02", "to": "2026-01-01"})
    assert ok.status_code == 200
    assert _error(api.get("/metrics", params={"interval": "year"})) == (400, "interval")


def test_the_scope_is_demanded_and_granted_by_the_presets(tenant: Any) -> None:
    assert "metrics:read" in PRESETS["read"] and "metrics:read" in PRESETS["write"]
    assert "metrics:read" in scopes_for_role("viewer") and "metrics:read" in scopes_for_role(
        "admin"
    )
    r = tenant.key_without("metrics:read").get("/metrics")
    assert r.status_code == 403 and "metrics:read" in r.json()["error"]["message"]
    assert tenant.key(preset="read").get("/metrics").status_code == 200
    assert tenant.client.get("/api/v2/metrics").status_code == 401


def test_the_openapi_document_describes_every_figure(tenant: Any) -> None:
    doc = tenant.client.get("/api/v2/openapi.json").json()
    paths = doc["paths"]
    op = (paths.get("/api/v2/metrics") or paths["/metrics"])["get"]
    assert {p["name"] for p in op["parameters"]} >= {"from", "to", "interval"}
    schemas = doc["components"]["schemas"]
    body = schemas["MetricsRead"]["properties"]
    for name in (
        "from",
        "to",
        "outstandingPoints",
        "liability",
        "breakage",
        "redemptionRate",
        "activeMembers",
        "membersByTier",
        "series",
        "totals",
        "netGmv",
    ):
        assert name in body, name
    bucket = schemas["MetricsBucket"]["properties"]
    assert set(FLOWS.values()) <= set(bucket)
    assert bucket["gmv"]["type"] == "string"
