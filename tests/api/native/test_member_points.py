"""A member's points: /members/{id}/points, /tier, /coupons, /receipts, /redeem-coupon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import Tenant, award, balance, insert_member, make_pool, verify_tenant


def test_award_returns_the_seed_response(tenant: Tenant) -> None:
    m = insert_member(tenant)
    r = tenant.api.post(
        f"/members/{m}/points", json={"amount": 120, "description": "In-store purchase"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"transactionId", "balance"}
    assert body["transactionId"].startswith("txn_") and body["balance"] == 120


def test_manual_award_is_exact_even_with_a_tier_multiplier(tenant: Tenant) -> None:
    from punchcard.kit.ids import new_id
    from punchcard.models import Tier

    with tenant.db.transaction() as s:
        at = tenant.db.clock.now()
        s.add(
            Tier(
                tenant_id=tenant.id,
                id=new_id(),
                name="Gold",
                type="lifetime",
                position=1,
                min_points=0,
                multiplier=3,
                is_active=True,
                is_default=True,
                created_at=at,
                updated_at=at,
            )
        )
    m = insert_member(tenant)
    award(tenant, m, 10)
    assert award(tenant, m, 10)["balance"] == 20


def test_negative_amount_deducts_and_never_overdraws(tenant: Tenant) -> None:
    m = insert_member(tenant)
    award(tenant, m, 50)
    assert award(tenant, m, -30)["balance"] == 20
    r = tenant.api.post(f"/members/{m}/points", json={"amount": -21})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "INSUFFICIENT_POINTS"
    assert balance(tenant, m) == 20
    verify_tenant(tenant)


def test_points_statement_lists_transactions_newest_first(tenant: Tenant) -> None:
    m = insert_member(tenant)
    award(tenant, m, 100, description="first")
    award(tenant, m, -40, description="second")
    body = tenant.api.get(f"/members/{m}/points").json()
    assert body["balance"] == 60 and body["pending"] == 0 and body["lifetime"] == 100
    assert [t["amount"] for t in body["transactions"]] == [-40, 100]
    assert [t["type"] for t in body["transactions"]] == ["deduct", "award"]
    assert body["transactions"][0]["balanceAfter"] == 60
    assert body["total"] == 2
    only = tenant.api.get(f"/members/{m}/points", params={"type": "award"}).json()
    assert [t["amount"] for t in only["transactions"]] == [100]


def test_expiration_schedule_and_expiry(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    m = insert_member(tenant)
    award(tenant, m, 70, expiresAt="2026-03-10T00:00:00Z")
    award(tenant, m, 30)
    body = tenant.api.get(f"/members/{m}/points").json()
    assert body["expirationSchedule"] == [{"date": "2026-03-10", "points": 70}]
    clock.advance(days=10)
    # The next write expires the due lot first; spending 31 is then impossible.
    r = tenant.api.post(f"/members/{m}/points", json={"amount": -31})
    assert r.status_code == 422
    assert tenant.api.get(f"/members/{m}/points").json()["balance"] == 30
    assert award(tenant, m, -30)["balance"] == 0
    types = [
        (t["type"], t["amount"])
        for t in tenant.api.get(f"/members/{m}/points").json()["transactions"]
    ]
    assert types[:2] == [("deduct", -30), ("expire", -70)]
    verify_tenant(tenant)


def test_spending_consumes_oldest_lots_first(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    clock.freeze(datetime(2026, 3, 1, tzinfo=UTC))
    m = insert_member(tenant)
    award(tenant, m, 50, expiresAt="2026-06-01T00:00:00Z")
    clock.advance(hours=1)
    award(tenant, m, 50, expiresAt="2026-04-01T00:00:00Z")
    award(tenant, m, -60)
    # The first (older) lot is gone; 40 of the second are left.
    sched = tenant.api.get(f"/members/{m}/points").json()["expirationSchedule"]
    assert sched == [{"date": "2026-04-01", "points": 40}]
    verify_tenant(tenant)


def test_points_validation_names_the_field(tenant: Tenant) -> None:
    m = insert_member(tenant)
    for body, field in [
        ({}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": "12"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": 5, "storeId": "st_nope"}, "storeId"),
        ({"amount": 5, "activityId": "act_nope"}, "activityId"),
        ({"amount": 5, "bogus": 1}, "bogus"),
        ({"amount": 5, "expiresAt": "2001-01-01T00:00:00Z"}, "expiresAt"),
    ]:
        r = tenant.api.post(f"/members/{m}/points", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.json())
    r = tenant.api.get(f"/members/{m}/points", params={"type": "nope"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "type"


def test_points_need_credentials_and_scope(tenant: Tenant) -> None:
    m = insert_member(tenant)
    assert tenant.client.get(f"/api/v2/members/{m}/points").status_code == 401
    assert tenant.key_without("points:read").get(f"/members/{m}/points").status_code == 403
    assert (
        tenant.key("points:read").post(f"/members/{m}/points", json={"amount": 1}).status_code
        == 403
    )


def test_another_tenants_member_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    m = insert_member(other_tenant)
    award(other_tenant, m, 10)
    for path in ("points", "tier", "coupons", "receipts"):
        assert tenant.api.get(f"/members/{m}/{path}").status_code == 404
    assert tenant.api.post(f"/members/{m}/points", json={"amount": 5}).status_code == 404
    assert balance(other_tenant, m) == 10


def test_idempotency_key_replays_the_award(tenant: Tenant) -> None:
    m = insert_member(tenant)
    h = {"Idempotency-Key": "pos-90871"}
    first = tenant.api.post(f"/members/{m}/points", json={"amount": 120}, headers=h)
    second = tenant.api.post(f"/members/{m}/points", json={"amount": 120}, headers=h)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert balance(tenant, m) == 120
    reused = tenant.api.post(f"/members/{m}/points", json={"amount": 121}, headers=h)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_failed_request_releases_its_idempotency_key(tenant: Tenant) -> None:
    m = insert_member(tenant)
    h = {"Idempotency-Key": "k-1"}
    assert (
        tenant.api.post(f"/members/{m}/points", json={"amount": -5}, headers=h).status_code == 422
    )
    award(tenant, m, 10)
    r = tenant.api.post(f"/members/{m}/points", json={"amount": -5}, headers=h)
    assert r.status_code == 200 and r.json()["balance"] == 5


def test_idempotency_keys_are_per_tenant(tenant: Tenant, other_tenant: Tenant) -> None:
    a, b = insert_member(tenant), insert_member(other_tenant)
    h = {"Idempotency-Key": "shared"}
    assert tenant.api.post(f"/members/{a}/points", json={"amount": 1}, headers=h).status_code == 200
    r = other_tenant.api.post(f"/members/{b}/points", json={"amount": 1}, headers=h)
    assert r.status_code == 200 and "Idempotent-Replayed" not in r.headers


def test_idempotency_key_in_flight_is_409(tenant: Tenant) -> None:
    from punchcard.idempotency import service as idem
    from punchcard.kit.crypto import body_fingerprint

    m = insert_member(tenant)
    path = f"/api/v2/members/{m}/points"
    body = b'{"amount":1}'
    # Claim the key as a concurrent request would, then send the same request.
    idem.claim(
        tenant.db,
        tenant.id,
        "busy",
        body_fingerprint("POST", path, body),
        ttl_seconds=60,
        stale_seconds=60,
    )
    r = tenant.client.post(
        path,
        content=body,
        headers={
            **tenant.api.headers,
            "Idempotency-Key": "busy",
            "Content-Type": "application/json",
        },
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "IDEMPOTENCY_KEY_IN_FLIGHT"


def test_idempotency_key_longer_than_255_is_400(tenant: Tenant) -> None:
    m = insert_member(tenant)
    r = tenant.api.post(
        f"/members/{m}/points", json={"amount": 1}, headers={"Idempotency-Key": "k" * 256}
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "Idempotency-Key"


def test_redeem_coupon_for_points(tenant: Tenant) -> None:
    m = insert_member(tenant)
    pool = make_pool(tenant, codes=1, points_cost=100)
    award(tenant, m, 150)
    r = tenant.api.post(f"/members/{m}/redeem-coupon", json={"poolId": pool["id"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (
        body["balance"] == 50
        and body["coupon"]["status"] == "issued"
        and body["coupon"]["memberId"] == m
    )
    assert body["transactionId"].startswith("txn_")
    coupons = tenant.api.get(f"/members/{m}/coupons").json()
    assert [c["code"] for c in coupons["coupons"]] == [body["coupon"]["code"]]
    # The pool is now empty: refused, nothing charged.
    award(tenant, m, 100)
    r = tenant.api.post(f"/members/{m}/redeem-coupon", json={"poolId": pool["id"]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "POOL_EXHAUSTED"
    assert balance(tenant, m) == 150
    verify_tenant(tenant)


def test_redeem_coupon_without_enough_points_charges_nothing(tenant: Tenant) -> None:
    m = insert_member(tenant)
    pool = make_pool(tenant, codes=2, points_cost=100)
    award(tenant, m, 99)
    r = tenant.api.post(f"/members/{m}/redeem-coupon", json={"poolId": pool["id"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "INSUFFICIENT_POINTS"
    assert balance(tenant, m) == 99
    pools = tenant.api.get("/coupons/pools").json()["pools"]
    assert pools[0]["availableCodes"] == 2


def test_member_tier_view(tenant: Tenant) -> None:
    from punchcard.kit.ids import new_id
    from punchcard.models import Tier

    with tenant.db.transaction() as s:
        at = tenant.db.clock.now()
        for pos, (name, minimum) in enumerate([("Bronze", 0), ("Silver", 500), ("Gold", 2000)]):
            s.add(
                Tier(
                    tenant_id=tenant.id,
                    id=new_id(),
                    name=name,
                    type="lifetime",
                    position=pos,
                    min_points=minimum,
                    multiplier=1,
                    is_active=True,
                    is_default=pos == 0,
                    created_at=at,
                    updated_at=at,
                )
            )
    m = insert_member(tenant)
    award(tenant, m, 600)
    body = tenant.api.get(f"/members/{m}/tier").json()
    assert body["tier"]["name"] == "Silver"
    assert body["nextTier"]["name"] == "Gold" and body["pointsToNext"] == 1400
    assert body["lifetimePoints"] == 600 and body["periodPoints"] == 600
    assert body["periodStart"].endswith("Z") and body["periodEnd"] > body["periodStart"]
    _ = timedelta
