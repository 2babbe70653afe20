"""Dialect-specific SQL in one place: row locks and skip-locked claims.

On PostgreSQL a writer locks the rows it reads with ``FOR UPDATE``. On SQLite the
whole database is already locked by ``BEGIN IMMEDIATE``, so the plain select is safe.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from punchcard.db.uow import dialect


def for_update(session: Session, stmt: Select[Any], *, skip_locked: bool = False) -> Select[Any]:
    if dialect(session) == "postgresql":
        return stmt.with_for_update(skip_locked=skip_locked)
    return stmt
