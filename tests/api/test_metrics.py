"""Prometheus metrics at ``/metrics``: requests by face, route template and status
(never a raw path or an id), latency histograms, group-commit batch sizes, webhook
deliveries pending and failed and the outbox lag; loopback clients only unless opened
or a token is set; correct across ``punchcard serve --workers 2`` (multiprocess
mode, a real server)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from punchcard.app import FACES, create_app
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.models import WebhookDelivery
from tests.conftest import TestClock
from tests.e2e.conftest import start_server
from tests.factories import Tenant, award, insert_member
from tests.webhooks.support import isolated_database
from tests.worker.test_retention import World

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient | httpx.Client, **headers: str) -> Samples:
    r = client.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def local(app: FastAPI, host: str = "127.0.0.1") -> TestClient:
    return TestClient(app, client=(host, 40000))


def _template(app: FastAPI, method: str, prefix: str) -> str:
    """The route template of ``<prefix>/{id}`` (the parameter's name is the face's)."""
    return next(
        r.path
        for r in app.routes
        if isinstance(r, APIRoute)
        and method in r.methods
        and r.path.startswith(prefix + "/{")
        and r.path.count("/") == prefix.count("/") + 1
    )


def test_requests_are_counted_by_face_route_template_and_status(
    app: FastAPI, tenant: Tenant
) -> None:
    member = insert_member(tenant)
    template = _template(app, "GET", "/api/v2/members")
    ok = {"face": "/api/v2", "route": template, "method": "GET", "status": "200"}
    missing = {**ok, "status": "404"}
    hist = {"face": "/api/v2", "route": template, "method": "GET"}
    before = scrape(local(app))
    for _ in range(3):
        assert tenant.api.get(f"/members/{member}").status_code == 200
    unknown = "mem_" + "0" * 32
    assert tenant.api.get(f"/members/{unknown}").status_code == 404
    assert tenant.client.get("/no/such/path/12345").status_code == 404
    samples = scrape(local(app))
    assert (
        value(samples, "punchcard_http_requests_total", **ok)
        - value(before, "punchcard_http_requests_total", **ok)
        == 3
    )
    assert (
        value(samples, "punchcard_http_requests_total", **missing)
        - value(before, "punchcard_http_requests_total", **missing)
        == 1
    )
    count = "punchcard_http_request_duration_seconds_count"
    assert value(samples, count, **hist) - value(before, count, **hist) == 4
    inf = {**hist, "le": "+Inf"}
    bucket = "punchcard_http_request_duration_seconds_bucket"
    assert value(samples, bucket, **inf) == value(samples, count, **hist)
    unmatched = {"face": "none", "route": "unmatched", "method": "GET", "status": "404"}
    assert value(samples, "punchcard_http_requests_total", **unmatched) >= 1
    # Never a raw path or an id as a label (label values only: a float in the
    # exposition, a duration or a timestamp, may well hold the digits 12345).
    labels = {v for _, pairs in samples for _, v in pairs}
    ids = (member.removeprefix("mem_"), unknown.removeprefix("mem_"), "12345")
    assert not any(i in v for v in labels for i in ids), labels


@pytest.mark.parametrize("face", FACES, ids=[f.prefix for f in FACES])
def test_every_face_is_its_own_label(app: FastAPI, face: object) -> None:
    prefix: str = face.prefix  # type: ignore[attr-defined]
    client = local(app)
    before = scrape(client)
    assert client.get(f"{prefix}/openapi.json").status_code == 200
    assert client.get(f"{prefix}/no-such-route/123").status_code == 404
    samples = scrape(client)
    doc = {"face": prefix, "route": f"{prefix}/openapi.json", "method": "GET", "status": "200"}
    lost = {"face": prefix, "route": "unmatched", "method": "GET", "status": "404"}
    for labels in (doc, lost):
        delta = value(samples, "punchcard_http_requests_total", **labels) - value(
            before, "punchcard_http_requests_total", **labels
        )
        assert delta == 1, labels


def test_an_unusual_method_is_one_label(app: FastAPI) -> None:
    client = local(app)
    for verb in ("BREW", "PROPFIND"):
        client.request(verb, "/api/v2/members")
    text = client.get("/metrics").text
    assert "BREW" not in text and "PROPFIND" not in text
    assert 'method="other"' in text


def test_group_commit_batch_sizes_are_recorded(app: FastAPI, tenant: Tenant, db: Database) -> None:
    member = insert_member(tenant)
    before = scrape(local(app))
    award(tenant, member, 5)
    award(tenant, member, 7)
    samples = scrape(local(app))
    name = "punchcard_group_commit_batch_size_count"
    batches = value(samples, name) - value(before, name)
    if db.group is not None:  # SQLite: each award was answered by a batch
        assert batches >= 1
        total = value(samples, "punchcard_group_commit_batch_size_sum") - value(
            before, "punchcard_group_commit_batch_size_sum"
        )
        assert total >= 2
    else:  # PostgreSQL commits each request itself
        assert batches == 0


@pytest.fixture
def own(tmp_path: Path, clock: TestClock) -> Iterator[tuple[FastAPI, Database]]:
    """An app on a database of its own: the backlog gauges count every tenant."""
    with isolated_database(tmp_path) as url:
        database = Database(url, clock=clock)
        yield create_app(Settings(database_url=url, run_worker=False), db=database), database
        database.dispose()


def test_webhook_backlog_and_outbox_lag(own: tuple[FastAPI, Database], clock: TestClock) -> None:
    app, database = own
    client = local(app)
    empty = scrape(client)
    assert value(empty, "punchcard_webhook_deliveries", status="pending") == 0
    assert value(empty, "punchcard_outbox_lag_seconds") == 0
    at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    w = World(database, clock)
    rows = [w.event(at) for _ in range(3)]
    with database.transaction() as s:  # due now (as emitted), one given up on
        s.execute(update(WebhookDelivery).values(next_attempt_at=at))
        s.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == rows[0].delivery)
            .values(status="failed", next_attempt_at=None)
        )
    clock.freeze(at + timedelta(seconds=90))
    samples = scrape(client)
    assert value(samples, "punchcard_webhook_deliveries", status="pending") == 2
    assert value(samples, "punchcard_webhook_deliveries", status="failed") == 1
    assert value(samples, "punchcard_outbox_lag_seconds") == 90
    # A retry scheduled in the future is not lag.
    with database.transaction() as s:
        s.execute(update(WebhookDelivery).values(next_attempt_at=at + timedelta(hours=1)))
    assert value(scrape(client), "punchcard_outbox_lag_seconds") == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_clients_may_scrape(app: FastAPI, host: str) -> None:
    assert local(app, host).get("/metrics").status_code == 200


@pytest.mark.parametrize("host", ["203.0.113.9", "10.0.0.2", "2001:db8::1", "testclient"])
def test_other_clients_are_refused(app: FastAPI, host: str) -> None:
    r = local(app, host).get("/metrics")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "FORBIDDEN"
    assert "PUNCHCARD_METRICS_PUBLIC" in r.json()["error"]["message"]


def _app(settings: Settings, db: Database, **changes: object) -> FastAPI:
    return create_app(settings.model_copy(update=changes), db=db)


def test_a_setting_opens_them_to_every_client(settings: Settings, db: Database) -> None:
    opened = _app(settings, db, metrics_public=True)
    assert local(opened, "203.0.113.9").get("/metrics").status_code == 200


def test_a_token_is_required_from_every_client_once_set(settings: Settings, db: Database) -> None:
    token = "scrape-" + "x" * 24
    guarded = _app(settings, db, metrics_token=token, metrics_public=True)
    for host in ("127.0.0.1", "203.0.113.9"):
        client = local(guarded, host)
        r = client.get("/metrics")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": token}).status_code == 401
        scrape(client, Authorization=f"Bearer {token}")


def test_importing_the_cli_does_not_load_prometheus_client() -> None:
    """``serve`` sets PROMETHEUS_MULTIPROC_DIR before the app (and prometheus-client,
    which picks its mode when imported) is loaded; the CLI must not load it earlier."""
    code = (
        "import sys, punchcard.cli.main, punchcard.cli.bootstrap, punchcard.db.migrate;"
        "print('prometheus_client' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


@pytest.mark.slow
def test_two_worker_processes_are_counted_together(tmp_path: Path) -> None:
    """A real ``punchcard serve --workers 2``: every process records in the shared
    directory, and a scrape of any process counts every request they answered."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_999999.db").write_bytes(b"stale")  # a previous run's, removed
    server = start_server(
        tmp_path, env={"PROMETHEUS_MULTIPROC_DIR": str(shared)}, args=("--workers", "2")
    )
    try:
        assert not (shared / "counter_999999.db").exists()

        def hit() -> int:
            with httpx.Client(base_url=server.url) as c:
                return c.get("/healthz").status_code

        sent = 0
        # Concurrent new connections (an idle process tends to take every accept
        # otherwise) until both processes have answered some (the second may still be
        # starting when the first answers /readyz); bounded.
        deadline = time.monotonic() + 120
        with ThreadPoolExecutor(8) as pool:
            while time.monotonic() < deadline:
                assert set(pool.map(lambda _: hit(), range(40))) == {200}
                sent += 40
                if len(list(shared.glob("counter_*.db"))) >= 2:
                    break
        pids = {p.stem.split("_")[-1] for p in shared.glob("counter_*.db")}
        assert len(pids) >= 2, pids
        healthz = {"face": "none", "route": "/healthz", "method": "GET", "status": "200"}
        for _ in range(4):  # whichever process answers the scrape
            # A process counts a request just after sending its answer: on a busy
            # machine the count may lag the client by a moment, never exceed it.
            settle = time.monotonic() + 10
            while True:
                with httpx.Client(base_url=server.url) as c:
                    seen = value(scrape(c), "punchcard_http_requests_total", **healthz)
                assert seen <= sent
                if seen == sent or time.monotonic() > settle:
                    break
                time.sleep(0.05)
            assert seen == sent
    finally:
        server.stop()
    assert os.listdir(shared)  # the operator's directory is kept


@pytest.mark.slow
def test_serve_makes_its_own_directory_and_removes_it_when_stopped(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"TMPDIR": str(temp), "PROMETHEUS_MULTIPROC_DIR": ""}
    server = start_server(tmp_path, env=env, args=("--workers", "2"))
    try:
        made = list(temp.glob("punchcard-metrics-*"))
        assert len(made) == 1
        with httpx.Client(base_url=server.url) as c:
            assert c.get("/healthz").status_code == 200
            ok = {"face": "none", "route": "/healthz", "method": "GET", "status": "200"}
            assert value(scrape(c), "punchcard_http_requests_total", **ok) >= 1
        assert list(made[0].glob("*.db"))
    finally:
        server.stop()  # SIGTERM, as a service manager stops it
    assert server.process.returncode is not None
    assert not list(temp.glob("punchcard-metrics-*"))
