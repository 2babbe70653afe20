"""Two `punchcard worker` processes on one database: 1,000 events reach each of two
endpoints exactly once, and each resource's events arrive in order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from punchcard.db.uow import Database
from punchcard.events import data
from punchcard.events.service import emit
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.ids import new_id
from punchcard.models import Member, WebhookAttempt, WebhookDelivery
from punchcard.tenants.service import create_tenant
from punchcard.webhooks import service as webhooks
from punchcard.webhooks.schemas import NewWebhook
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import isolated_database

pytestmark = pytest.mark.slow

EVENTS = 1000
RESOURCES = 25
ENDPOINTS = ("/a", "/b")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _start_worker(tmp: Path, url: str, name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PUNCHCARD_DATABASE_URL": url,
        "PUNCHCARD_WEBHOOKS_ALLOW_PRIVATE": "1",
        "PUNCHCARD_WORKER_POLL_SECONDS": "0.05",
        # Real processes on the real clock. A receiver in the test process is slow to
        # answer when the machine is busy: a generous timeout keeps a slow answer from
        # counting as a failure (which the receiver did get: a duplicate), and short
        # retry steps keep a refused request from waiting the default schedule's 5 min.
        "PUNCHCARD_WEBHOOK_TIMEOUT_SECONDS": "60",
        "PUNCHCARD_WEBHOOK_RETRY_SCHEDULE": ",".join(["1"] * 9),
        "PUNCHCARD_SQLITE_SYNCHRONOUS": "NORMAL",
        "PUNCHCARD_LOG_LEVEL": "warning",
    }
    log = (tmp / f"{name}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "punchcard.cli.main", "worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _member_updated(n: int) -> dict[str, Any]:
    """A ``member.updated`` event's neutral data; the event's number is the first name
    (the workers render it with the native face, so ``data.firstName`` carries it)."""
    at = datetime.now(UTC)
    member = Member(
        id=new_id(),
        first_name=str(n),
        status="active",
        points_balance=0,
        pending_points=0,
        lifetime_points=0,
        metadata_={},
        enrolled_at=at,
        created_at=at,
        updated_at=at,
    )
    return data.member(member, tags=(), tier=None)


def _pending(db: Database) -> int:
    with db.transaction(write=False) as s:
        stmt = (
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.status != "succeeded")
        )
        return int(s.scalar(stmt) or 0)


def test_two_workers_deliver_each_event_exactly_once_per_endpoint(
    tmp_path: Path, receiver: Receiver
) -> None:
    with isolated_database(tmp_path) as url:
        db = Database(url)
        with db.transaction() as s:
            tenant = create_tenant(s, name="Busy Co")
            principal = Principal(tenant_id=tenant.id, scopes=frozenset(ALL_SCOPES))
            for path in ENDPOINTS:
                body = NewWebhook(url=receiver.url(path), events=["member.updated"])
                webhooks.create(s, principal, data=body, allow_private=True)
        workers = [_start_worker(tmp_path, url, f"worker-{i}") for i in range(2)]
        try:
            # Events arrive while both workers are already competing for them.
            for batch in range(EVENTS // 100):
                with db.transaction() as s:
                    for i in range(batch * 100, (batch + 1) * 100):
                        resource = f"mem_{i % RESOURCES}"
                        emit(
                            s, tenant.id, "member.updated", _member_updated(i), resource_id=resource
                        )
            # Only a bound on a broken run: the loop ends as soon as all are delivered.
            deadline = time.monotonic() + 600
            while _pending(db) and time.monotonic() < deadline:
                assert all(w.poll() is None for w in workers), "a worker died"
                time.sleep(0.2)
            assert _pending(db) == 0
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
            codes = [w.wait(timeout=30) for w in workers]
        assert codes == [0, 0]

        for path in ENDPOINTS:
            got = receiver.received(path)
            ids = [r.webhook_id for r in got]
            assert len(ids) == EVENTS, (path, len(ids))
            assert len(set(ids)) == EVENTS  # nothing twice
            arrived: dict[str, list[int]] = defaultdict(list)
            for r in got:
                n = int(r.json["data"]["firstName"])
                arrived[f"mem_{n % RESOURCES}"].append(n)
            for resource, ns in arrived.items():
                assert ns == sorted(ns), f"{path} {resource} out of order"
        with db.transaction(write=False) as s:
            outcomes = dict(
                s.execute(
                    select(WebhookAttempt.outcome, func.count()).group_by(WebhookAttempt.outcome)
                ).all()
            )
            by_worker = dict(
                s.execute(
                    select(WebhookAttempt.worker, func.count()).group_by(WebhookAttempt.worker)
                ).all()
            )
        # One successful attempt per delivery; anything else may only be a retry of a
        # failed request (a busy receiver), never an attempt made twice by two workers.
        assert outcomes.pop("succeeded") == EVENTS * len(ENDPOINTS)
        assert set(outcomes) <= {"retrying"}, outcomes
        print(f"attempts per worker: {by_worker}; other outcomes: {outcomes}")
        db.dispose()
