"""Process CPU time of native requests driven straight into the ASGI app, in process:
no HTTP client and no server, so what is measured is the app's own work per request
(routing, dependencies, auth, the unit of work, SQL, rendering, audit).

    .venv/bin/python bench/asgi_inprocess.py [--rounds 5] [--n 2000] [--profile read|award|healthz]

Prints the median CPU microseconds per request for ``GET /healthz``, the authenticated
balance read ``GET /api/v2/members/{id}`` and an award ``POST /api/v2/members/{id}/points``
(group commit on SQLite; a fresh SQLite file, or the migrated PostgreSQL database named
by ``PUNCHCARD_BENCH_DATABASE_URL``). ``--profile`` runs cProfile over ``--n`` requests
of that kind and prints the top entries by own and cumulative time. For an A/B of two
commits run it on each, alternating (``git archive <commit> src | tar -x -C /tmp/base``
and ``PYTHONPATH=/tmp/base/src``): CPU time on a shared 2-core machine is noisy (±20%).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from tests.factories import make_tenant

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database

Call = Callable[[], Awaitable[int]]


def driver(app: Any, method: str, path: str, token: str, body: bytes = b"") -> Call:
    """One request to ``app`` per call, as a server would send it; returns the status."""
    headers = [
        (b"host", b"testserver"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"user-agent", b"bench"),
    ]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]

    async def call() -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "state": {},
        }
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    return call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--profile", choices=("read", "award", "healthz"))
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    url = os.environ.get("PUNCHCARD_BENCH_DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp()}/asgi.db"
    )
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    app = create_app(Settings(database_url=url, run_worker=False))
    with TestClient(app) as client:
        tenant = make_tenant(app.state.db, client)
        r = tenant.api.post(
            "/members", json={"email": "a@example.com", "metadata": {"plan": "gold", "n": 3}}
        )
        member = r.json()["id"]
        token = tenant.api.token
        calls = {
            "healthz": driver(app, "GET", "/healthz", token),
            "read": driver(app, "GET", f"/api/v2/members/{member}", token),
            "award": driver(
                app,
                "POST",
                f"/api/v2/members/{member}/points",
                token,
                json.dumps({"amount": 1}).encode(),
            ),
        }

        async def many(call: Call, n: int) -> float:
            start = time.process_time()
            for _ in range(n):
                status = await call()
                assert status == 200, status
            return (time.process_time() - start) / n * 1e6

        portal = client.portal
        assert portal is not None
        for call in calls.values():
            portal.call(many, call, 100)
        if args.profile:
            prof = cProfile.Profile(time.thread_time)  # this thread's CPU, not the wall

            async def profiled(call: Call, n: int) -> float:
                # On the event loop's thread (the portal's), where the requests run.
                prof.enable()
                try:
                    return await many(call, n)
                finally:
                    prof.disable()

            portal.call(profiled, calls[args.profile], args.n)
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out)
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue())
            return
        samples: dict[str, list[float]] = {k: [] for k in calls}
        for _ in range(args.rounds):
            for name, call in calls.items():
                n = args.n if name != "award" else max(args.n // 4, 100)
                samples[name].append(portal.call(many, call, n))
        for name, values in samples.items():
            print(
                f"{name:8s} {statistics.median(values):8.1f} us CPU/request "
                f"(rounds: {', '.join(f'{v:.0f}' for v in values)})"
            )


if __name__ == "__main__":
    main()
