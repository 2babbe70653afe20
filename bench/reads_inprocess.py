"""Median process CPU time of two native reads, in process (TestClient: the client's
own work is included and the same for both versions compared), on a fresh SQLite file.

    .venv/bin/python bench/reads_inprocess.py

A quick A/B for request-path changes (run it on both commits, one after the other);
`make bench` is the real measure (a server process under wrk).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from tests.factories import Api, make_tenant

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database


def cost(api: Api, path: str, n: int = 400) -> float:
    """Median over 5 rounds of the CPU milliseconds one GET costs."""
    for _ in range(50):
        api.get(path)
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(n):
            api.get(path)
        samples.append((time.process_time() - start) / n * 1000)
    return statistics.median(samples)


def main() -> None:
    url = f"sqlite:///{tempfile.mkdtemp()}/reads.db"
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    app = create_app(Settings(database_url=url, run_worker=False))
    with TestClient(app) as client:
        tenant = make_tenant(app.state.db, client)
        member = tenant.api.post("/members", json={"email": "a@example.com"}).json()["id"]
        print(f"GET /members/{{id}}: {cost(tenant.api, f'/members/{member}'):.3f} ms CPU")
        print(f"GET /stores: {cost(tenant.api, '/stores'):.3f} ms CPU")


if __name__ == "__main__":
    main()
