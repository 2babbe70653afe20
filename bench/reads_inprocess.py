"""Median process CPU time of native requests, in process (TestClient: the client's
own work is included and the same for both versions compared), on a fresh SQLite file
(or the PostgreSQL database named by ``PUNCHCARD_BENCH_DATABASE_URL``, migrated).

    .venv/bin/python bench/reads_inprocess.py [rounds]

A quick A/B for request-path changes: run it on both commits, alternating (for a
baseline, ``git archive <commit> src | tar -x -C /tmp/base`` and run it with
``PYTHONPATH=/tmp/base/src``). `make bench` is the real measure (a server process
under wrk). Measured: ``GET /api/v2/members/{id}`` (the read) and an award
``POST /api/v2/members/{id}/points`` (the write, group commit on SQLite).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from tests.factories import Api, make_tenant

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database


def cost(call: Callable[[], object], n: int = 400, rounds: int = 5) -> float:
    """Median over ``rounds`` of the CPU milliseconds one call costs."""
    for _ in range(50):
        call()
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(n):
            call()
        samples.append((time.process_time() - start) / n * 1000)
    return statistics.median(samples)


def main() -> None:
    url = os.environ.get("PUNCHCARD_BENCH_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp()}/reads.db"
    )
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    app = create_app(Settings(database_url=url, run_worker=False))
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with TestClient(app) as client:
        tenant = make_tenant(app.state.db, client)
        api: Api = tenant.api
        member = api.post("/members", json={"email": "a@example.com"}).json()["id"]

        def read() -> None:
            assert api.get(f"/members/{member}").status_code == 200

        def write() -> None:
            r = api.post(f"/members/{member}/points", json={"amount": 1})
            assert r.status_code == 200, r.text

        print(f"GET /members/{{id}}: {cost(read, rounds=rounds):.3f} ms CPU")
        print(f"POST /members/{{id}}/points: {cost(write, n=200, rounds=rounds):.3f} ms CPU")


if __name__ == "__main__":
    main()
