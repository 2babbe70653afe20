"""Exactly-once under concurrency, from two real server processes on one database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from punchcard.ambassador.payout import DEFAULT_REFERRAL_POINTS
from tests.e2e.conftest import Server
from tests.factories import Tenant, unique, verify_tenant


def _headers(t: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {t.api.token}"}


def _member(server: Server, t: Tenant, balance: int) -> str:
    h = _headers(t)
    with httpx.Client(base_url=server.url + "/api/v2", headers=h, timeout=30) as c:
        from tests.factories import insert_member

        member = insert_member(t)
        if balance:
            r = c.post(f"/members/{member}/points", json={"amount": balance})
            assert r.status_code == 200, r.text
        return member


def test_parallel_deducts_from_two_processes_never_overdraw(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a, b = two_servers
    member = _member(a, tenant, 250)  # affords exactly 25 deducts of 10

    def deduct(i: int) -> int:
        url = (a if i % 2 else b).url + f"/api/v2/members/{member}/points"
        r = httpx.post(url, json={"amount": -10}, headers=_headers(tenant), timeout=60)
        return r.status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(deduct, range(40)))
    assert statuses.count(200) == 25, statuses
    assert statuses.count(422) == 15, statuses
    r = httpx.get(
        a.url + f"/api/v2/members/{member}/points", headers=_headers(tenant), params={"limit": 200}
    )
    body = r.json()
    assert body["balance"] == 0
    assert sum(1 for t in body["transactions"] if t["type"] == "deduct") == 25
    verify_tenant(tenant)


def test_parallel_redeems_of_one_code_succeed_exactly_once(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a, b = two_servers
    h = _headers(tenant)
    r = httpx.post(
        a.url + "/api/v2/coupons/pools",
        json={"name": "one", "discountType": "amount", "discountValue": "5", "codes": ["ONLY-ONE"]},
        headers=h,
    )
    assert r.status_code == 201, r.text

    def redeem(i: int) -> int:
        url = (a if i % 2 else b).url + "/api/v2/coupons/ONLY-ONE/redeem"
        return httpx.post(url, json={}, headers=h, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(redeem, range(20)))
    assert statuses.count(200) == 1, statuses
    assert statuses.count(404) == 19, statuses


def test_parallel_copies_of_one_order_award_once(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a, b = two_servers
    member = _member(a, tenant, 0)
    body = {"externalOrderId": "RACE-1", "memberId": member, "total": "100.00"}

    def post(i: int) -> int:
        url = (a if i % 2 else b).url + "/api/v2/orders"
        return httpx.post(url, json=body, headers=_headers(tenant), timeout=60).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(post, range(10)))
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201}, statuses
    r = httpx.get(a.url + f"/api/v2/members/{member}/points", headers=_headers(tenant))
    assert r.json()["balance"] == 100
    verify_tenant(tenant)


def test_parallel_requests_with_one_idempotency_key_write_once(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a, b = two_servers
    member = _member(a, tenant, 0)
    h = {**_headers(tenant), "Idempotency-Key": "sale-77"}

    def post(i: int) -> int:
        url = (a if i % 2 else b).url + f"/api/v2/members/{member}/points"
        return httpx.post(url, json={"amount": 5}, headers=h, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(post, range(10)))
    # Each request either did the work, replayed it, or was told it is in flight.
    assert set(statuses) <= {200, 409}, statuses
    r = httpx.get(a.url + f"/api/v2/members/{member}/points", headers=_headers(tenant))
    assert r.json()["balance"] == 5


def test_parallel_redemptions_of_an_option_with_few_codes_hand_out_each_code_once(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    """Twenty members race for an option with five codes, through both processes and
    both faces (native and ShopSocially): five succeed, each with a different code,
    and only they are charged."""
    a, b = two_servers
    h = _headers(tenant)
    r = httpx.post(
        a.url + "/api/v2/rewards",
        json={
            "key": "race",
            "name": "Race",
            "pointsCost": 10,
            "codes": [f"R-{i}" for i in range(5)],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    members = []
    for i in range(20):
        m = httpx.post(a.url + "/api/v2/members", json={"email": f"race{i}@example.com"}, headers=h)
        assert m.status_code == 201, m.text
        members.append(m.json()["id"])
        assert (
            httpx.post(
                a.url + f"/api/v2/members/{m.json()['id']}/points", json={"amount": 10}, headers=h
            ).status_code
            == 200
        )

    def redeem(i: int) -> tuple[int, str | None]:
        server = a if i % 2 else b
        if i % 4 < 2:
            resp = httpx.post(
                server.url + "/api/v2/rewards/race/redeem",
                json={"memberId": members[i]},
                headers=h,
                timeout=60,
            )
            code = resp.json()["coupon"]["code"] if resp.status_code == 200 else None
            return resp.status_code, code
        resp = httpx.post(
            server.url + "/v2/loyalty/redeem",
            data={"user_email": f"race{i}@example.com", "redemption_id": "race"},
            headers={"partner-id": tenant.partner_id, "api-key": tenant.api.token},
            timeout=60,
        )
        code = resp.json()["data"]["coupon_code"] if resp.status_code == 200 else None
        return resp.status_code, code

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(redeem, range(20)))
    codes = [code for status, code in results if status == 200]
    assert len(codes) == 5 and sorted(codes) == [f"R-{i}" for i in range(5)], results
    assert all(status in (200, 409) for status, _ in results), results
    balances = [
        httpx.get(a.url + f"/api/v2/members/{m}/points", headers=h).json()["balance"]
        for m in members
    ]
    assert sorted(balances) == [0] * 5 + [10] * 15
    verify_tenant(tenant)


def _enrolled(server: Server, t: Tenant, **kw: object) -> dict[str, str]:
    """A member enrolled through the API (so with their referral code)."""
    body = {"email": f"{unique('m')}@example.com", **kw}
    r = httpx.post(server.url + "/api/v2/members", json=body, headers=_headers(t), timeout=30)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _convert_in_parallel(
    two_servers: tuple[Server, Server], t: Tenant, body: dict[str, object]
) -> list[httpx.Response]:
    a, b = two_servers

    def convert(i: int) -> httpx.Response:
        url = (a if i % 2 else b).url + "/api/v1/referrals/convert"
        return httpx.post(url, json=body, headers=_headers(t), timeout=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        return list(pool.map(convert, range(20)))


def test_parallel_conversions_of_one_order_convert_and_pay_once(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a, _ = two_servers
    referrer, friend = _enrolled(a, tenant), _enrolled(a, tenant)
    order = {"externalOrderId": unique("REF-"), "memberId": friend["id"], "total": "30.00"}
    r = httpx.post(a.url + "/api/v2/orders", json=order, headers=_headers(tenant), timeout=30)
    assert r.status_code == 201, r.text
    body = {"code": referrer["referralCode"], "orderId": order["externalOrderId"]}
    responses = _convert_in_parallel(two_servers, tenant, body)
    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    assert len({r.json()["conversion"]["id"] for r in responses}) == 1
    awarded = [r.json()["pointsAwarded"] for r in responses]
    assert sorted(awarded) == [0] * 19 + [DEFAULT_REFERRAL_POINTS], awarded
    code = referrer["referralCode"]
    stats = httpx.get(
        a.url + f"/api/v1/referrals/{code}/stats", headers=_headers(tenant), timeout=30
    ).json()
    assert stats["conversions"] == 1 and stats["revenue"] == 30
    r = httpx.get(
        a.url + f"/api/v2/members/{referrer['id']}/points", headers=_headers(tenant), timeout=30
    )
    assert r.json()["balance"] == DEFAULT_REFERRAL_POINTS
    verify_tenant(tenant)


def test_parallel_conversions_of_an_order_not_yet_ingested_record_one(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a, b = two_servers
    referrer, friend = _enrolled(a, tenant), _enrolled(a, tenant)
    ext = unique("LATER-")
    body = {"code": referrer["referralCode"], "orderId": ext, "orderValue": 12}
    responses = _convert_in_parallel(two_servers, tenant, body)
    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    assert len({r.json()["conversion"]["id"] for r in responses}) == 1
    assert {r.json()["conversion"]["status"] for r in responses} == {"pending"}
    # The order arrives (on the other process): the one conversion is linked and paid.
    order = {"externalOrderId": ext, "memberId": friend["id"], "total": "12.00"}
    r = httpx.post(b.url + "/api/v2/orders", json=order, headers=_headers(tenant), timeout=30)
    assert r.status_code == 201, r.text
    r = httpx.get(
        a.url + f"/api/v2/members/{referrer['id']}/points", headers=_headers(tenant), timeout=30
    )
    assert r.json()["balance"] == DEFAULT_REFERRAL_POINTS
    verify_tenant(tenant)
