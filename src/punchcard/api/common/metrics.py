"""Prometheus metrics (``prometheus-client``), served at ``/metrics``.

Recorded here, per process:

- ``punchcard_http_requests_total{face,route,method,status}`` and
  ``punchcard_http_request_duration_seconds{face,route,method}`` by
  :class:`RequestMetrics`, the outermost middleware. ``route`` is the matched route's
  *template* (``/api/v2/members/{member_id}``), ``face`` its face's prefix: never a raw
  path or an id, so the number of series is bounded by the routes. A path no route
  matches is ``route="unmatched"``; a method outside HTTP's usual ones is ``other``.
- ``punchcard_group_commit_batch_size``: the requests a SQLite group commit answered
  with one COMMIT (``db.group.GroupCommit.observe_batch``).

Read from the database when scraped (one process answers for all of them):
``punchcard_webhook_deliveries{status="pending"|"failed"}`` and
``punchcard_outbox_lag_seconds``, how long the oldest due delivery has waited.

Under ``punchcard serve --workers N`` every process writes its values to files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode, chosen when the
module is first imported; ``serve`` sets the directory up before the app is loaded)
and a scrape of any process adds them all up.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from punchcard import errors as E
from punchcard.api.common.errors import render
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.models import WebhookDelivery

REQUESTS = Counter(
    "punchcard_http_requests",
    "HTTP requests answered, by face, route template, method and status",
    ["face", "route", "method", "status"],
)
LATENCY = Histogram(
    "punchcard_http_request_duration_seconds",
    "Time from a request's arrival to its last byte sent, by face, route template, method",
    ["face", "route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
GROUP_COMMIT_BATCH = Histogram(
    "punchcard_group_commit_batch_size",
    "Write requests committed together by one SQLite group commit",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
NO_FACE = "none"


class RequestMetrics:
    """Counts every HTTP request and times it. Per request: two clock reads, one dict
    lookup for the label children (made once per route, method and status), one
    increment and one observation."""

    def __init__(self, app: ASGIApp, prefixes: Sequence[str]) -> None:
        self.app = app
        self._prefixes = sorted(prefixes, key=len, reverse=True)
        self._children: dict[tuple[int | str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # an exception before the response started: the server's 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            # Routes are not hashable; they live as long as the app, so their id is. A
            # path no route matched is told apart by its face only.
            where = id(route) if route is not None else self._face(scope.get("path", ""))
            key = (where, scope["method"], status)
            children = self._children.get(key)
            if children is None:
                children = self._children[key] = self._label(route, scope, *key[1:])
            children[0].inc()
            children[1].observe(elapsed)

    def _face(self, path: str) -> str:
        return next((p for p in self._prefixes if path == p or path.startswith(p + "/")), NO_FACE)

    def _label(self, route: Any, scope: Scope, method: str, status: int) -> tuple[Any, Any]:
        template = getattr(route, "path", None) if route is not None else None
        face = self._face(template or scope.get("path", ""))
        verb = method if method in METHODS else "other"
        name = template or UNMATCHED
        return (
            REQUESTS.labels(face, name, verb, str(status)),
            LATENCY.labels(face, name, verb),
        )


@dataclass(frozen=True)
class Backlog:
    pending: int
    failed: int
    lag_seconds: float


def read_backlog(db: Database) -> Backlog:
    """Webhook deliveries waiting and given up on, and how long the oldest due one has
    waited (0 when none is due), across every tenant. Index-only on
    ``ix_webhook_deliveries_due`` (status, next_attempt_at)."""
    D = WebhookDelivery
    now: datetime = db.clock.now()
    with db.transaction(write=False) as session:
        counts: dict[str, int] = {
            status: int(n)
            for status, n in session.execute(
                select(D.status, func.count())
                .where(D.status.in_(("pending", "failed")))
                .group_by(D.status)
            ).all()
        }
        oldest = session.scalar(
            select(func.min(D.next_attempt_at)).where(
                D.status == "pending", D.next_attempt_at <= now
            )
        )
    lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(int(counts.get("pending", 0)), int(counts.get("failed", 0)), lag)


class _Families:
    """A registry's collector for values already read (the backlog) and, outside
    multiprocess mode, this process's own registry."""

    def __init__(self, backlog: Backlog, *, own: bool) -> None:
        self.backlog = backlog
        self.own = own

    def collect(self) -> Iterator[Any]:
        if self.own:
            yield from REGISTRY.collect()
        deliveries = GaugeMetricFamily(
            "punchcard_webhook_deliveries",
            "Webhook deliveries waiting to be sent (pending) or given up on (failed)",
            labels=["status"],
        )
        deliveries.add_metric(["pending"], self.backlog.pending)
        deliveries.add_metric(["failed"], self.backlog.failed)
        yield deliveries
        yield GaugeMetricFamily(
            "punchcard_outbox_lag_seconds",
            "How long the oldest webhook delivery that is due has been waiting",
            value=self.backlog.lag_seconds,
        )


def exposition(backlog: Backlog, accept: str) -> tuple[bytes, str]:
    """The scrape's body and content type, in the format the scraper accepts (the
    text format 0.0.4 by default, OpenMetrics when asked)."""
    registry = CollectorRegistry(auto_describe=False)
    multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    if multiprocess:
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    families: Collector = _Families(backlog, own=not multiprocess)
    registry.register(families)
    encode, content_type = choose_encoder(accept)
    return encode(registry), content_type


def allowed(request: Request, settings: Settings) -> E.PunchcardError | None:
    """Who may scrape: with a token, whoever presents it; else every client when made
    public, else loopback clients only. None: allowed; else the refusal."""
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), settings.metrics_token.encode()
        ):
            return None
        return E.Unauthenticated("The metrics need their bearer token")
    if settings.metrics_public or _loopback(request):
        return None
    return E.Forbidden(
        "Metrics are served to loopback clients only "
        "(PUNCHCARD_METRICS_PUBLIC or PUNCHCARD_METRICS_TOKEN opens them)"
    )


def _loopback(request: Request) -> bool:
    client = request.client
    if client is None:
        return False
    try:
        ip = ipaddress.ip_address(client.host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def install(app: FastAPI, database: Database, prefixes: Sequence[str]) -> None:
    """The middleware, the group commit's batch sizes, and ``GET /metrics`` (added
    after the faces' routes: a face's request never tries it)."""
    app.add_middleware(RequestMetrics, prefixes=prefixes)
    if database.group is not None:
        database.group.observe_batch = GROUP_COMMIT_BATCH.observe

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        refusal = allowed(request, request.app.state.settings)
        if refusal is not None:
            return render(request, refusal)
        backlog = await run_in_threadpool(read_backlog, request.app.state.db)
        accept = request.headers.get("accept", "")
        body, content_type = await run_in_threadpool(exposition, backlog, accept)
        return Response(body, headers={"Content-Type": content_type})
