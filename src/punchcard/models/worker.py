"""Scheduled jobs: one row per job name, claimed with a lease so a job runs once per
slot however many workers are running.

Installation-wide, not tenant-owned (like the identity routing tables): a job such as
expiry walks every tenant, and its schedule belongs to the installation.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base


class ScheduledJob(Base):
    __tablename__ = "worker_jobs"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_run_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    lock_token: Mapped[uuid.UUID | None]
    runs: Mapped[int]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
