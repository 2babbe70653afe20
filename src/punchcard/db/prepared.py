"""A hot Core SELECT run on the session's own driver connection, without SQLAlchemy's
per-execution machinery.

SQLAlchemy executes a reused, already compiled statement in ~45 µs of Python (the
execution context, parameter processing, events, the result object), where the driver
runs the SQL itself in a few: that was a quarter of a member read's CPU
(docs/benchmarks.md). :class:`Prepared` runs its statement once per dialect through
SQLAlchemy, keeps what that execution used (the SQL text, the order and bind
processors of its parameters, the result processors of its columns), and from then on
hands the SQL straight to the driver cursor of the session's connection, in the
session's transaction, and converts each value with the very processors SQLAlchemy
would have applied: the same rows, the same types. A driver error goes through
SQLAlchemy's own error handling (wrapping, lost-connection detection and the pool's
invalidation, ``handle_error`` listeners). What it skips: the engine's
``before/after_cursor_execute`` events, so a statement counter does not see it.

Only for a statement without expanding (``IN``) or literal-execute parameters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import anyio.to_thread
from sqlalchemy import Select
from sqlalchemy.orm import Session

from punchcard.db.engine import lost_connection


class _Plan:
    __slots__ = ("binds", "named", "results", "sql")

    def __init__(self, sql: str, binds: list[tuple[str, Any]], named: bool, results: list[Any]):
        self.sql = sql
        self.binds = binds  # (parameter name, bind processor or None), in the SQL's order
        self.named = named  # pyformat/named parameters (a dict) or positional (a list)
        self.results = results  # a result processor (or None) per column


class Prepared:
    def __init__(self, build: Callable[[str], Select[Any]]) -> None:
        self._build = build
        self._statements: dict[str, Select[Any]] = {}
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()

    def statement(self, dialect: str) -> Select[Any]:
        stmt = self._statements.get(dialect)
        if stmt is None:
            with self._lock:
                stmt = self._statements.setdefault(dialect, self._build(dialect))
        return stmt

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of the statement for ``params``: in the session's transaction;
        or, while the session has begun nothing and holds nothing (the statement is all
        its unit of work reads), alone, seeing what is committed: on SQLite on the
        thread's autocommit reader (``Database.autocommit_reader``), on PostgreSQL on a
        pooled connection in autocommit mode (``Database.autocommit_checkout``: one
        round trip instead of BEGIN, the statement and COMMIT)."""
        reader = session.info.get("autocommit_reader")
        if (
            reader is not None
            and not session.in_transaction()
            and not session.identity_map
            and not session.new
        ):
            plan = self._plans.get("sqlite")
            if plan is not None:
                try:
                    cursor = reader().cursor()
                    cursor.execute(plan.sql, _args(plan, params))
                    raw = cursor.fetchone()
                    cursor.close()
                except Exception:
                    # Never mind why: drop that connection, read through the session
                    # (whose errors SQLAlchemy wraps as usual).
                    session.info["drop_reader"]()
                else:
                    return _converted(plan, raw)
        checkout = session.info.get("autocommit_checkout")
        if (
            checkout is not None
            and not session.in_transaction()
            and not session.identity_map
            and not session.new
        ):
            plan = self._plans.get("postgresql")
            if plan is not None:
                args = _args(plan, params)
                with checkout() as alone:
                    cursor = None
                    try:
                        cursor = alone.connection.driver_connection.cursor()
                        cursor.execute(plan.sql, args)
                        raw = cursor.fetchone()
                        cursor.close()
                        return _converted(plan, raw)
                    except Exception as exc:
                        try:  # SQLAlchemy's handling: a lost connection empties the pool
                            alone._handle_dbapi_exception(exc, plan.sql, args, cursor, None)
                        except Exception as wrapped:
                            if not lost_connection(wrapped):
                                raise
                # The connection was lost: read through the session, on a fresh one.
        conn = session.connection()
        dialect = conn.dialect
        plan = self._plans.get(dialect.name)
        if plan is None:
            # The first run, through SQLAlchemy: what it did is the plan.
            result = conn.execute(self.statement(dialect.name), dict(params))
            row = result.first()
            self._plans.setdefault(dialect.name, _plan_of(result))
            return None if row is None else tuple(row)
        args = _args(plan, params)
        dbapi = conn.connection
        cursor = None
        try:
            cursor = dbapi.cursor()
            cursor.execute(plan.sql, args)
            raw = cursor.fetchone()
            cursor.close()
        except BaseException as exc:
            conn._handle_dbapi_exception(exc, plan.sql, args, cursor, None)
        return _converted(plan, raw)

    async def first_on_loop(
        self, session: Session, params: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        """:meth:`first`, for a session that has begun nothing, on the event loop: on
        PostgreSQL on the loop's pool of async connections (``db.aio``: autocommit, the
        statement alone, one round trip, no thread hand-off), with the plan's SQL and
        SQLAlchemy's processors, so the row is the one :meth:`first` returns. Until the
        statement has a plan (the process's first run), it runs once through
        SQLAlchemy in a thread on a pooled autocommit connection, which makes the plan.
        Elsewhere (SQLite, whose reads already run on the loop; a session with a
        transaction, which only its thread may use: in a thread): :meth:`first` itself."""
        reads = session.info.get("loop_reads")
        if reads is None:
            return self.first(session, params)
        if session.in_transaction() or session.identity_map or session.new:
            return await anyio.to_thread.run_sync(self.first, session, params)
        plan = self._plans.get("postgresql")
        if plan is None:
            checkout = session.info["autocommit_checkout"]
            return await anyio.to_thread.run_sync(self._first_alone, checkout, dict(params))
        raw = await reads.fetchone(plan.sql, _args(plan, params))
        return _converted(plan, raw)

    def _first_alone(self, checkout: Any, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """The statement through SQLAlchemy on an autocommit connection of the engine's
        pool, planned; once more on a fresh connection if that one was dead."""
        for attempt in (1, 2):
            try:
                with checkout() as conn:
                    result = conn.execute(self.statement(conn.dialect.name), params)
                    row = result.first()
                    self._plans.setdefault(conn.dialect.name, _plan_of(result))
                    return None if row is None else tuple(row)
            except Exception as exc:
                if attempt == 2 or not lost_connection(exc):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


def _args(plan: _Plan, params: Mapping[str, Any]) -> Any:
    if plan.named:
        return {name: bind(params[name]) if bind else params[name] for name, bind in plan.binds}
    return [bind(params[name]) if bind else params[name] for name, bind in plan.binds]


def _converted(plan: _Plan, raw: Any) -> tuple[Any, ...] | None:
    if raw is None:
        return None
    return tuple(
        convert(value) if convert else value
        for value, convert in zip(raw, plan.results, strict=True)
    )


def _plan_of(result: Any) -> _Plan:
    context = result.context
    compiled = context.compiled
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("Prepared statements take no expanding or literal-execute parameters")
    processors = compiled._bind_processors
    names = (
        list(compiled.positiontup) if compiled.positional else list(compiled.bind_names.values())
    )
    binds = [(name, processors.get(name)) for name in names]
    return _Plan(
        context.statement, binds, not compiled.positional, list(result._metadata._processors)
    )
