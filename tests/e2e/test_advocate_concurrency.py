"""Reward stock on the advocate face under concurrency, from two real server processes
on one database: a reward with stock 5, 40 parallel redemptions by 40 advocates who can
all afford it → exactly 5 succeed, the 35 others are 400 OUT_OF_STOCK and charged
nothing, and the stock ends at 0."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.conftest import Server
from tests.factories import Tenant, verify_tenant

RACERS = 40
STOCK = 5
COST = 10


def test_parallel_redemptions_take_exactly_the_stock(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a, b = two_servers
    h = {"Authorization": f"Bearer {tenant.api.token}"}
    with httpx.Client(base_url=a.url + "/api/v1", headers=h, timeout=60) as c:
        r = c.post(
            "/rewards",
            json={"name": "Hoodie", "pointsCost": COST, "type": "product", "stock": STOCK},
        )
        assert r.status_code == 201, r.text
        reward = r.json()["reward"]["id"]
        advocates = []
        for i in range(RACERS):
            r = c.post("/advocates", json={"email": f"racer{i}@example.com", "name": f"Racer {i}"})
            assert r.status_code == 201, r.text
            advocates.append(r.json()["advocate"]["id"])
            r = c.post(f"/advocates/{advocates[-1]}/points", json={"amount": COST})
            assert r.status_code == 200, r.text

    def redeem(i: int) -> tuple[int, str | None]:
        server = a if i % 2 else b
        r = httpx.post(
            f"{server.url}/api/v1/rewards/{reward}/redeem",
            json={"advocateId": advocates[i]},
            headers=h,
            timeout=120,
        )
        code = r.json()["error"]["code"] if r.status_code >= 400 else None
        return r.status_code, code

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(redeem, range(RACERS)))

    statuses = [s for s, _ in results]
    assert statuses.count(200) == STOCK, results
    assert results.count((400, "OUT_OF_STOCK")) == RACERS - STOCK, results
    with httpx.Client(base_url=b.url + "/api/v1", headers=h, timeout=60) as c:
        assert c.get(f"/rewards/{reward}").json()["reward"]["stock"] == 0
        balances = [c.get(f"/advocates/{m}").json()["advocate"]["points"] for m in advocates]
    won = [advocates[i] for i, (s, _) in enumerate(results) if s == 200]
    assert sorted(balances) == [0] * STOCK + [COST] * (RACERS - STOCK)
    assert all(balances[advocates.index(m)] == 0 for m in won)
    verify_tenant(tenant)
