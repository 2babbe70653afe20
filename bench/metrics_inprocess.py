"""CPU cost of the request metrics middleware (``api.common.metrics.RequestMetrics``)
alone, in process: a trivial ASGI app answered 200,000 times bare and wrapped, CPU
time per request (``time.process_time``). ``mp`` runs prometheus-client in its
multiprocess mode (as ``punchcard serve`` does), ``sp`` in its in-memory one.

Usage: ``python bench/metrics_inprocess.py sp|mp``
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from typing import Any

if len(sys.argv) > 1 and sys.argv[1] == "mp":  # before prometheus-client is imported
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="bench-metrics-")

from punchcard.api.common.metrics import RequestMetrics  # noqa: E402


class _Route:
    path = "/api/v2/members/{id}"


ROUTE = _Route()
N = 200_000


async def inner(scope: Any, receive: Any, send: Any) -> None:
    scope["route"] = ROUTE
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"x"})


async def _send(message: Any) -> None:
    return None


async def _receive() -> Any:
    return {}


async def run(app: Any) -> None:
    for _ in range(N):
        await app({"type": "http", "method": "GET", "path": "/api/v2/members/x"}, _receive, _send)


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "sp"
    for label, app in (("bare", inner), ("metrics", RequestMetrics(inner, ["/api/v2"]))):
        started = time.process_time()
        asyncio.run(run(app))
        used = (time.process_time() - started) / N * 1e6
        print(f"{mode} {label}: {used:.2f} µs CPU per request")


if __name__ == "__main__":
    main()
