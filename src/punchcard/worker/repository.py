"""SQL for the scheduled-job table: claim a job's due slot with a lease, finish it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from punchcard.models import ScheduledJob


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class JobRepository:
    """Installation-wide rows (see ``models.worker``), one per job name."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def missing(self, names: Iterable[str]) -> list[str]:
        wanted = list(names)
        if not wanted:
            return []
        stmt = select(ScheduledJob.name).where(ScheduledJob.name.in_(wanted))
        have = set(self.session.scalars(stmt))
        return [name for name in wanted if name not in have]

    def add(self, name: str, *, first_run_at: datetime) -> None:
        self.session.add(ScheduledJob(name=name, next_run_at=first_run_at, runs=0))
        self.session.flush()

    def claim(self, name: str, *, now: datetime, lease_until: datetime, token: uuid.UUID) -> bool:
        """Take the job's due slot. One conditional UPDATE: of any number of workers
        racing for the same slot, exactly one sees a changed row."""
        J = ScheduledJob
        result = self.session.execute(
            update(J)
            .where(
                J.name == name,
                J.next_run_at <= now,
                or_(J.locked_until.is_(None), J.locked_until <= now),
            )
            .values(locked_until=lease_until, lock_token=token, last_started_at=now)
        )
        return _rowcount(result) == 1

    def finish(
        self,
        name: str,
        *,
        token: uuid.UUID,
        now: datetime,
        next_run_at: datetime,
        error: str | None,
    ) -> bool:
        """Release the slot and schedule the next one, if the lease is still ours."""
        J = ScheduledJob
        result = self.session.execute(
            update(J)
            .where(J.name == name, J.lock_token == token)
            .values(
                locked_until=None,
                lock_token=None,
                next_run_at=next_run_at,
                last_finished_at=now,
                last_error=error,
                runs=J.runs + 1,
            )
        )
        return _rowcount(result) == 1

    def get(self, name: str) -> ScheduledJob | None:
        return self.session.get(ScheduledJob, name)
