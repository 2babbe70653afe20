"""Process CPU time and SQL statements of the two native batch routes, in process
(TestClient: the client's own work is included and the same for both versions
compared), on a fresh SQLite file.

    .venv/bin/python bench/batch_inprocess.py

- ``POST /orders/batch``: 500 new orders over 50 members (10 each), every one earning.
- ``POST /members/batch``: 500 new members, then the same 500 rows again (all updates).

A quick A/B for batch-path changes (run it on both commits, one after the other);
`make bench` is the real measure (a server process under wrk).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
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

ROWS = 500
ROUNDS = 5


def measure(engine: Any, call: Callable[[], Any]) -> tuple[float, int]:
    """CPU milliseconds and statements one call costs."""
    count = 0

    def on_execute(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        start = time.process_time()
        call()
        spent = (time.process_time() - start) * 1000
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return spent, count


def ok(r: Any) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def orders(api: Api, engine: Any, members: list[str], tag: str) -> tuple[float, int]:
    rows = [
        {"externalOrderId": f"{tag}-{i}", "memberId": members[i % len(members)], "total": "10.00"}
        for i in range(ROWS)
    ]
    return measure(engine, lambda: ok(api.post("/orders/batch", json={"orders": rows})))


def members(api: Api, engine: Any, tag: str) -> tuple[float, int, float, int]:
    rows = [
        {"externalId": f"{tag}-{i}", "email": f"{tag}-{i}@example.com", "firstName": "A"}
        for i in range(ROWS)
    ]
    created = measure(engine, lambda: ok(api.post("/members/batch", json={"members": rows})))
    for r in rows:
        r["firstName"] = "B"
    updated = measure(engine, lambda: ok(api.post("/members/batch", json={"members": rows})))
    return (*created, *updated)


def main() -> None:
    url = f"sqlite:///{tempfile.mkdtemp()}/batch.db"
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    app = create_app(Settings(database_url=url, run_worker=False, sqlite_synchronous="NORMAL"))
    with TestClient(app) as client:
        engine = app.state.db.engine
        tenant = make_tenant(app.state.db, client)
        people = [
            ok(tenant.api.post("/members/batch", json={"members": [{"externalId": f"P{i}"}]}))[
                "results"
            ][0]["id"]
            for i in range(50)
        ]
        orders(tenant.api, engine, people, "warm")
        members(tenant.api, engine, "warm")
        o = [orders(tenant.api, engine, people, f"r{n}") for n in range(ROUNDS)]
        m = [members(tenant.api, engine, f"r{n}") for n in range(ROUNDS)]
    print(
        f"POST /orders/batch ({ROWS} orders, 50 members): "
        f"{statistics.median(x[0] for x in o):.0f} ms CPU, {o[-1][1]} statements"
    )
    print(
        f"POST /members/batch ({ROWS} new members): "
        f"{statistics.median(x[0] for x in m):.0f} ms CPU, {m[-1][1]} statements"
    )
    print(
        f"POST /members/batch ({ROWS} updates): "
        f"{statistics.median(x[2] for x in m):.0f} ms CPU, {m[-1][3]} statements"
    )


if __name__ == "__main__":
    main()
