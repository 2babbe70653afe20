"""Coupons: pools, codes, issue, redeem at the register."""

from __future__ import annotations

from tests.factories import Tenant, insert_member, make_pool


def test_pool_with_given_codes(tenant: Tenant) -> None:
    r = tenant.api.post(
        "/coupons/pools",
        json={
            "name": "Free coffee",
            "discountType": "free_item",
            "discountValue": "0",
            "codes": ["COFFEE-1", "COFFEE-2"],
        },
    )
    assert r.status_code == 201, r.text
    pool = r.json()
    assert (
        pool["id"].startswith("pool_") and pool["totalCodes"] == 2 and pool["availableCodes"] == 2
    )
    assert pool["pointsCost"] is None
    codes = tenant.api.get("/coupons", params={"poolId": pool["id"]}).json()
    assert sorted(c["code"] for c in codes["coupons"]) == ["COFFEE-1", "COFFEE-2"]


def test_pool_with_generated_codes(tenant: Tenant) -> None:
    r = tenant.api.post(
        "/coupons/pools",
        json={
            "name": "10% off",
            "discountType": "percent",
            "discountValue": "10",
            "pointsCost": 500,
            "generate": {"count": 25, "prefix": "TEN-", "length": 8},
        },
    )
    assert r.status_code == 201, r.text
    codes = tenant.api.get("/coupons", params={"poolId": r.json()["id"], "limit": 200}).json()[
        "coupons"
    ]
    assert len(codes) == 25 and len({c["code"] for c in codes}) == 25
    assert all(c["code"].startswith("TEN-") and len(c["code"]) == 12 for c in codes)


def test_pool_validation(tenant: Tenant) -> None:
    base = {"name": "x", "discountType": "amount", "discountValue": "5"}
    for body, field in [
        ({**base, "discountType": "bogo"}, "discountType"),
        ({**base, "discountValue": "-1"}, "discountValue"),
        ({**base, "codes": ["A", "A"]}, "codes"),
        ({**base, "generate": {"count": 0}}, "generate.count"),
        ({**base, "expiresAt": "2000-01-01T00:00:00Z"}, "expiresAt"),
        ({k: v for k, v in base.items() if k != "name"}, "name"),
    ]:
        r = tenant.api.post("/coupons/pools", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.json())
    tenant.api.post("/coupons/pools", json={**base, "codes": ["DUP-1"]})
    r = tenant.api.post("/coupons/pools", json={**base, "codes": ["DUP-1"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "codes"


def test_issue_and_redeem_at_the_register(tenant: Tenant) -> None:
    m = insert_member(tenant)
    pool = make_pool(tenant, codes=2)
    r = tenant.api.post("/coupons/issue", json={"poolId": pool["id"], "memberId": m})
    assert r.status_code == 201, r.text
    coupon = r.json()["coupons"][0]
    assert coupon["status"] == "issued" and coupon["memberId"] == m
    # The cashier scans the code.
    r = tenant.api.post(f"/coupons/{coupon['code']}/redeem", json={})
    assert r.status_code == 200 and r.json()["status"] == "redeemed" and r.json()["redeemedAt"]
    # Second scan: do not honor.
    again = tenant.api.post(f"/coupons/{coupon['id']}/redeem")
    assert again.status_code == 404
    assert tenant.api.get("/coupons/pools").json()["pools"][0]["redeemedCodes"] == 1


def test_issue_more_than_left_is_pool_exhausted(tenant: Tenant) -> None:
    m = insert_member(tenant)
    pool = make_pool(tenant, codes=1)
    r = tenant.api.post("/coupons/issue", json={"poolId": pool["id"], "memberId": m, "quantity": 2})
    assert r.status_code == 409 and r.json()["error"]["code"] == "POOL_EXHAUSTED"
    assert tenant.api.get("/coupons/pools").json()["pools"][0]["availableCodes"] == 1


def test_expired_coupon_is_not_honored(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    pool = make_pool(tenant, codes=1, expiresAt="2026-05-02T00:00:00Z")
    code = tenant.api.get("/coupons", params={"poolId": pool["id"]}).json()["coupons"][0]["code"]
    clock.advance(days=2)
    assert tenant.api.post(f"/coupons/{code}/redeem").status_code == 404


def test_unknown_coupon_is_404(tenant: Tenant) -> None:
    assert tenant.api.post("/coupons/NOPE-123/redeem").status_code == 404


def test_coupons_auth_scope_and_isolation(tenant: Tenant, other_tenant: Tenant) -> None:
    assert tenant.client.get("/api/v2/coupons").status_code == 401
    assert tenant.key_without("coupons:read").get("/coupons/pools").status_code == 403
    assert tenant.key("coupons:read").post("/coupons/pools", json={}).status_code == 403
    theirs = make_pool(other_tenant, codes=1)
    code = other_tenant.api.get("/coupons", params={"poolId": theirs["id"]}).json()["coupons"][0][
        "code"
    ]
    assert tenant.api.post(f"/coupons/{code}/redeem").status_code == 404
    m = insert_member(tenant)
    r = tenant.api.post("/coupons/issue", json={"poolId": theirs["id"], "memberId": m})
    assert r.status_code == 404
    assert tenant.api.get("/coupons").json()["total"] == 0
    assert other_tenant.api.post(f"/coupons/{code}/redeem").status_code == 200
