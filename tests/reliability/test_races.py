"""Races against real server processes, on the suite's database (SQLite or PostgreSQL).

The larger siblings of ``tests/e2e/test_concurrency.py``: every request is released
at once by a barrier, once against one process and once spread over two. Each race
checks the counts and then the ledger itself (``verify``), so an overdraft or a
double write cannot hide behind the right status codes.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from punchcard.db.uow import Database
from punchcard.identity import keys
from punchcard.ledger.verify import verify_all
from punchcard.tenants.service import create_tenant
from tests.e2e.conftest import Server, start_server
from tests.webhooks.support import isolated_database

pytestmark = pytest.mark.slow

COST = 10
# A request unanswered this long is a hung server, not a slow one (one write is ~10 ms).
TIMEOUT = 60


@dataclass
class Stage:
    """Two servers on a database of their own: a burst that jams one database must not
    slow the rest of the suite, and `verify` sees only this module's tenants."""

    url: str
    servers: list[Server]


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    tmp = Path(tmp_path_factory.mktemp("races"))
    with isolated_database(tmp) as url:
        # Few PostgreSQL connections a server: a burst must queue for them, and the
        # races of both xdist workers (two servers each) must stay far below the
        # database's max_connections (100), which a burst would otherwise exhaust.
        pool = {"PUNCHCARD_DB_POOL_SIZE": "6", "PUNCHCARD_DB_MAX_OVERFLOW": "4"}
        started = [start_server(tmp, database=url, name="race-a", env=pool)]
        try:
            started.append(start_server(tmp, database=url, name="race-b", env=pool))
            yield Stage(url, started)
        finally:
            for s in started:
                s.stop()


@dataclass
class Racer:
    """A tenant of the stage's database, and the base URLs to race on."""

    token: str
    tenant_id: uuid.UUID
    urls: list[str]
    db_url: str

    def h(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def member(self) -> str:
        r = httpx.post(
            f"{self.urls[0]}/members",
            json={"email": f"{uuid.uuid4().hex}@example.com"},
            headers=self.h(),
            timeout=TIMEOUT,
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def points(self, member: str) -> dict[str, Any]:
        r = httpx.get(
            f"{self.urls[0]}/members/{member}/points",
            headers=self.h(),
            params={"limit": 200},
            timeout=TIMEOUT,
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def verify(self) -> None:
        db = Database(self.db_url)
        try:
            with db.transaction(write=False) as s:
                report = verify_all(s, self.tenant_id)
        finally:
            db.dispose()
        assert report.ok, report.violations


@pytest.fixture(params=[1, 2], ids=["one-process", "two-processes"])
def racer(request: pytest.FixtureRequest, stage: Stage) -> Racer:
    db = Database(stage.url)
    try:
        with db.transaction() as s:
            t = create_tenant(s, name="Race Co")
            token = keys.create_key(s, t.id, name="race", preset="write").plaintext
            tenant_id = t.id
    finally:
        db.dispose()
    urls = [s.url + "/api/v2" for s in stage.servers[: request.param]]
    return Racer(token, tenant_id, urls, stage.url)


def stampede(n: int, urls: list[str], send: Callable[[httpx.Client, str], httpx.Response]) -> list:
    """``n`` requests released together, alternating between the servers."""
    barrier = threading.Barrier(n)

    def one(i: int) -> httpx.Response:
        with httpx.Client(timeout=TIMEOUT) as c:
            barrier.wait()
            return send(c, urls[i % len(urls)])

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_200_redeems_on_a_balance_of_50_spend_exactly_50(racer: Racer) -> None:
    member = racer.member()
    base = racer.urls[0]
    assert httpx.post(
        f"{base}/members/{member}/points", json={"amount": 50 * COST}, headers=racer.h()
    ).is_success
    pool = httpx.post(
        f"{base}/coupons/pools",
        json={
            "name": "race",
            "discountType": "amount",
            "discountValue": "5.00",
            "pointsCost": COST,
            "generate": {"count": 200},
        },
        headers=racer.h(),
        timeout=TIMEOUT,
    ).json()

    answers = stampede(
        200,
        racer.urls,
        lambda c, url: c.post(
            f"{url}/members/{member}/redeem-coupon", json={"poolId": pool["id"]}, headers=racer.h()
        ),
    )
    statuses = Counter(r.status_code for r in answers)
    assert statuses == {200: 50, 422: 150}, statuses
    refused = {r.json()["error"]["code"] for r in answers if r.status_code == 422}
    assert refused == {"INSUFFICIENT_POINTS"}
    ledger = racer.points(member)
    assert ledger["balance"] == 0  # not one point below zero
    assert sum(1 for e in ledger["transactions"] if e["type"] == "redeem") == 50
    codes = {r.json()["coupon"]["code"] for r in answers if r.status_code == 200}
    assert len(codes) == 50  # fifty different codes, none handed out twice
    racer.verify()


def test_100_redeems_of_one_code_succeed_once(racer: Racer) -> None:
    base = racer.urls[0]
    pool = httpx.post(
        f"{base}/coupons/pools",
        json={"name": "one", "discountType": "amount", "discountValue": "5", "codes": ["RACE"]},
        headers=racer.h(),
        timeout=TIMEOUT,
    )
    assert pool.status_code == 201, pool.text

    answers = stampede(
        100,
        racer.urls,
        lambda c, url: c.post(f"{url}/coupons/RACE/redeem", json={}, headers=racer.h()),
    )
    statuses = Counter(r.status_code for r in answers)
    assert statuses == {200: 1, 404: 99}, statuses
    coupons = httpx.get(f"{base}/coupons", headers=racer.h(), timeout=TIMEOUT).json()["coupons"]
    assert [c["status"] for c in coupons] == ["redeemed"]


def test_50_copies_of_one_idempotent_request_take_effect_once(racer: Racer) -> None:
    member = racer.member()
    base = racer.urls[0]
    answers = stampede(
        50,
        racer.urls,
        lambda c, url: c.post(
            f"{url}/members/{member}/points",
            json={"amount": 7, "description": "one sale"},
            headers=racer.h(**{"Idempotency-Key": "race-sale-1"}),
        ),
    )
    statuses = Counter(r.status_code for r in answers)
    # Each copy did the work, replayed it, or was told it was still in flight.
    assert set(statuses) <= {200, 409}, statuses
    done = [r for r in answers if r.status_code == 200]
    assert len({r.json()["transactionId"] for r in done}) == 1
    assert sum(1 for r in done if r.headers.get("Idempotent-Replayed") != "true") <= 1
    in_flight = {r.json()["error"]["code"] for r in answers if r.status_code == 409}
    assert in_flight <= {"IDEMPOTENCY_KEY_IN_FLIGHT"}
    # A retry after the stampede replays the one answer.
    again = httpx.post(
        f"{base}/members/{member}/points",
        json={"amount": 7, "description": "one sale"},
        headers=racer.h(**{"Idempotency-Key": "race-sale-1"}),
        timeout=TIMEOUT,
    )
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    ledger = racer.points(member)
    assert ledger["balance"] == 7
    assert [e["amount"] for e in ledger["transactions"]] == [7]
    racer.verify()
