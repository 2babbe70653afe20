"""Engines for SQLite and PostgreSQL, kept in lockstep.

SQLite: WAL, durable commits, foreign keys, and ``BEGIN IMMEDIATE`` for writing
transactions so two writers never both read-then-write (they queue on the lock).
PostgreSQL: psycopg 3; row locks (``FOR UPDATE``) serialise writers on one member.
No ``pool_pre_ping`` (a round trip on every checkout): a connection found dead by its
first statement is thrown away, with the whole pool, and the unit of work that hit it
retried once if it had written nothing yet (:func:`lost_connection`, ``wrote``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

WRITE_OPTION = "punchcard_write"
# Connection.info: the ``db.pipeline.Pipeline`` open on that connection, if any.
PIPE = "punchcard_pipeline"

_WROTE = "punchcard_wrote"  # Connection.info: this transaction ran a statement that writes
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def lost_connection(exc: BaseException) -> bool:
    """``exc`` says the database connection is gone (the server restarted, a backend
    was terminated, the network dropped it); SQLAlchemy has already discarded it and
    every connection the pool held before it."""
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def wrote(exc: BaseException) -> bool:
    """Whether the transaction that lost its connection with ``exc`` had sent a
    statement that writes (assumed so when unknown). If not, running the unit of work
    again on a fresh connection cannot apply anything twice."""
    return bool(getattr(exc, _WROTE, True))


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
    engine = create_engine(parsed, pool_size=pool_size, max_overflow=max_overflow)
    _track_writes(engine)
    return engine


def _track_writes(engine: Engine) -> None:
    """Mark on each connection whether its transaction has written, and on a lost
    connection's error whether it had (what :func:`wrote` reads)."""

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.info[_WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(
        conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        info = conn.info
        if not info.get(_WROTE) and not statement.lstrip().upper().startswith(_READS):
            info[_WROTE] = True

    @event.listens_for(engine, "after_cursor_execute")
    def _on_executed(
        conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        # A statement whose result SQLAlchemy reads, run while its connection is
        # pipelined, ends the pipeline as it is sent (``db.pipeline``).
        pipe = conn.info.get(PIPE)
        if pipe is not None and _needs_result(context):
            pipe.end(wrap=False)

    @event.listens_for(engine, "handle_error")
    def _on_error(ctx: Any) -> None:
        exc = ctx.sqlalchemy_exception
        if ctx.is_disconnect and exc is not None:
            conn = ctx.connection  # None: it failed to connect, so nothing ran on it
            try:
                written = conn is not None and bool(conn.info.get(_WROTE, False))
            except Exception:  # pragma: no cover - the record is already gone: assume so
                written = True
            setattr(exc, _WROTE, written)


def _needs_result(context: Any) -> bool:
    """Whether SQLAlchemy reads anything of this execution's result (rows, a row count):
    all but an INSERT without RETURNING."""
    compiled = context.compiled
    if compiled is None or not context.isinsert:
        return True
    return bool(compiled.effective_returning)


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
            # A reader's deferred BEGIN takes no lock and cannot wait or fail: sent to
            # the driver itself, without a statement's trip through SQLAlchemy (about
            # a tenth of a read's CPU; docs/benchmarks.md).
            conn.connection.driver_connection.execute("BEGIN")

    return engine
