"""The unit-of-work route: one transaction per request, committed before the response.

FastAPI runs the code after ``yield`` in a dependency only after the response is
sent, too late to turn a failed commit into an error. So the transaction is owned
here, around the whole handler: the session is opened before the dependencies run,
committed once the handler has produced a successful response (and before that
response is returned to the server), and rolled back on any error.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from punchcard.api.common.errors import status_for
from punchcard.audit.writer import AuditEntry
from punchcard.db.uow import Database, now
from punchcard.errors import PunchcardError
from punchcard.idempotency import service as idempotency

_session: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "punchcard_session", default=None
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Commits, rollbacks and closes run on their own small pool, never on the shared one
# the handlers use: in a burst of writes every shared thread can be a handler waiting
# for SQLite's write lock, and the request holding that lock must still be able to
# commit (else the process stalls until busy_timeout).
_FINISHER = ThreadPoolExecutor(max_workers=8, thread_name_prefix="punchcard-commit")


async def _finish(fn: Callable[..., Any], *args: Any) -> Any:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_FINISHER, functools.partial(fn, *args))


def get_session() -> Session:
    session = _session.get()
    if session is None:  # pragma: no cover - only if a route forgets the route class
        raise RuntimeError("no unit of work: use UnitOfWorkRoute")
    return session


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
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            db: Database = request.app.state.db
            started = time.perf_counter()
            session = db.session(write=request.method not in SAFE_METHODS)
            token = _session.set(session)
            status = 500
            try:
                replay = None
                try:
                    response = await original(request)
                except IdempotentReplay as exc:
                    replay = exc
                if replay is not None:
                    await _finish(session.rollback)
                    status = replay.response.status_code
                    return replay.response
                claim = getattr(request.state, "idempotency_claim", None)
                if response.status_code < 400:
                    if claim is not None:
                        stored = idempotency.StoredResponse(
                            response.status_code,
                            _redacted(request, bytes(response.body)),
                            response.media_type,
                        )
                        await _finish(idempotency.complete, session, claim, stored)
                    await _finish(session.commit)
                else:
                    await _finish(session.rollback)
                    if claim is not None:
                        await _finish(idempotency.release, db, claim)
                status = response.status_code
                return response
            except BaseException as exc:
                await _finish(session.rollback)
                claim = getattr(request.state, "idempotency_claim", None)
                if claim is not None:
                    await _finish(idempotency.release, db, claim)
                status = _status_of(exc)
                raise
            finally:
                _session.reset(token)
                await _finish(session.close)
                _audit(request, db, status, started)

        return handler


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


__all__ = ["DbSession", "IdempotentReplay", "UnitOfWorkRoute", "get_session", "now"]
