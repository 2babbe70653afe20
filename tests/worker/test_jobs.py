"""Scheduled jobs run once per slot however many workers tick at the same moment, and
a run whose worker died is taken over once its lease has expired."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest

from punchcard.db.uow import Database
from punchcard.worker.jobs import Job, JobRegistry, JobRunner
from punchcard.worker.repository import JobRepository
from tests.conftest import TestClock
from tests.factories import unique


class Counter:
    def __init__(self) -> None:
        self.runs = 0
        self._lock = threading.Lock()

    def __call__(self, db: Database, now: object) -> None:
        with self._lock:
            self.runs += 1


def _runners(db: Database, job: Job, n: int) -> list[JobRunner]:
    return [JobRunner(db, JobRegistry([job])) for _ in range(n)]


def test_a_due_job_runs_once_when_several_workers_tick_together(db: Database) -> None:
    counter = Counter()
    job = Job(unique("job"), counter, every=timedelta(hours=1))
    runners = _runners(db, job, 6)
    barrier = threading.Barrier(len(runners))
    ran: list[list[str]] = []

    def tick(runner: JobRunner) -> None:
        barrier.wait()
        ran.append(runner.tick())

    threads = [threading.Thread(target=tick, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.runs == 1
    assert sorted(len(r) for r in ran) == [0] * 5 + [1]


def test_the_next_slot_comes_after_the_interval(db: Database, clock: TestClock) -> None:
    counter = Counter()
    job = Job(unique("job"), counter, every=timedelta(hours=1))
    a, b = _runners(db, job, 2)
    assert a.tick() == [job.name]
    assert b.tick() == [] and a.tick() == []
    clock.advance(minutes=61)
    assert b.tick() == [job.name]
    assert counter.runs == 2


def test_a_run_abandoned_by_a_dead_worker_is_taken_over_after_its_lease(
    db: Database, clock: TestClock
) -> None:
    counter = Counter()
    job = Job(unique("job"), counter, every=timedelta(hours=1), lease=timedelta(minutes=10))
    (runner,) = _runners(db, job, 1)
    runner.tick()  # creates the row and runs the first slot
    clock.advance(minutes=61)
    # A worker claims the next slot and dies before finishing it.
    with db.transaction() as s:
        now = clock.now()
        assert JobRepository(s).claim(
            job.name, now=now, lease_until=now + job.lease, token=uuid.uuid4()
        )
    assert runner.tick() == []  # still leased
    clock.advance(minutes=11)
    assert runner.tick() == [job.name]
    assert counter.runs == 2


def test_a_failing_job_records_its_error_and_is_retried_soon(
    db: Database, clock: TestClock
) -> None:
    calls: list[int] = []

    def flaky(db: Database, now: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")

    job = Job(unique("job"), flaky, every=timedelta(days=1), retry_after=timedelta(minutes=5))
    (runner,) = _runners(db, job, 1)
    runner.tick()
    with db.transaction(write=False) as s:
        row = JobRepository(s).get(job.name)
        assert row is not None and row.last_error == "RuntimeError: database hiccup"
    clock.advance(minutes=6)
    assert runner.tick() == [job.name]
    with db.transaction(write=False) as s:
        row = JobRepository(s).get(job.name)
        assert row is not None and row.last_error is None and row.runs == 2


def test_a_job_name_is_registered_once() -> None:
    registry = JobRegistry([Job("a", Counter(), every=timedelta(hours=1))])
    with pytest.raises(ValueError, match="already registered"):
        registry.add(Job("a", Counter(), every=timedelta(hours=1)))
