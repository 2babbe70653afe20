"""Crash safety: a server killed with SIGKILL under load loses no acknowledged write and,
after the clients retry with their Idempotency-Keys, has written nothing twice.

Each round, on a database of its own (``punchcard verify`` checks every tenant it
finds): clients send awards, coupon purchases and orders, each with its own
Idempotency-Key, until the server is killed at a random moment. A new server starts
on the same database, and every request that did not get a definitive answer is
retried with the same key and body. Then:

- every request answered 2xx (before or after the kill) is in the ledger, once;
- `punchcard verify` is clean; on SQLite, `PRAGMA integrity_check` says ok.

3 rounds in CI, 20 under ``make soak``; the server that comes back from one kill is
the next round's victim, and every round has a tenant of its own.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from punchcard.db.uow import Database
from punchcard.identity import keys
from punchcard.tenants.service import create_tenant
from tests.e2e.conftest import Server, start_server
from tests.reliability.conftest import report, size
from tests.webhooks.support import isolated_database

pytestmark = pytest.mark.slow

ROUNDS = size(3, 20)
CLIENTS = 8
WARM = 20  # answers before the kill may come
COST = 5
# Claims left by the killed process are taken over after a second instead of 120 s.
ENV = {"PUNCHCARD_IDEMPOTENCY_STALE_SECONDS": "1"}


@dataclass
class Sent:
    """One logical request: its key, what it asked for, and its final answer."""

    key: str
    kind: str  # award | redeem | order
    path: str
    body: dict[str, Any]
    status: int | None = None  # None: no answer yet (the server died mid-request)
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def settled(self) -> bool:
        # 409 IDEMPOTENCY_KEY_IN_FLIGHT means "the dead process held it": retry it.
        return self.status is not None and self.status != 409 and self.status < 500


def _tenant(url: str) -> tuple[str, str]:
    db = Database(url)
    try:
        with db.transaction() as s:
            t = create_tenant(s, name="Crash Co")
            key = keys.create_key(s, t.id, name="crash", preset="write").plaintext
    finally:
        db.dispose()
    return key, str(t.id)


def _setup(server: Server, key: str) -> tuple[list[str], str]:
    h = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.url + "/api/v2", headers=h, timeout=30) as c:
        members = []
        for i in range(4):
            r = c.post("/members", json={"email": f"crash{i}@example.com"})
            assert r.status_code == 201, r.text
            members.append(r.json()["id"])
            assert c.post(f"/members/{members[-1]}/points", json={"amount": 1000}).is_success
        pool = c.post(
            "/coupons/pools",
            json={
                "name": "crash",
                "discountType": "amount",
                "discountValue": "1.00",
                "pointsCost": COST,
                "generate": {"count": 1000},
            },
        )
        assert pool.status_code == 201, pool.text
    return members, pool.json()["id"]


def _request(n: int, members: list[str], pool: str, rng: random.Random) -> Sent:
    member = rng.choice(members)
    kind = rng.choice(["award", "award", "redeem", "order"])
    key = f"crash-{n}-{rng.getrandbits(48):x}"
    if kind == "award":
        return Sent(key, kind, f"/members/{member}/points", {"amount": 3, "description": key})
    if kind == "redeem":
        return Sent(key, kind, f"/members/{member}/redeem-coupon", {"poolId": pool})
    return Sent(
        key, kind, "/orders", {"externalOrderId": key, "memberId": member, "total": "12.00"}
    )


def _send(client: httpx.Client, sent: Sent) -> None:
    try:
        r = client.post(sent.path, json=sent.body, headers={"Idempotency-Key": sent.key})
    except httpx.TransportError:
        return  # no answer: the server is gone; the request may or may not have run
    sent.status = r.status_code
    sent.answer = r.json() if r.content else {}


def _load(server: Server, key: str, members: list[str], pool: str, seed: int) -> list[Sent]:
    """Clients send until the server dies under them."""
    rng = random.Random(seed)
    counter = itertools.count()
    lock = threading.Lock()
    sent: list[Sent] = []
    stop = threading.Event()

    def client() -> None:
        h = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.url + "/api/v2", headers=h, timeout=30) as c:
            while not stop.is_set():
                with lock:
                    req = _request(next(counter), members, pool, rng)
                    sent.append(req)
                _send(c, req)
                if req.status is None:
                    return

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while sum(1 for s in list(sent) if s.status is not None) < WARM:  # steady load first
        assert time.monotonic() < deadline, "the load never got going"
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, 1.0))  # then a random moment
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=30)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    return sent


def _retry(server: Server, key: str, sent: list[Sent]) -> None:
    h = {"Authorization": f"Bearer {key}"}
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=server.url + "/api/v2", headers=h, timeout=30) as c:
        while pending := [s for s in sent if not s.settled]:
            assert time.monotonic() < deadline, [(s.key, s.status) for s in pending]
            for s in pending:
                _send(c, s)
            if any(not s.settled for s in pending):
                time.sleep(0.5)


def _check_ledger(server: Server, key: str, sent: list[Sent], members: list[str]) -> None:
    h = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.url + "/api/v2", headers=h, timeout=30) as c:
        entries: list[dict[str, Any]] = []
        for m in members:
            offset = 0
            while True:
                page = c.get(f"/members/{m}/points", params={"limit": 200, "offset": offset})
                assert page.status_code == 200, page.text
                body = page.json()
                entries += body["transactions"]
                offset += 200
                if offset >= body["total"]:
                    break
        orders = c.get("/orders", params={"limit": 200}).json()
    by_id = Counter(e["id"] for e in entries)
    awards = Counter(e["description"] for e in entries if e["type"] == "award")
    order_ids = Counter(o["externalOrderId"] for o in orders["orders"])
    assert orders["total"] <= 200, "raise the page walk"
    for s in sent:
        ok = 200 <= (s.status or 0) < 300
        if s.kind == "award":
            assert awards[s.key] == (1 if ok else 0), (s, awards[s.key])
        elif s.kind == "redeem" and ok:
            assert by_id[s.answer["transactionId"]] == 1, s
        elif s.kind == "order":
            assert order_ids[s.key] == (1 if ok else 0), s
        if ok and s.kind != "order":
            assert by_id[s.answer["transactionId"]] == 1, s
    assert all(n == 1 for n in by_id.values())


def _verify(url: str, tmp: Path) -> None:
    env = {**os.environ, "PUNCHCARD_DATABASE_URL": url}
    run = subprocess.run(
        [sys.executable, "-m", "punchcard.cli.main", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    db = Database(url)
    try:
        if db.is_sqlite:
            with db.engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        db.dispose()


def test_sigkill_under_load_loses_and_doubles_nothing(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with isolated_database(tmp_path) as url:
        server = start_server(tmp_path, database=url, env=ENV, name="round-0")
        try:
            for round_ in range(ROUNDS):
                # The server that comes back from one kill is the next round's victim.
                server = _round(round_, url, server, tmp_path)
        finally:
            server.stop()
    report(request, f"crash: {ROUNDS} SIGKILL rounds, nothing lost, nothing doubled")


def _round(round_: int, url: str, doomed: Server, tmp: Path) -> Server:
    key, _ = _tenant(url)
    members, pool = _setup(doomed, key)
    sent = _load(doomed, key, members, pool, seed=round_)
    unanswered = sum(1 for s in sent if s.status is None)
    restarted = start_server(tmp, database=url, env=ENV, name=f"round-{round_ + 1}")
    _retry(restarted, key, sent)
    _check_ledger(restarted, key, sent, members)
    _verify(url, tmp)
    kinds = dict(Counter(s.kind for s in sent))
    print(f"round {round_}: {len(sent)} requests {kinds}, {unanswered} cut off by the kill")
    assert len(sent) > WARM  # the kill came under load, not before it
    return restarted
