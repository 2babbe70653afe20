"""Sanity limits on points (issue 13): the tenant's ``maxPointsPerAward`` refuses one
award or one order over it (422 POINTS_LIMIT_EXCEEDED) on every award path, and an
order in another currency than the tenant's is refused (422 naming ``currency``).
Nothing is written by a refused request."""

from __future__ import annotations

from typing import Any

from punchcard.tenants.snapshot import snapshot
from tests.factories import Tenant, award, balance, insert_member, unique, verify_tenant


def _limit(t: Tenant, limit: int) -> None:
    r = t.api.patch("/settings", json={"maxPointsPerAward": limit})
    assert r.status_code == 200, r.text
    assert r.json()["maxPointsPerAward"] == limit


def _order(t: Tenant, member: str, total: str, **kw: Any) -> Any:
    body = {"externalOrderId": unique("SO"), "memberId": member, "total": total, **kw}
    return t.api.post("/orders", json=body)


def _refused(r: Any, code: str, field: str) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == (code, field), error
    return dict(error)


def _orders(t: Tenant) -> list[dict[str, Any]]:
    r = t.api.get("/orders")
    assert r.status_code == 200, r.text
    return list(r.json()["orders"])


def test_the_default_limit_is_a_million_points_and_refuses_a_runaway_order(
    tenant: Tenant,
) -> None:
    m = insert_member(tenant)
    error = _refused(_order(tenant, m, "2000000.00"), "POINTS_LIMIT_EXCEEDED", "total")
    assert "1000000" in error["message"]
    assert balance(tenant, m) == 0
    assert _orders(tenant) == []
    # A million exactly is allowed.
    r = _order(tenant, m, "1000000.00")
    assert r.status_code == 201, r.text
    assert r.json()["pointsAwarded"] == 1_000_000
    verify_tenant(tenant)


def test_the_limit_counts_the_points_not_the_total(tenant: Tenant) -> None:
    _limit(tenant, 100)
    assert tenant.api.patch("/settings", json={"pointsPerCurrencyUnit": "2"}).status_code == 200
    m = insert_member(tenant)
    _refused(_order(tenant, m, "50.50"), "POINTS_LIMIT_EXCEEDED", "total")  # 101 points
    assert _order(tenant, m, "50.00").status_code == 201  # 100 points
    assert balance(tenant, m) == 100


def test_a_changed_limit_applies_to_the_next_award(tenant: Tenant) -> None:
    m = insert_member(tenant)
    award(tenant, m, 500)
    _limit(tenant, 499)
    r = tenant.api.post(f"/members/{m}/points", json={"amount": 500})
    _refused(r, "POINTS_LIMIT_EXCEEDED", "amount")
    with tenant.db.transaction(write=False) as s:
        assert snapshot(s, tenant.id).settings.max_points_per_award == 499
    assert balance(tenant, m) == 500


def test_a_manual_award_over_the_limit_is_refused_and_a_deduction_is_not_limited(
    tenant: Tenant,
) -> None:
    _limit(tenant, 1000)
    m = insert_member(tenant)
    _refused(
        tenant.api.post(f"/members/{m}/points", json={"amount": 1001}),
        "POINTS_LIMIT_EXCEEDED",
        "amount",
    )
    assert balance(tenant, m) == 0
    for _ in range(3):
        award(tenant, m, 1000)
    r = tenant.api.post(f"/members/{m}/points", json={"amount": -2500})
    assert r.status_code == 200, r.text
    assert balance(tenant, m) == 500
    verify_tenant(tenant)


def test_an_activity_award_over_the_limit_is_refused(tenant: Tenant) -> None:
    _limit(tenant, 100)
    body = {"name": unique("act"), "key": "big", "points": 101}
    assert tenant.api.post("/activities", json=body).status_code == 201
    m = insert_member(tenant)
    r = tenant.api.post("/activities/big/award", json={"memberId": m})
    _refused(r, "POINTS_LIMIT_EXCEEDED", "amount")
    r = tenant.api.post(
        "/activities/big/award", json={"memberId": m, "pointsPassed": 150, "reference": "O-1"}
    )
    _refused(r, "POINTS_LIMIT_EXCEEDED", "pointsPassed")
    # Nothing written: not the award, not the order its reference would have made.
    assert balance(tenant, m) == 0
    assert _orders(tenant) == []
    ok = tenant.api.post("/activities/big/award", json={"memberId": m, "pointsPassed": 100})
    assert ok.status_code == 201, ok.text


def test_an_order_in_another_currency_is_refused_naming_currency(tenant: Tenant) -> None:
    m = insert_member(tenant)
    error = _refused(_order(tenant, m, "10.00", currency="EUR"), "CURRENCY_MISMATCH", "currency")
    assert "USD" in error["message"] and "EUR" in error["message"]
    assert balance(tenant, m) == 0 and _orders(tenant) == []
    # The tenant's own currency, or none (the tenant's), earns as before.
    assert _order(tenant, m, "10.00", currency="USD").status_code == 201
    assert _order(tenant, m, "10.00").status_code == 201
    assert balance(tenant, m) == 20
    # A tenant in euros takes euros, and refuses dollars.
    assert tenant.api.patch("/settings", json={"currency": "EUR"}).status_code == 200
    assert _order(tenant, m, "10.00", currency="EUR").status_code == 201
    _refused(_order(tenant, m, "10.00", currency="USD"), "CURRENCY_MISMATCH", "currency")


def test_a_batch_reports_each_refused_row_and_places_the_others(tenant: Tenant) -> None:
    _limit(tenant, 100)
    m = insert_member(tenant)
    rows = [
        {"externalOrderId": "B1", "memberId": m, "total": "10.00"},
        {"externalOrderId": "B2", "memberId": m, "total": "101.00"},
        {"externalOrderId": "B3", "memberId": m, "total": "5.00", "currency": "GBP"},
        {"externalOrderId": "B4", "memberId": m, "total": "100.00", "currency": "USD"},
    ]
    r = tenant.api.post("/orders/batch", json={"orders": rows})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["created", "error", "error", "created"]
    assert (results[1]["error"]["code"], results[1]["error"]["field"]) == (
        "POINTS_LIMIT_EXCEEDED",
        "total",
    )
    assert (results[2]["error"]["code"], results[2]["error"]["field"]) == (
        "CURRENCY_MISMATCH",
        "currency",
    )
    assert balance(tenant, m) == 110
    assert sorted(o["externalOrderId"] for o in _orders(tenant)) == ["B1", "B4"]
    verify_tenant(tenant)


def test_the_setting_is_validated(tenant: Tenant) -> None:
    for value in (0, -5, 10**12 + 1, "many", 1.5):
        r = tenant.api.patch("/settings", json={"maxPointsPerAward": value})
        assert r.status_code == 400, (value, r.text)
        assert r.json()["error"]["field"] == "maxPointsPerAward", r.text
    r = tenant.api.patch("/settings", json={"maxPointsPerAward": None})
    assert r.status_code == 400 and r.json()["error"]["field"] == "maxPointsPerAward"
    assert tenant.api.get("/settings").json()["maxPointsPerAward"] == 1_000_000
