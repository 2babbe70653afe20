"""Several PostgreSQL statements in one round trip: psycopg's pipeline mode.

Without it every statement is a round trip: the client sends it and waits for its
result before sending the next. An award's writes after the member lock (its entry,
its lot, the member's cache, the outbox event, the webhook deliveries) need no result
before the next is sent, so :class:`Pipeline` sends them together and waits once.

Inside ``with Pipeline(session):`` on PostgreSQL, the session's driver connection is in
pipeline mode:

- a statement run through the session that returns nothing (an ``INSERT`` without
  ``RETURNING``) is queued: SQLAlchemy reads no result of it;
- the first statement that does return something (a ``RETURNING``, a ``SELECT``, an
  ``UPDATE`` whose row count the ORM checks) ends the pipeline as it is sent: one Sync,
  every queued result read, its own included, and the rest of the block runs as usual
  (``end_on_result``, an ``after_cursor_execute`` listener of PostgreSQL engines);
- :meth:`Pipeline.returning` queues a statement whose one row the caller reads only
  after the pipeline ended (:meth:`Deferred.one`): it runs on the driver's cursor with
  the bind processors SQLAlchemy would use (as ``db.prepared`` does), so a statement
  counter on the engine does not see it;
- leaving the block ends the pipeline if nothing did (one Sync).

An error of a queued statement surfaces when the pipeline ends (the transaction is
aborted either way), wrapped by SQLAlchemy as any driver error (lost-connection
detection included). On SQLite the block changes nothing: every statement runs when
executed, and :meth:`Pipeline.returning` runs at once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from punchcard.db.engine import PIPE
from punchcard.db.uow import dialect


class Deferred:
    """The one row a :meth:`Pipeline.returning` statement returns, once the pipeline
    has ended."""

    __slots__ = ("_cursor", "_pipe", "_processors", "_row")

    def __init__(
        self,
        row: Any = None,
        *,
        cursor: Any = None,
        processors: list[Any] | None = None,
        pipe: Pipeline | None = None,
    ) -> None:
        self._row = row
        self._cursor = cursor
        self._processors = processors or []
        self._pipe = pipe

    def one(self) -> tuple[Any, ...]:
        cursor = self._cursor
        if cursor is None:
            return tuple(self._row)
        if self._pipe is not None and self._pipe.open:
            raise RuntimeError("read a pipelined row before its pipeline ended")
        self._cursor = None
        try:
            raw = cursor.fetchone()
            cursor.close()
        except BaseException as exc:
            assert self._pipe is not None
            self._pipe.handle(exc)
        if raw is None:
            raise RuntimeError("the pipelined statement returned no row")
        self._row = tuple(
            convert(value) if convert else value
            for value, convert in zip(raw, self._processors, strict=True)
        )
        return self._row


class _Plan:
    __slots__ = ("binds", "named", "results", "sql")

    def __init__(self, sql: str, binds: list[tuple[str, Any]], named: bool, results: list[Any]):
        self.sql = sql
        self.binds = binds
        self.named = named
        self.results = results


_plans: dict[tuple[int, str], tuple[Executable, _Plan]] = {}
_plans_lock = threading.Lock()


def _plan(stmt: Executable, sa_dialect: Any) -> _Plan:
    """The statement compiled once per dialect: its SQL, its parameters' names and bind
    processors in order, and its returned columns' result processors."""
    key = (id(stmt), sa_dialect.name)
    found = _plans.get(key)
    if found is not None and found[0] is stmt:
        return found[1]
    compiled: Any = stmt.compile(dialect=sa_dialect)  # type: ignore[attr-defined]
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("a pipelined statement takes no expanding or literal parameters")
    processors = compiled._bind_processors
    names = (
        list(compiled.positiontup) if compiled.positional else list(compiled.bind_names.values())
    )
    results = [
        column[3]._cached_result_processor(sa_dialect, None) for column in compiled._result_columns
    ]
    plan = _Plan(
        compiled.string,
        [(name, processors.get(name)) for name in names],
        not compiled.positional,
        results,
    )
    with _plans_lock:
        _plans[key] = (stmt, plan)  # the statement kept: its id is not reused meanwhile
    return plan


class Pipeline:
    """See the module docstring. One per block; not reentrant."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._conn: Any = None  # the session's SQLAlchemy Connection, while open
        self._cm: Any = None  # psycopg's pipeline() context manager, while open
        self._info: dict[Any, Any] = {}  # the connection's info, where PIPE names us

    @property
    def open(self) -> bool:
        return self._cm is not None

    def __enter__(self) -> Pipeline:
        session = self._session
        if dialect(session) != "postgresql":
            return self
        conn = session.connection()
        if PIPE in conn.info:  # an outer block already pipelines this connection
            return self
        driver: Any = conn.connection.driver_connection
        cm = driver.pipeline()
        try:
            cm.__enter__()
        except BaseException as exc:
            conn._handle_dbapi_exception(exc, "<pipeline>", None, None, None)
        self._conn, self._cm = conn, cm
        # The dict itself: an invalidated Connection refuses even to show its info.
        self._info = conn.info
        self._info[PIPE] = self
        return self

    def returning(self, stmt: Executable, params: Mapping[str, Any]) -> Deferred:
        """Run ``stmt`` (DML with ``RETURNING`` one row): queued while the pipeline is
        open, its row read by :meth:`Deferred.one` after it ended; else at once."""
        if self._cm is None:
            return Deferred(self._session.execute(stmt, params).one())
        conn = self._conn
        plan = _plan(stmt, conn.dialect)
        if plan.named:
            args: Any = {n: bind(params[n]) if bind else params[n] for n, bind in plan.binds}
        else:
            args = [bind(params[n]) if bind else params[n] for n, bind in plan.binds]
        cursor = None
        try:
            cursor = conn.connection.driver_connection.cursor()
            cursor.execute(plan.sql, args)
        except BaseException as exc:
            conn._handle_dbapi_exception(exc, plan.sql, args, cursor, None)
        return Deferred(cursor=cursor, processors=plan.results, pipe=self)

    def end(self, *, wrap: bool = True) -> None:
        """End the pipeline (one Sync: every queued statement's result read). A driver
        error is wrapped by SQLAlchemy unless ``wrap`` is false (the caller is inside
        an execution, whose own handler wraps it)."""
        cm, conn = self._cm, self._conn
        if cm is None:
            return
        self._cm = self._conn = None
        self._info.pop(PIPE, None)
        try:
            cm.__exit__(None, None, None)
        except BaseException as exc:
            if not wrap:
                raise
            conn._handle_dbapi_exception(exc, "<pipeline sync>", None, None, None)

    def handle(self, exc: BaseException) -> None:
        """A driver error on this pipeline's connection, wrapped by SQLAlchemy."""
        self._session.connection()._handle_dbapi_exception(exc, "<pipeline>", None, None, None)

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            self.end()
            return
        cm = self._cm
        if cm is not None:
            self._cm = self._conn = None
            self._info.pop(PIPE, None)
            # The block's error is the one to report: psycopg logs one of its own
            # (its Sync failing on a lost connection), this drops anything else.
            with contextlib.suppress(Exception):
                cm.__exit__(exc_type, exc, tb)
