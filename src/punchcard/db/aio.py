"""PostgreSQL reads on the event loop: a small pool of psycopg's async connections per
event loop, for a hot read that is one prepared statement (``db.prepared``,
``Prepared.first_on_loop``), so the request hands off to no thread.

A thread hand-off costs ~0.1 ms of CPU, as much as the read's statement itself
(docs/benchmarks.md, "PostgreSQL round trips and reads"). The engine's pool is
SQLAlchemy's, sync, used from threads; this one is for the event loop only. Its rules:

- **One pool per event loop**, made on the loop's first read (a loop's connections
  cannot serve another loop). ``LoopReads.close`` closes the running loop's pool at the
  app's shutdown; ``Database.dispose`` drops what is left of any other.
- **At most ``size`` connections** per pool, opened on demand (never before the first
  read), kept idle after use, taken most-recently-used first; a read that finds all
  ``size`` busy waits for one, first come first served.
- **Autocommit, one statement a checkout**: each statement runs alone and sees what
  is committed (one round trip, no BEGIN, no COMMIT). A connection goes back to the pool
  only if it is open and idle (no transaction, no result pending); one that raised,
  or whose read was cancelled (a client that went away), is closed instead.
- **A lost connection** (the server restarted, ``pg_terminate_backend``, a failover):
  the statement that finds it dead discards it and every idle connection (opened
  before it, most likely dead as well), and runs again, once, on a new connection —
  a read is safe to repeat. Lost twice: ``ServiceUnavailable`` (503, retryable), as the
  sync path answers (``db.uow.retry_lost``).
  The engine's pool is emptied too (``Engine.dispose``: its idle connections closed,
  those in use kept until they come back), as SQLAlchemy empties it when a sync
  statement finds a dead connection: a unit of work whose first statement writes (the
  audit log's flush) is not retried, so it must not be the one to find out.
- Connected with the engine's own connect arguments (its URL's host, database, user,
  ``application_name``...), so the server sees the same client.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import Engine

from punchcard.errors import ServiceUnavailable

Hook = Callable[[psycopg.AsyncConnection[Any]], None]
_LOST = "_punchcard_lost"  # set on the error of a statement whose connection was dead


class LoopPool:
    """The connections of one event loop (see the module's rules)."""

    def __init__(self, connect: Callable[[], Any], size: int, reads: LoopReads) -> None:
        self._connect = connect
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._free = asyncio.Semaphore(size)  # one permit per connection allowed
        self._reads = reads
        self.closed = False

    async def fetchone(self, sql: str, args: Any) -> Any:
        """The first row of ``sql`` with ``args`` (None if none), run again once on a
        new connection if the one it ran on was found dead."""
        try:
            return await self._fetchone(sql, args)
        except psycopg.OperationalError as exc:
            if not getattr(exc, _LOST, False):
                raise
        try:
            return await self._fetchone(sql, args)
        except psycopg.OperationalError as exc:
            if not getattr(exc, _LOST, False):
                raise
            raise ServiceUnavailable("The database connection was lost; retry") from exc

    async def _fetchone(self, sql: str, args: Any) -> Any:
        await self._free.acquire()
        conn: psycopg.AsyncConnection[Any] | None = None
        healthy = False
        try:
            conn = self._idle.pop() if self._idle else await self._connect()
            for hook in self._reads.on_checkout:
                hook(conn)
            cursor = await conn.execute(sql, args)
            row = await cursor.fetchone()
            healthy = True
            return row
        except psycopg.OperationalError as exc:
            if conn is not None and (conn.closed or conn.broken):
                self._reads.lost += 1
                self._drop_idle()  # opened before it: most likely dead too
                self._reads.engine_lost()
                setattr(exc, _LOST, True)
            raise
        finally:
            if conn is not None:
                for hook in self._reads.on_checkin:
                    hook(conn)
                if (
                    healthy
                    and not self.closed
                    and conn.pgconn.transaction_status == pq.TransactionStatus.IDLE
                ):
                    self._idle.append(conn)
                else:
                    _discard(conn)
            self._free.release()

    def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            _discard(conn)

    def close(self) -> None:
        """Close the idle connections; a busy one is closed when its read ends."""
        self.closed = True
        self._drop_idle()


def _discard(conn: psycopg.AsyncConnection[Any]) -> None:
    # Close the libpq connection itself (what ``AsyncConnection.close`` comes down to):
    # it sends a Terminate without waiting for an answer, so it needs no ``await`` and
    # may run where none is possible (``Database.dispose``).
    with contextlib.suppress(Exception):
        conn.pgconn.finish()


class LoopReads:
    """A ``Database``'s event-loop reads on PostgreSQL: one :class:`LoopPool` per loop."""

    def __init__(self, engine: Engine, size: int) -> None:
        cargs, cparams = engine.dialect.create_connect_args(engine.url)
        self._cargs = tuple(cargs)
        self._cparams = dict(cparams)
        self.size = max(1, size)
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopPool] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()
        self._engine = engine
        self.lost = 0  # statements that found their connection dead (tests, bench)
        # Called with each connection as a read takes it and gives it back (tests trace
        # the wire protocol with them, as they do the engine's checkouts).
        self.on_checkout: list[Hook] = []
        self.on_checkin: list[Hook] = []

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(*self._cargs, **self._cparams, autocommit=True)

    def engine_lost(self) -> None:
        """A connection was found dead: the engine's idle ones are as old (module doc)."""
        with contextlib.suppress(Exception):
            self._engine.dispose()

    def pool(self) -> LoopPool:
        """The running loop's pool, made on its first read."""
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None or pool.closed:
            with self._lock:
                pool = self._pools.get(loop)
                if pool is None or pool.closed:
                    pool = self._pools[loop] = LoopPool(self._connect, self.size, self)
        return pool

    async def fetchone(self, sql: str, args: Any) -> Any:
        return await self.pool().fetchone(sql, args)

    def close(self) -> None:
        """Close the running loop's pool (the app's shutdown, on its loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        with self._lock:
            pool = self._pools.pop(loop, None)
        if pool is not None:
            pool.close()

    def dispose(self) -> None:
        """Close every loop's idle connections (``Database.dispose``)."""
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool in pools:
            pool.close()
