"""Median process CPU time and SQL statements of one native award
(``POST /members/{id}/points``), in process (TestClient: the client's own work is
included and the same for both versions compared), on a fresh SQLite file.

    .venv/bin/python bench/award_http_inprocess.py

The tenant has what an award reads of its configuration: a lifetime and a period tier,
a points-expiry setting and an enabled webhook endpoint. A quick A/B for award-path
changes (run it on both commits, one after the other); `make bench` is the real measure
(a server process under wrk).
"""

from __future__ import annotations

import collections
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from sqlalchemy import event
from tests.factories import Api, make_tenant

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database


def configure(api: Api) -> None:
    """The configuration an award consults: tiers, expiry, a webhook endpoint."""
    for body in (
        {"name": "Silver", "minPoints": 100, "multiplier": "1.5", "position": 1},
        {"name": "Gold", "minPoints": 1000, "position": 2, "type": "period"},
    ):
        assert api.post("/tiers", json=body).status_code == 201
    assert api.patch("/settings", json={"pointsExpiryDays": 365}).status_code == 200
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["points.awarded"]}
    assert api.post("/webhooks", json=hook).status_code == 201


def cost(api: Api, path: str, n: int = 300) -> float:
    """Median over 5 rounds of the CPU milliseconds one award costs."""
    for _ in range(50):
        api.post(path, json={"amount": 1})
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(n):
            api.post(path, json={"amount": 1})
        samples.append((time.process_time() - start) / n * 1000)
    return statistics.median(samples)


def statements(db: Database, api: Api, path: str) -> list[str]:
    """The statements one warm award runs on the app's engine (request threads only)."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.append(sql)

    api.post(path, json={"amount": 1})
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert api.post(path, json={"amount": 1}).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return seen


def main() -> None:
    url = f"sqlite:///{tempfile.mkdtemp()}/award.db"
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    app = create_app(Settings(database_url=url, run_worker=False, webhooks_allow_private=True))
    with TestClient(app) as client:
        tenant = make_tenant(app.state.db, client)
        configure(tenant.api)
        member = tenant.api.post("/members", json={"email": "a@example.com"}).json()["id"]
        path = f"/members/{member}/points"
        seen = statements(app.state.db, tenant.api, path)
        kinds = collections.Counter(" ".join(s.split()[:1]).upper() for s in seen)
        print(f"POST /members/{{id}}/points: {len(seen)} statements {dict(kinds)}")
        for sql in seen:
            print("   ", " ".join(sql.split())[:110])
        print(f"POST /members/{{id}}/points: {cost(tenant.api, path):.3f} ms CPU")


if __name__ == "__main__":
    main()
