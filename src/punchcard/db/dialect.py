"""Dialect-specific SQL in one place: row locks and skip-locked claims.

On PostgreSQL a writer locks the rows it reads with ``FOR UPDATE``. On SQLite the
whole database is already locked by ``BEGIN IMMEDIATE``, so the plain select is safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date, Select, cast, func, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from punchcard.db.uow import dialect


def for_update(session: Session, stmt: Select[Any], *, skip_locked: bool = False) -> Select[Any]:
    if dialect(session) == "postgresql":
        return stmt.with_for_update(skip_locked=skip_locked)
    return stmt


def utc_day(session: Session, column: Any) -> Any:
    """The UTC calendar date of a timestamp column, as a ``Date`` expression.

    PostgreSQL converts ``timestamptz`` to a date in the session's TimeZone, which
    need not be UTC, so the value is moved to UTC first. SQLite stores the UTC
    wall time as text (see ``UTCDateTime``), whose ``date()`` is already the UTC day.
    """
    if dialect(session) == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return type_coerce(func.date(column), Date)


def upsert_many(
    session: Session,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert ``rows`` in ONE multi-row statement; a row whose ``keys`` (a unique
    constraint's columns) another row already has updates that row's ``update``
    columns instead (``INSERT ... ON CONFLICT (keys) DO UPDATE``, the same SQL on both
    databases). The rows must not repeat a key among themselves (PostgreSQL refuses to
    update one row twice in a statement). Runs in Core: ORM objects already loaded for
    these rows are stale afterwards."""
    if not rows:
        return
    insert = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    stmt = insert(model).values(list(rows))
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
    )
    session.execute(stmt)
