"""Engines for SQLite and PostgreSQL, kept in lockstep.

SQLite: WAL, durable commits, foreign keys, and ``BEGIN IMMEDIATE`` for writing
transactions so two writers never both read-then-write (they queue on the lock).
PostgreSQL: psycopg 3; row locks (``FOR UPDATE``) serialise writers on one member.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

WRITE_OPTION = "punchcard_write"


def normalize_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(url: str | URL) -> bool:
    return make_url(str(url) if isinstance(url, URL) else url).get_backend_name() == "sqlite"


def build_engine(
    url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10, max_overflow: int = 20
) -> Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_synchronous)
    kwargs: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_size": pool_size,
        "max_overflow": max_overflow,
    }
    return create_engine(parsed, **kwargs)


def _sqlite_engine(url: URL, synchronous: str) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        # Each thread of the server's pool gets its own connection; the connection is
        # only ever used by one session at a time.
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=NullPool if url.database in (None, "", ":memory:") else None,
    )
    sync = synchronous.upper()
    if sync not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"PUNCHCARD_SQLITE_SYNCHRONOUS must be OFF/NORMAL/FULL/EXTRA, not {sync}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # WAL: readers never block the writer and the writer never blocks readers.
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: fsync the WAL at every commit, so an acknowledged award survives power loss.
        cur.execute(f"PRAGMA synchronous={sync}")
        # Enforce the composite tenant foreign keys; SQLite leaves them off by default.
        cur.execute("PRAGMA foreign_keys=ON")
        # Writers from other processes wait up to 30 s for the lock instead of failing.
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a writer that reads a balance and
        # then writes can never be overtaken by another writer in between.
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine
