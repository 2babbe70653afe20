"""The unit of work: one session, one transaction, committed by its owner.

Services flush and never commit. The request wrapper (``api.common.routing``), the
CLI and the worker own the transaction and commit it before anything is reported as
done, so a failed commit surfaces as an error, never as a success for lost data.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from punchcard.config import Settings
from punchcard.db.aio import LoopReads
from punchcard.db.engine import WRITE_OPTION, build_engine, is_sqlite, lost_connection, wrote
from punchcard.db.group import GroupCommit, WriteGate
from punchcard.errors import ServiceUnavailable
from punchcard.kit.clock import Clock, SystemClock

_T = TypeVar("_T")


class SnapshotCache:
    """Per-process copies of what rarely changes, one per key, shared by every session
    of one ``Database`` (``session.info["snapshots"]``). The values are immutable and
    carry their own version; ``tenants.snapshot`` decides when one is stale. A value
    put last wins: a slower loader may replace a newer copy with an older one, which the
    next reader finds stale and loads again."""

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        return self._values.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = value


class _Reader:
    """A thread's autocommit reader connection, closed with its thread (the thread-local
    that holds it goes), on an error, or by ``Database.dispose``."""

    __slots__ = ("__weakref__", "conn")

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()

    def __del__(self) -> None:
        self.close()


class Database:
    """Owns the engine and hands out sessions bound to it (and to the clock)."""

    def __init__(self, url: str, *, settings: Settings | None = None, clock: Clock | None = None):
        self.url = url
        self.is_sqlite = is_sqlite(url)
        sync = settings.sqlite_synchronous if settings else "FULL"
        self.engine: Engine = build_engine(
            url,
            sqlite_synchronous=sync,
            pool_size=settings.db_pool_size if settings else 10,
            max_overflow=settings.db_max_overflow if settings else 20,
        )
        self.clock: Clock = clock or SystemClock()
        # The tenant snapshots of this database (tenants.snapshot): per Database, not per
        # module, since one process (the test suite) may hold many databases.
        self.snapshots = SnapshotCache()
        # SQLite: one driver connection per thread for a read session's single statement
        # that needs no transaction of its own (``db.prepared``), kept until ``dispose``.
        # (An in-memory database is one per connection: there, no reader of its own.)
        self._readers = threading.local()
        self._file_sqlite = self.is_sqlite and make_url(url).database not in (None, "", ":memory:")
        self._reader_set: weakref.WeakSet[_Reader] = weakref.WeakSet()
        self._readers_lock = threading.Lock()
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(**{WRITE_OPTION: True})
        self._write = sessionmaker(bind=writer, expire_on_commit=False)
        # SQLite has one writer: the process's writers take turns on a lock of ours
        # rather than polling the database's, and requests commit in groups.
        self.gate: WriteGate | None = WriteGate() if self.is_sqlite else None
        self.group: GroupCommit | None = None
        self.inline_reads = self.is_sqlite and (settings is None or settings.sqlite_inline_reads)
        # PostgreSQL: the hot single-statement reads on the event loop, on psycopg's
        # async connections (db/aio.py); None on SQLite, whose reads run inline.
        self.loop_reads: LoopReads | None = None
        if not self.is_sqlite and (settings is None or settings.pg_loop_reads):
            size = settings.pg_loop_pool_size if settings else 4
            self.loop_reads = LoopReads(self.engine, size)
        if self.gate is not None and (settings is None or settings.group_commit):
            self.group = GroupCommit(
                writer,
                self.gate,
                session_info=self._info(),
                max_size=settings.group_commit_max_size if settings else 64,
                max_wait=(settings.group_commit_max_wait_ms if settings else 20.0) / 1000,
            )

    def _info(self) -> dict[str, object]:
        info: dict[str, object] = {
            "clock": self.clock,
            "dialect": "sqlite" if self.is_sqlite else "postgresql",
            "snapshots": self.snapshots,
        }
        return info

    def autocommit_reader(self) -> Any:
        """This thread's own SQLite driver connection in autocommit mode: a statement run
        on it alone reads one consistent snapshot of what is committed (WAL), with no
        BEGIN and no COMMIT. Only for a read that is the whole of what its unit of work
        reads (``db.prepared``). One per thread (the event loop's, where SQLite reads
        run), made by the engine as any other (its PRAGMAs) and detached from the pool."""
        reader: _Reader | None = getattr(self._readers, "reader", None)
        if reader is None:
            fairy = self.engine.raw_connection()
            fairy.detach()  # the pool's size and checkouts stay as they were
            reader = _Reader(fairy.dbapi_connection)  # (SQLite: the driver's connection)
            with self._readers_lock:
                self._reader_set.add(reader)
            self._readers.reader = reader
        return reader.conn

    def drop_reader(self) -> None:
        """Close and forget this thread's reader (after an error on it)."""
        reader, self._readers.reader = getattr(self._readers, "reader", None), None
        if reader is not None:
            reader.close()

    @contextmanager
    def autocommit_checkout(self) -> Iterator[Any]:
        """PostgreSQL: a pooled connection (an SQLAlchemy ``Connection`` that begins
        nothing) whose driver is in autocommit mode, for one statement that is the whole
        of what its unit of work reads (``db.prepared``): the statement alone is one
        round trip, where a read session's is three (BEGIN, the statement, COMMIT).
        Switching psycopg's autocommit on and off sends nothing; the connection goes
        back to the pool as it came, or is discarded."""
        with self.engine.connect() as conn:
            driver: Any = conn.connection.driver_connection
            driver.autocommit = True
            try:
                yield conn
            finally:
                if not conn.invalidated:
                    try:
                        driver.autocommit = False
                    except Exception:  # never back to the pool in autocommit mode
                        conn.invalidate()

    def session(self, *, write: bool = True) -> Session:
        factory = self._write if write else self._read
        session = factory()
        session.info.update(self._info())
        # Never a writer's: its reads must see its own transaction's writes.
        if not write and self._file_sqlite and self.inline_reads:
            session.info["autocommit_reader"] = self.autocommit_reader
            session.info["drop_reader"] = self.drop_reader
        elif not write and not self.is_sqlite:
            session.info["autocommit_checkout"] = self.autocommit_checkout
            if self.loop_reads is not None:
                session.info["loop_reads"] = self.loop_reads
        return session

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without error."""
        gate = self.gate.held() if write and self.gate is not None else nullcontext()
        with gate:
            session = self.session(write=write)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def dispose(self) -> None:
        if self.group is not None:
            self.group.close()
        with self._readers_lock:
            readers = list(self._reader_set)
        for reader in readers:
            reader.close()
        if self.loop_reads is not None:
            self.loop_reads.dispose()
        self.engine.dispose()


def retry_lost(work: Callable[[], _T]) -> _T:
    """Run ``work`` (a whole transaction: it opens, commits or rolls back its own
    session); if its connection turned out to be dead before it wrote anything, run it
    once more on a fresh one (the pool is not pre-pinged). A connection lost after a
    write, or twice, is a retryable 503: the database rolled that transaction back."""
    try:
        return work()
    except Exception as exc:
        if not lost_connection(exc):
            raise
        if wrote(exc):
            raise unavailable(exc) from exc
    try:
        return work()
    except Exception as exc:
        if lost_connection(exc):
            raise unavailable(exc) from exc
        raise


def unavailable(exc: BaseException) -> ServiceUnavailable:
    return ServiceUnavailable("The database connection was lost; retry")


def now(session: Session) -> datetime:
    """The unit of work's clock reading."""
    clock: Clock = session.info.get("clock") or SystemClock()
    return clock.now()


def dialect(session: Session) -> str:
    return str(session.info.get("dialect", session.get_bind().dialect.name))
