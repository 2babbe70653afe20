"""Exactly-once under concurrency, from two real server processes on one database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.conftest import Server
from tests.factories import Tenant, verify_tenant


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
