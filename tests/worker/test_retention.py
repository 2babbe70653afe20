"""Retention (``events.retention``, the worker's ``events.prune`` job): outbox events
and finished webhook deliveries with their attempts older than the retention are
deleted, in batches; a pending delivery, its attempts and its event never are; the
job is safe with several workers running it at once. Each test runs on a database of
its own (the job works across every tenant of an installation)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select, update

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.events.retention import Pruned, prune
from punchcard.events.service import emit
from punchcard.kit.ids import new_id
from punchcard.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from punchcard.tenants.service import create_tenant
from punchcard.worker.jobs import JobRegistry, JobRunner, default_registry
from tests.conftest import TestClock
from tests.webhooks.support import isolated_database

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=40)
KEEP = timedelta(days=30)


@pytest.fixture
def own_db(tmp_path: Path, clock: TestClock) -> Iterator[Database]:
    with isolated_database(tmp_path) as url:
        database = Database(url, clock=clock)
        yield database
        database.dispose()


@dataclass
class Row:
    event: uuid.UUID
    delivery: uuid.UUID | None
    attempts: list[uuid.UUID]


class World:
    def __init__(self, db: Database, clock: TestClock, *, endpoint: bool = True) -> None:
        self.db, self.clock = db, clock
        with db.transaction() as s:
            self.tenant = create_tenant(s, name="Retention Co").id
            self.endpoint: uuid.UUID | None = None
            if endpoint:
                e = WebhookEndpoint(
                    tenant_id=self.tenant,
                    id=new_id(),
                    url="https://example.com/hook",
                    secret="s" * 32,
                    event_types=["*"],
                    enabled=True,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
                s.add(e)
                s.flush()
                self.endpoint = e.id

    def event(
        self, at: datetime, status: str = "pending", *, attempts: tuple[datetime, ...] = ()
    ) -> Row:
        """An event emitted at ``at`` (its delivery, with an endpoint), the delivery moved
        to ``status`` at its last attempt (or at ``at``), with those attempts."""
        self.clock.freeze(at)
        with self.db.transaction() as s:
            ev = emit(s, self.tenant, "member.updated", {"n": 1}, resource_id=f"mem_{new_id().hex}")
            event_id = ev.id
        row = Row(event_id, None, [])
        if self.endpoint is None:
            return row
        with self.db.transaction() as s:
            d = s.scalars(
                select(WebhookDelivery).where(
                    WebhookDelivery.tenant_id == self.tenant, WebhookDelivery.event_id == event_id
                )
            ).one()
            row.delivery = d.id
            for n, when in enumerate(attempts, 1):
                a = WebhookAttempt(
                    tenant_id=self.tenant,
                    id=new_id(),
                    delivery_id=d.id,
                    endpoint_id=self.endpoint,
                    number=n,
                    trigger="scheduled",
                    attempted_at=when,
                    status_code=200 if status == "succeeded" else 500,
                    latency_ms=1.0,
                    outcome="retrying",
                )
                s.add(a)
                row.attempts.append(a.id)
            changed = max(attempts, default=at)
            s.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.tenant_id == self.tenant, WebhookDelivery.id == d.id)
                .values(
                    status=status,
                    attempt_count=len(attempts),
                    updated_at=changed,
                    next_attempt_at=changed + timedelta(hours=1) if status == "pending" else None,
                )
            )
        return row


def _ids(db: Database, model: type) -> set[uuid.UUID]:
    with db.transaction(write=False) as s:
        return set(s.scalars(select(model.id)))  # type: ignore[attr-defined]


def test_old_events_and_finished_deliveries_go_pending_ones_stay(
    own_db: Database, clock: TestClock
) -> None:
    w = World(own_db, clock)
    quiet = World(own_db, clock, endpoint=False)
    succeeded = [w.event(OLD, "succeeded", attempts=(OLD,)) for _ in range(5)]
    failed = w.event(OLD, "failed", attempts=(OLD, OLD + timedelta(minutes=5)))
    pending = w.event(OLD, "pending", attempts=(OLD,))  # still retrying: kept whole
    # Failed long ago, replayed last week: the delivery and its new attempt stay, the
    # attempt past the retention goes.
    replayed = w.event(OLD, "succeeded", attempts=(OLD, NOW - timedelta(days=7)))
    recent = w.event(NOW - timedelta(days=1), "succeeded", attempts=(NOW - timedelta(days=1),))
    old_alone = [quiet.event(OLD) for _ in range(3)]  # no endpoint: no delivery
    new_alone = quiet.event(NOW - timedelta(days=29))

    pruned = prune(own_db, NOW, keep=KEEP, batch=2)  # several batches per step

    gone = [*succeeded, failed]
    assert pruned == Pruned(attempts=5 + 2 + 1, deliveries=6, events=6 + 3)
    events = _ids(own_db, OutboxEvent)
    assert events == {pending.event, replayed.event, recent.event, new_alone.event}
    assert _ids(own_db, WebhookDelivery) == {pending.delivery, replayed.delivery, recent.delivery}
    assert _ids(own_db, WebhookAttempt) == {
        *pending.attempts,
        replayed.attempts[1],
        *recent.attempts,
    }
    assert not {r.event for r in gone + old_alone} & events
    # A second run finds nothing more to do.
    assert prune(own_db, NOW, keep=KEEP) == Pruned()


def test_the_worker_job_uses_the_retention_setting(own_db: Database, clock: TestClock) -> None:
    w = World(own_db, clock)
    ten_days = w.event(NOW - timedelta(days=10), "succeeded", attempts=(NOW - timedelta(days=10),))
    clock.freeze(NOW)
    kept = JobRunner(own_db, default_registry(Settings(retention_days=30)))
    assert "events.prune" in kept.tick()
    assert ten_days.event in _ids(own_db, OutboxEvent)

    job = next(j for j in default_registry(Settings(retention_days=7)) if j.name == "events.prune")
    assert job.every == timedelta(hours=1)
    clock.freeze(NOW + timedelta(hours=2))  # the next slot is due
    assert JobRunner(own_db, JobRegistry([job])).tick() == ["events.prune"]
    assert ten_days.event not in _ids(own_db, OutboxEvent)
    assert ten_days.delivery not in _ids(own_db, WebhookDelivery)


def test_the_retention_is_at_least_a_day() -> None:
    with pytest.raises(ValidationError):
        Settings(retention_days=0)


def test_several_workers_pruning_at_once_delete_each_row_once(
    own_db: Database, clock: TestClock
) -> None:
    w = World(own_db, clock)
    old = [w.event(OLD, "succeeded", attempts=(OLD,)) for _ in range(12)]
    keep = w.event(OLD, "pending", attempts=(OLD,))
    results: list[Pruned] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        try:
            results.append(prune(own_db, NOW, keep=KEEP, batch=3))
        except BaseException as exc:  # pragma: no cover - the failure we look for
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.deliveries for r in results) == len(old)
    assert sum(r.events for r in results) == len(old)
    assert sum(r.attempts for r in results) == len(old)
    assert _ids(own_db, OutboxEvent) == {keep.event}
    assert _ids(own_db, WebhookDelivery) == {keep.delivery}
