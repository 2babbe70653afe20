"""Group commit for SQLite: many requests' writes made durable by one fsync.

SQLite has one writer at a time and, at ``synchronous=FULL``, an fsync of the WAL at
every commit. Committing each request on its own makes that fsync the price of every
write. Here the write requests of one process take turns (in arrival order) on one
connection inside one open transaction, each in a SAVEPOINT of its own:

- a request whose work fails rolls back to its savepoint, alone;
- a request whose work succeeds releases its savepoint and waits;
- the batch commits when nobody is queued behind it, or when it is full or old
  (``max_size`` requests, ``max_wait`` seconds), with one ``COMMIT`` and one fsync;
- only then is any request of the batch answered: the successes with their response,
  and, if the ``COMMIT`` itself fails, every request of the batch with an error (none
  of them was acknowledged, none of them happened).

So nothing acknowledged can be lost, a failure stays with its request, and a burst
of writes waits in the event loop (a queue of futures) rather than in threads that
the request holding the lock would need (the stall of issue 5).

A turn costs one hand-off to a thread (:meth:`GroupCommit.hop`, the group's own):
there the request's route opens the batch if it is not open (:meth:`GroupCommit.bind`),
runs the request in its savepoint and COMMITs the batch if it is due
(:meth:`GroupCommit.end_turn_in_thread`); the event loop answers the batch when the
turn ends (:meth:`GroupCommit.leave`). A request refused before its handler ran
commits a due batch from :meth:`GroupCommit.leave` instead.

Writers outside a request (the webhook worker, scheduled jobs, the audit flusher)
take the process's :class:`WriteGate` around their own transactions, as each batch
does, so they interleave with batches instead of polling SQLite's lock against them.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from punchcard.errors import ServiceUnavailable
from punchcard.kit.futures import guarded

_in_batch = threading.local()
_T = TypeVar("_T")


class WriteGate:
    """One writer at a time in this process (SQLite's own rule, kept in-process so
    writers queue on a lock instead of polling the database's). A writer that waits
    longer than ``timeout`` (SQLite's own ``busy_timeout``) gives up with a retryable
    error, never hangs."""

    def __init__(self, timeout: float = 30.0) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.timeout = timeout

    @contextmanager
    def held(self) -> Iterator[None]:
        if getattr(_in_batch, "active", False):
            # A request inside a batch already holds the gate (and SQLite's lock);
            # a second write transaction from it would wait for itself forever.
            raise RuntimeError("a separate write transaction inside a batched request")
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            self.acquire()
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth -= 1
            if self._local.depth == 0:
                self._lock.release()

    def acquire(self) -> None:
        if not self._lock.acquire(timeout=self.timeout):
            raise ServiceUnavailable("The database is busy; retry")

    def release(self) -> None:
        self._lock.release()


class BatchFailed(ServiceUnavailable):
    """The batch's COMMIT failed: this request's write did not happen; retry it."""


class GroupCommit:
    """The batch in progress and the queue of requests waiting for their turn."""

    def __init__(
        self,
        engine: Engine,
        gate: WriteGate,
        *,
        session_info: dict[str, Any],
        max_size: int = 64,
        max_wait: float = 0.02,
    ) -> None:
        self.engine = engine
        self.gate = gate
        self.session_info = session_info
        self.max_size = max_size
        self.max_wait = max_wait
        self._held = False
        self._queue: deque[asyncio.Future[None]] = deque()
        self._conn: Connection | None = None
        self._members: list[asyncio.Future[None]] = []
        self._started = 0.0
        self._poisoned: BaseException | None = None
        self._open = False  # the batch's transaction is open (and the gate held)
        # The outcome of a COMMIT that the turn's own thread ran, for the event loop
        # to answer the batch with (``settle``) when the turn ends.
        self._committed: tuple[BaseException | None] | None = None
        # Each write's turn runs here: BEGIN IMMEDIATE if the batch is not open, the
        # handler, its savepoint, and the COMMIT if due, in one hand-off; off the
        # event loop and off the shared pool (only the turn's holder ever uses it).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="punchcard-group")
        self.batches = 0  # counters for tests and benchmarks
        self.committed = 0
        # Told each batch's size as it is answered (the app's metrics; the core does
        # not know them). Called on the event loop.
        self.observe_batch: Callable[[int], None] | None = None

    # Turns -----------------------------------------------------------------------

    async def acquire(self) -> None:
        if not self._held and not self._queue:
            self._held = True
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self._pass_turn()  # the turn was ours already: hand it on
            else:
                # Still queued, unless a turn handed on meanwhile skipped (and
                # dropped) it as done.
                with contextlib.suppress(ValueError):
                    self._queue.remove(fut)
            raise

    def _pass_turn(self) -> None:
        while self._queue:
            fut = self._queue.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self._held = False

    def _waiting(self) -> bool:
        # Read by the turn's thread while the event loop appends: ``len`` of a deque
        # is atomic, iterating it is not. A cancelled waiter still queued counts
        # until it removes itself; at worst the batch waits for the next turn (or
        # the flush that follows a turn nobody took).
        return len(self._queue) > 0

    async def enter(self) -> asyncio.Future[None]:
        """Wait for this request's turn and join the batch: answer the future its
        answer waits for (the batch's COMMIT). The batch's transaction is opened by
        :meth:`begin`, in the thread that runs the request's work (a write's one hop)."""
        await self.acquire()
        return self.enlist()

    async def leave(self) -> None:
        """End this request's turn: COMMIT the batch if it is due (unless the request's
        own thread did already), then hand on."""
        try:
            if self._committed is None and self._members and self.due():
                # The request never reached its thread (refused before its handler
                # ran): COMMIT there, if the batch of the others before it is open.
                if self._open:
                    await self.hop(self.commit_in_thread)
                else:
                    self._committed = (None,)
        finally:
            # Even if this request was cancelled meanwhile: the hop waited for its
            # thread, so a COMMIT that ran is answered.
            if self._committed is not None:
                (outcome,), self._committed = self._committed, None
                self.settle(outcome)
            self._pass_turn()
            if not self._held and self._members:
                # Nobody took the turn (a waiter went away): commit without them.
                asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        await self.acquire()
        try:
            if self._members:
                await self.hop(self.commit_in_thread)
        finally:
            if self._committed is not None:
                (outcome,), self._committed = self._committed, None
                self.settle(outcome)
            self._pass_turn()

    async def hop(self, fn: Callable[[], _T]) -> _T:
        """Run ``fn`` in the group's own thread, the one hand-off of a batched write.
        Never abandoned: a request cancelled meanwhile (its client went away) still
        waits for its thread to finish with the batch's connection, and only then
        raises ``CancelledError``, so the turn is never handed on under a thread
        that is still using the connection. (A cancellation goes through AnyIO's
        shielded scopes, hence the loop.)"""
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(self._executor, contextvars.copy_context().run, guarded(fn))
        cancelled: asyncio.CancelledError | None = None
        while True:
            try:
                result = await asyncio.shield(fut)
                break
            except asyncio.CancelledError as exc:
                if fut.done():
                    if fut.cancelled():  # pragma: no cover - never cancelled itself
                        raise
                    result = fut.result()
                    cancelled = cancelled or exc
                    break
                cancelled = cancelled or exc
        if cancelled is not None:
            raise cancelled
        return result

        # The batch --------------------------------------------------------------------

    def begin(self) -> Connection:
        """Open the batch's transaction if none is open (in the group's thread: BEGIN
        IMMEDIATE may wait for another process); answer its connection."""
        if self._open:
            assert self._conn is not None
            return self._conn
        self.gate.acquire()
        try:
            if self._conn is None:
                self._conn = self.engine.connect()
            self._conn.begin()
        except BaseException:
            self._close_conn()
            self.gate.release()
            raise
        self._open = True
        self._started = time.monotonic()
        self._poisoned = None
        return self._conn

    def session(self) -> Session:
        """A session for one request: its own SAVEPOINT in the batch's transaction.
        Unbound until the request's thread has opened the batch (:meth:`bind`), so
        nothing can touch the batch's connection from the event loop."""
        session = Session(join_transaction_mode="create_savepoint", expire_on_commit=False)
        session.info.update(self.session_info)
        return session

    def bind(self, session: Session) -> None:
        """In the turn's thread: open the batch if needed and bind ``session`` to it."""
        if session.bind is None:
            session.bind = self.begin()

    def end_turn_in_thread(self) -> None:
        """In the turn's thread, after the request's work: COMMIT the batch if it is
        due; the event loop answers the batch with the outcome when the turn ends."""
        if self._members and self.due():
            self.commit_in_thread()

    def commit_in_thread(self) -> None:
        """COMMIT the batch (in the group's thread), keeping the outcome for the event
        loop to answer the batch with (:meth:`leave`)."""
        self._committed = (self.commit(),)

    def enlist(self) -> asyncio.Future[None]:
        """This request's answer waits for the batch's COMMIT."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._members.append(fut)
        return fut

    def poison(self, exc: BaseException) -> None:
        """A savepoint could not be rolled back: the batch cannot be trusted."""
        self._poisoned = exc

    def due(self) -> bool:
        return (
            self._poisoned is not None
            or not self._waiting()
            or len(self._members) >= self.max_size
            or time.monotonic() - self._started >= self.max_wait
        )

    def commit(self) -> BaseException | None:
        """COMMIT (or, if poisoned, ROLLBACK) the batch; in the group's thread. A batch
        whose requests were all refused before their thread ran never opened."""
        if not self._open:
            return None
        conn, error = self._conn, self._poisoned
        self._open = False
        try:
            if conn is not None and conn.in_transaction():
                if error is None:
                    conn.commit()
                else:
                    conn.rollback()
        except BaseException as exc:  # the fsync or the disk failed
            error = exc
            self._close_conn()
        finally:
            self.gate.release()
        return error

    def settle(self, error: BaseException | None) -> None:
        """Answer the batch's requests (on the event loop)."""
        members, self._members = self._members, []
        self.batches += 1
        if self.observe_batch is not None and members:
            self.observe_batch(len(members))
        for fut in members:
            if fut.done():
                continue
            if error is None:
                fut.set_result(None)
            else:
                fut.set_exception(BatchFailed("The write could not be committed; retry it"))
        if error is None:
            self.committed += len(members)

    def release(self) -> None:
        self._pass_turn()

    def _close_conn(self) -> None:
        """Throw the connection away (after a failed BEGIN or COMMIT): invalidating
        closes the driver's connection, which rolls back whatever it still held,
        instead of handing a connection in an unknown state back to the pool."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # best effort on a broken connection
                conn.invalidate()
            with contextlib.suppress(Exception):
                conn.close()

    def close(self) -> None:
        if self._open:
            self.commit()
        self._close_conn()
        self._executor.shutdown(wait=False)


@contextmanager
def batched_thread() -> Iterator[None]:
    """Mark the current thread as running a batched request's work."""
    _in_batch.active = True
    try:
        yield
    finally:
        _in_batch.active = False
