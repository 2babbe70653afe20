"""The unit-of-work route: one transaction per request, committed before the response.

FastAPI runs the code after ``yield`` in a dependency only after the response is
sent, too late to turn a failed commit into an error. So the transaction is owned
here, around the whole handler: the session is opened before the dependencies run,
committed once the handler has produced a successful response (and before that
response is returned to the server), and rolled back on any error.

The hot path stays on one thread: a sync handler is wrapped so that, in the worker
thread that runs it, its result is validated and serialised, the Idempotency-Key's
response stored, and the transaction committed (or rolled back), with no further
hops between the event loop and the thread pool.

The hop budget (docs/architecture.md, "Where a request goes"; a test counts them):

- a SQLite read: none. It runs on the event loop (``Database.inline_reads``), its
  credential lookup too.
- a SQLite write: one. The write requests of a process commit in groups
  (``db/group.py``): they take turns in one transaction, each in a savepoint, and are
  answered once the group's single COMMIT has made them durable. The turn's one hop,
  to the group's own thread, carries the batch's BEGIN (if it is not open yet), the
  Idempotency-Key claim, the handler, its rendering, the savepoint's release and the
  COMMIT (if the batch is due).
- PostgreSQL: the handler's hop, plus the credential lookup on a cache miss and the
  Idempotency-Key claim (each its own short transaction). A unit of work whose pooled
  connection turns out dead before it wrote anything runs again on a fresh one
  (``db.engine``: no ``pool_pre_ping``). A read whose handler has a twin that runs on
  the event loop (:func:`on_loop`: the member read, one prepared statement on the
  loop's async connections, ``db/aio.py``) makes no hop once its credentials are
  cached.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import json
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response, params
from fastapi.datastructures import DefaultPlaceholder
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from punchcard.api.common import ratelimit, render, solver
from punchcard.api.common.body import check_json
from punchcard.api.common.errors import status_for
from punchcard.audit.writer import AuditEntry
from punchcard.db.engine import lost_connection, wrote
from punchcard.db.group import GroupCommit, batched_thread
from punchcard.db.uow import Database, now, unavailable
from punchcard.errors import PunchcardError
from punchcard.idempotency import service as idempotency
from punchcard.kit.futures import guarded

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_H = TypeVar("_H", bound=Callable[..., Any])


# Commits, rollbacks and closes that could not run in the handler's own thread (an
# error before the handler ran, a replay) run on their own small pool, never on the
# shared one: in a burst every shared thread can be a handler waiting for a lock.
_FINISHER = ThreadPoolExecutor(max_workers=8, thread_name_prefix="punchcard-commit")


async def _finish(fn: Callable[..., Any], *args: Any) -> Any:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_FINISHER, guarded(functools.partial(fn, *args)))


class Unit:
    """One request's unit of work: its session, and whether it is finished."""

    __slots__ = (
        "batched", "db", "finished", "inline", "loop", "pending_claim", "request", "session",
    )  # fmt: skip

    def __init__(self, request: Request, db: Database, session: Session, *, batched: bool):
        self.request = request
        self.db = db
        self.session = session
        self.batched = batched
        self.finished = False
        # A batched write's Idempotency-Key claim, made in its turn's thread.
        self.pending_claim: Callable[[], None] | None = None
        # A SQLite read runs on the event loop itself: it never waits for a lock (WAL),
        # and a hop to a thread costs more than the read (docs/benchmarks.md).
        self.inline = db.inline_reads and request.method in SAFE_METHODS
        # A PostgreSQL read whose handler has an event-loop twin runs it (``on_loop``).
        self.loop = db.loop_reads is not None and request.method in SAFE_METHODS

    def finish(self, response: Response) -> None:
        """Commit a success (storing its Idempotency-Key response), roll back the rest."""
        if response.status_code >= 400:
            self.abort()
            return
        session = self.session
        if self.inline and not (session.in_transaction() or session.identity_map or session.new):
            # A read that never began a transaction (its statement ran alone on the
            # autocommit reader, db/prepared.py) and holds nothing: a COMMIT would do
            # nothing but walk SQLAlchemy's transaction machinery.
            session.close()
            self.finished = True
            return
        try:
            claim = getattr(self.request.state, "idempotency_claim", None)
            if claim is not None:
                stored = idempotency.StoredResponse(
                    response.status_code,
                    _redacted(self.request, bytes(response.body)),
                    response.media_type,
                )
                idempotency.complete(self.session, claim, stored)
            # Unbatched: COMMIT. Batched: RELEASE this request's savepoint; the
            # group's COMMIT follows before anyone is answered.
            self.session.commit()
        except BaseException:
            self.abort()
            raise
        self.session.close()
        self.finished = True

    def claim(self) -> None:
        """Make the pending Idempotency-Key claim (may raise: replay, reused, in flight)."""
        pending, self.pending_claim = self.pending_claim, None
        if pending is not None:
            pending()

    def renew(self) -> Session:
        """Roll back and close the session (its connection was lost), keep the
        Idempotency-Key claim, and start again with a fresh session."""
        with contextlib.suppress(Exception):
            self.session.rollback()
        with contextlib.suppress(Exception):
            self.session.close()
        self.session = self.db.session(write=self.request.method not in SAFE_METHODS)
        return self.session

    def abort(self) -> None:
        """Roll back; unbatched, also forget the Idempotency-Key claim (a batched claim
        was made in the request's savepoint and is gone with it)."""
        self.finished = True
        try:
            self.session.rollback()
        except BaseException as exc:
            if self.batched and self.db.group is not None:
                self.db.group.poison(exc)
            raise
        finally:
            self.session.close()
        claim = getattr(self.request.state, "idempotency_claim", None)
        if claim is not None and not self.batched:
            idempotency.release(self.db, claim)


def _pristine(unit: Unit) -> bool:
    """The unit's session has begun nothing and holds nothing, and no Idempotency-Key
    is claimed: finishing it sends nothing, so it needs no thread."""
    session = unit.session
    return not (
        session.in_transaction()
        or session.identity_map
        or session.new
        or getattr(unit.request.state, "idempotency_claim", None) is not None
    )


_ON_LOOP = "__punchcard_on_loop__"


def on_loop(twin: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[[_H], _H]:
    """Give a sync read handler ``twin``: an ``async`` handler that takes the same
    arguments, returns the same value and raises the same errors, run on the event
    loop instead of the handler's thread where the database reads on the loop
    (PostgreSQL with ``pg_loop_reads``: ``Database.loop_reads``). The route, its
    OpenAPI operation and everything else stay the sync handler's; SQLite keeps the
    sync handler (its reads already run on the loop). Put it under the route's
    decorator::

        @router.get("/members/{id}", response_model=MemberRead)
        @on_loop(get_member_on_loop)
        def get_member(p: MembersRead, session: DbSession, id: str) -> MemberRead: ...
    """

    def mark(handler: _H) -> _H:
        setattr(handler, _ON_LOOP, twin)
        return handler

    return mark


_unit: contextvars.ContextVar[Unit | None] = contextvars.ContextVar("punchcard_unit", default=None)


async def get_session() -> Session:
    # async: it only reads a contextvar, and FastAPI runs a sync dependency in the
    # thread pool, a hop (~0.1-0.3 ms) that bought nothing on every request.
    unit = _unit.get()
    if unit is None:  # pragma: no cover - only if a route forgets the route class
        raise RuntimeError("no unit of work: use UnitOfWorkRoute")
    return unit.session


def current_unit() -> Unit | None:
    return _unit.get()


DbSession = Annotated[Session, Depends(get_session)]


class IdempotentReplay(Exception):
    """Raised by the auth dependency to short-circuit with a stored response."""

    def __init__(self, response: Response) -> None:
        self.response = response


class UnitOfWorkRoute(APIRoute):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Record the route's auth requirement in its OpenAPI operation, found from
        # its dependencies, so the document can never disagree with the code.
        from punchcard.api.common.openapi import required_auth

        self.openapi_extra = {
            **(self.openapi_extra or {}),
            "x-required-scope": required_auth(self.dependant),
        }
        # The handler's one-line docstring is the operation's summary.
        doc = (getattr(self.endpoint, "__doc__", None) or "").strip()
        if doc and not kwargs.get("summary"):
            self.summary = doc.splitlines()[0]
            if not kwargs.get("description"):  # an explicit description wins
                self.description = "\n".join(doc.splitlines()[1:]).strip()

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # Render with the response type's own dump_json where that writes the bytes
        # JSONResponse would, and skip validating the response model's own instances
        # (api/common/render.py); decided once, here.
        cls = self.response_class
        self._response_class = cls.value if isinstance(cls, DefaultPlaceholder) else cls
        self._json = render.plan_for(self.response_field, self._response_class)
        self._model = render.model_of(self.response_field)
        self._options: dict[str, Any] = {
            "include": self.response_model_include,
            "exclude": self.response_model_exclude,
            "by_alias": self.response_model_by_alias,
            "exclude_unset": self.response_model_exclude_unset,
            "exclude_defaults": self.response_model_exclude_defaults,
            "exclude_none": self.response_model_exclude_none,
        }
        call = self.dependant.call
        wrapped = call is not None and not inspect.iscoroutinefunction(call)
        if call is not None and wrapped:
            self.dependant.call = self._in_thread(call)
        original = super().get_route_handler()
        if wrapped:
            original = self._planned(original)

        # A JSON body is checked before the unit of work begins: its content type
        # (415) and no key twice (400), api/common/body.py.
        field = self.body_field
        json_body = field is not None and not isinstance(field.field_info, params.Form)

        async def handler(request: Request) -> Response:
            db: Database = request.app.state.db
            started = time.perf_counter()
            write = request.method not in SAFE_METHODS
            group = db.group if write else None
            status = 500
            try:
                if json_body:
                    await check_json(request)
                if group is None:
                    unit = Unit(request, db, db.session(write=write), batched=False)
                    response = await _run(original, request, unit)
                else:
                    response = await _batched(original, request, db, group)
                status = response.status_code
                # Its rate-limit headers (an error's are added where it is rendered).
                return ratelimit.stamp(request.scope, response)
            except BaseException as exc:
                status = _status_of(exc)
                raise
            finally:
                _audit(request, db, status, started)

        return handler

    def _planned(
        self, original: Callable[[Request], Coroutine[Any, Any, Response]]
    ) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's request handler for this route, with its dependencies solved by a
        plan made once (api/common/solver.py) where the route's shape allows (a form
        body keeps FastAPI's handler). The handler is the ``_in_thread`` wrapper, which
        always answers a ``Response``."""
        body_field = self.body_field
        if body_field is not None and isinstance(body_field.field_info, params.Form):
            return original
        solve = solver.plan(self.dependant, embed_body_fields=self._embed_body_fields)
        if solve is None:
            return original
        endpoint = self.dependant.call
        assert endpoint is not None
        overrides = self.dependency_overrides_provider
        context = solver.endpoint_context(self.dependant, self.path_format)

        async def handler(request: Request) -> Response:
            if overrides is not None and getattr(overrides, "dependency_overrides", None):
                return await original(request)
            body = await solver.read_body(request, context) if body_field is not None else None
            values, errors = await solve(request, body)
            if errors:
                raise RequestValidationError(errors, body=body, endpoint_ctx=context(request))
            response: Response = await endpoint(**values)
            return response

        return handler

    def _in_thread(self, call: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a sync handler: run it, render its response and finish the unit of work
        in one worker thread (or, for a SQLite read, right on the event loop)."""

        def attempt(unit: Unit, values: dict[str, Any], *, retry: bool) -> Response:
            try:
                unit.claim()
                response = self._render(call(**values), values)
            except BaseException as exc:
                if retry and lost_connection(exc) and not wrote(exc):
                    raise  # the caller renews the session and runs it again
                unit.abort()
                raise
            unit.finish(response)
            return response

        def work(unit: Unit, values: dict[str, Any]) -> Response:
            group = unit.db.group if unit.batched else None
            if group is not None:
                # The turn's one hop: BEGIN if the batch is not open, the request,
                # COMMIT if the batch is due (the event loop answers it after).
                with batched_thread():
                    try:
                        group.bind(unit.session)
                        return attempt(unit, values, retry=False)
                    finally:
                        group.end_turn_in_thread()
            try:
                return attempt(unit, values, retry=not unit.db.is_sqlite)
            except Exception as exc:
                if not lost_connection(exc):
                    raise
                if wrote(exc) or unit.finished:
                    # Lost after a write, or at COMMIT: the server rolled it back (or,
                    # at COMMIT, may have committed it: the client retries with its
                    # Idempotency-Key); never run twice behind the client's back.
                    raise unavailable(exc) from exc
                # The pooled connection was dead and nothing was written: once more,
                # on a fresh one (the pool has dropped every connection it held).
                old = unit.session
                new = unit.renew()
                values = {k: new if v is old else v for k, v in values.items()}
            try:
                return attempt(unit, values, retry=False)
            except Exception as exc:
                if lost_connection(exc):
                    raise unavailable(exc) from exc
                raise

        twin = getattr(call, _ON_LOOP, None)

        async def looped(unit: Unit, values: dict[str, Any]) -> Response:
            # The twin's database work runs on the loop (its lost connection retried
            # there, db/aio.py); the rendering is the sync handler's own.
            assert twin is not None
            try:
                response = self._render(await twin(**values), values)
            except BaseException:
                await _abort(unit)
                raise
            if _pristine(unit):  # it read on the loop's connections: nothing to send
                unit.session.close()
                unit.finished = True
            else:  # pragma: no cover - a twin that used the session after all
                await _finish(unit.finish, response)
            return response

        async def run(**values: Any) -> Any:
            unit = _unit.get()
            if unit is None:  # pragma: no cover - called outside a request
                return await run_in_threadpool(call, **values)
            if unit.inline:
                return work(unit, values)
            if twin is not None and unit.loop:
                return await looped(unit, values)
            if unit.batched and unit.db.group is not None:
                return await unit.db.group.hop(functools.partial(work, unit, values))
            return await run_in_threadpool(work, unit, values)

        # Not functools.wraps: FastAPI must see a coroutine function, not the handler.
        run.__name__ = getattr(call, "__name__", "handler")
        run.__qualname__ = getattr(call, "__qualname__", run.__name__)
        run.__doc__ = call.__doc__
        run.__module__ = call.__module__
        return run

    def _render(self, raw: Any, values: dict[str, Any]) -> Response:
        """What FastAPI does with a handler's return value, done in the handler's thread."""
        if isinstance(raw, Response):
            return raw
        field = self.response_field
        response_class = self._response_class
        body: bytes | None = None
        if field is not None:
            if self._model is not None and type(raw) is self._model:
                value = raw  # our own instance: validating it would return it as is
            else:
                value, errors = field.validate(raw, {}, loc=("response",))
                if errors:
                    raise ResponseValidationError(errors=errors, body=raw)
            plan = self._json
            if plan is not None and plan.fits(value):
                body = render.render_json(plan.adapter, value, **self._options)
            else:
                content = field.serialize(value, **self._options)
        else:
            content = jsonable_encoder(raw)
        # A handler may set the status or headers on an injected ``Response``.
        sub = next((v for v in values.values() if isinstance(v, Response)), None)
        status = self.status_code
        if sub is not None and sub.status_code:
            status = sub.status_code
        if body is not None:
            # The same bytes and headers as ``JSONResponse(content)`` (api/common/render.py).
            response_class, content = render.RenderedJSON, body
        response: Response = (
            response_class(content, status_code=status) if status else response_class(content)
        )
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        if sub is not None:
            response.headers.raw.extend(sub.headers.raw)
        return response


async def _run(
    original: Callable[[Request], Coroutine[Any, Any, Response]], request: Request, unit: Unit
) -> Response:
    """Run the route with ``unit`` as its unit of work and leave it finished."""
    token = _unit.set(unit)
    try:
        try:
            response = await original(request)
        except IdempotentReplay as exc:
            if not unit.finished:
                await _abort(unit)
            return exc.response
        if not unit.finished:  # an async handler: finish here
            await _finish(unit.finish, response)
        return response
    except BaseException as exc:
        if not unit.finished:
            await _abort(unit)
        if isinstance(exc, Exception) and lost_connection(exc):
            raise unavailable(exc) from exc
        raise
    finally:
        _unit.reset(token)


async def _abort(unit: Unit) -> None:
    """Abort a unit whose handler never ran (or ran on the loop): on the event loop
    where that cannot wait (a SQLite read; a batched write, whose session is not bound
    yet; a session that has begun nothing and claimed no key), else in a thread."""
    if (
        unit.inline
        or (unit.batched and unit.session.bind is None)
        or (not unit.batched and _pristine(unit))
    ):
        unit.abort()
    else:
        await _finish(unit.abort)


async def _batched(
    original: Callable[[Request], Coroutine[Any, Any, Response]],
    request: Request,
    db: Database,
    group: GroupCommit,
) -> Response:
    """Run a write in its turn in the group's transaction; answer after its COMMIT."""
    ticket = await group.enter()
    outcome: Response | BaseException
    try:
        unit = Unit(request, db, group.session(), batched=True)
        try:
            outcome = await _run(original, request, unit)
        except Exception as exc:
            outcome = exc
            if unit.pending_claim is not None:
                # Refused after its credentials were read but before its handler ran
                # (a body that does not validate): the Idempotency-Key is claimed
                # first, as the auth dependency would have, so a replay or a reused
                # key answers as it always did.
                outcome = await group.hop(functools.partial(_claim_first, unit, exc))
    finally:
        await group.leave()
    # Errors wait too: an answer must not rest on a state that was never committed.
    await ticket
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _claim_first(unit: Unit, error: Exception) -> Response | BaseException:
    """In the turn's thread: make the pending claim of a request that failed with
    ``error`` before its handler ran; the claim's own refusal or replay wins."""
    group = unit.db.group
    assert group is not None
    with batched_thread():
        try:
            group.bind(unit.session)
            unit.claim()
        except IdempotentReplay as replay:
            return replay.response
        except Exception as exc:
            return exc
        finally:
            with contextlib.suppress(Exception):
                unit.session.rollback()
            unit.session.close()
            group.end_turn_in_thread()
    return error


def redact_on_replay(request: Request, *fields: str) -> None:
    """Mark top-level response fields that carry a secret shown once (an API key's
    plaintext, a webhook secret): the idempotency record stores them as null, so a
    replay says what happened without the secret ever being kept."""
    request.state.idempotency_redact = fields


def _redacted(request: Request, body: bytes) -> bytes:
    fields = getattr(request.state, "idempotency_redact", ())
    if not fields:
        return body
    data = json.loads(body)
    if isinstance(data, dict):
        for name in fields:
            if name in data:
                data[name] = None
    return json.dumps(data, separators=(",", ":")).encode()


def _status_of(exc: BaseException) -> int:
    if isinstance(exc, PunchcardError):
        return status_for(exc)
    if isinstance(exc, RequestValidationError):
        return 400
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code
    return 500


def _audit(request: Request, db: Database, status: int, started: float) -> None:
    principal = getattr(request.state, "principal", None)
    writer = getattr(request.app.state, "audit", None)
    if principal is None or writer is None:
        return
    writer.record(
        AuditEntry(
            tenant_id=principal.tenant_id,
            api_key_id=principal.api_key_id,
            user_id=principal.user_id,
            method=request.method,
            path=request.url.path,
            status=status,
            latency_ms=(time.perf_counter() - started) * 1000,
            client_ip=request.client.host if request.client else None,
            at=db.clock.now(),
        )
    )


__all__ = [
    "DbSession",
    "IdempotentReplay",
    "Unit",
    "UnitOfWorkRoute",
    "current_unit",
    "get_session",
    "now",
    "on_loop",
]
