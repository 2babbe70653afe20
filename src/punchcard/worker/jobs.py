"""Scheduled jobs: a small registry and a runner that runs each due job once, however
many workers are running.

A job is a name, an interval and a function ``run(db, now)``. Each job has one row in
``worker_jobs``; a runner takes the job's due slot with a conditional UPDATE (a lease),
runs it, then schedules the next slot. Of several workers racing for a slot exactly
one wins; a worker that dies mid-run loses its lease and another runs the slot again.
So a job must be idempotent, and should work in batches of short transactions of its
own (one long transaction would hold SQLite's write lock for its whole run).

Adding a job is one line in ``default_registry``::

    Job("ledger.expire_due_lots", ledger_jobs.expire_due_lots, every=timedelta(minutes=5))
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.exc import IntegrityError

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.events import retention
from punchcard.ledger import jobs as ledger_jobs
from punchcard.notifications import jobs as mail_jobs
from punchcard.sso import jobs as sso_jobs
from punchcard.tiers import jobs as tier_jobs
from punchcard.worker.repository import JobRepository

log = logging.getLogger("punchcard.worker.jobs")

JobFunction = Callable[[Database, datetime], object]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    every: timedelta
    # How long a run may take before another worker assumes this one died.
    lease: timedelta = timedelta(minutes=15)
    # After a failed run, try again this soon (or at the next slot, if sooner).
    retry_after: timedelta = timedelta(minutes=5)


class JobRegistry:
    def __init__(self, jobs: list[Job] | None = None) -> None:
        self._jobs: dict[str, Job] = {}
        for job in jobs or []:
            self.add(job)

    def add(self, job: Job) -> Job:
        if job.name in self._jobs:
            raise ValueError(f"job {job.name!r} is already registered")
        self._jobs[job.name] = job
        return job

    def __iter__(self) -> Iterator[Job]:
        return iter(self._jobs.values())

    def __len__(self) -> int:
        return len(self._jobs)

    def names(self) -> list[str]:
        return list(self._jobs)


def default_registry(settings: Settings | None = None) -> JobRegistry:
    """The jobs every worker runs. Each is idempotent and works in short per-member
    transactions, so a slot run twice (its worker died) changes nothing."""
    settings = settings or Settings()
    keep = timedelta(days=settings.retention_days)
    return JobRegistry(
        [
            # Expiry is also applied lazily on every balance change and read; the job
            # writes the `expire` entries (and points.expired events) for quiet members.
            Job("ledger.expire_due_lots", ledger_jobs.expire_due_lots, every=timedelta(minutes=5)),
            # Checks each tenant's month start in its own timezone; hourly is prompt enough.
            Job("ledger.approve_monthly", ledger_jobs.approve_monthly, every=timedelta(hours=1)),
            Job("tiers.period_rollover", tier_jobs.period_rollover, every=timedelta(hours=1)),
            # Accepted SSO signatures are kept an hour (the window refuses them after 5 min).
            Job("sso.forget_signatures", sso_jobs.forget_signatures, every=timedelta(hours=1)),
            # Outbox events and finished deliveries past PUNCHCARD_RETENTION_DAYS; never a
            # pending delivery (events/retention.py).
            Job("events.prune", partial(retention.prune, keep=keep), every=timedelta(hours=1)),
            # Expiry reminders and tier-change mails to members, once per event (at most
            # 500 a run; notifications/jobs.py).
            Job(
                "notifications.member_mail",
                partial(mail_jobs.send_due, settings=settings),
                every=timedelta(minutes=10),
            ),
        ]
    )


class JobRunner:
    def __init__(self, db: Database, registry: JobRegistry, *, poll_seconds: float = 5.0) -> None:
        self.db = db
        self.registry = registry
        self.poll_seconds = poll_seconds
        self._known: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[str]:
        """Run every job whose slot is due and that no other worker holds; return the
        names of the jobs this call ran."""
        self._ensure_rows()
        ran = []
        for job in self.registry:
            if self._run_if_due(job):
                ran.append(job.name)
        return ran

    def _ensure_rows(self) -> None:
        names = [name for name in self.registry.names() if name not in self._known]
        if not names:
            return
        try:
            with self.db.transaction() as session:
                repo = JobRepository(session)
                for name in repo.missing(names):
                    repo.add(name, first_run_at=self.db.clock.now())
        except IntegrityError:
            return  # another worker added them first; they exist now
        self._known.update(names)

    def _run_if_due(self, job: Job) -> bool:
        token = uuid.uuid4()
        now = self.db.clock.now()
        with self.db.transaction() as session:
            if not JobRepository(session).claim(
                job.name, now=now, lease_until=now + job.lease, token=token
            ):
                return False
        error = None
        try:
            job.run(self.db, now)
        except Exception as exc:
            log.exception("job %s failed", job.name)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        finished = self.db.clock.now()
        wait = job.every if error is None else min(job.every, job.retry_after)
        with self.db.transaction() as session:
            JobRepository(session).finish(
                job.name, token=token, now=finished, next_run_at=finished + wait, error=error
            )
        return True

    def start(self) -> None:
        if self._thread is None and len(self.registry):
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="job-runner", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("job runner tick failed")
            self._stop.wait(self.poll_seconds)
