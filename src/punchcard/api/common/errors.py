"""Typed errors rendered in one place, in the envelope of the face that was called.

Each ``Face`` of the app (``app.state.faces``) brings its renderer; a path under no
face's prefix gets the native envelope ``{"error": {"code", "message", "field"}}``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from punchcard import errors as E
from punchcard.api.common import ids, ratelimit

if TYPE_CHECKING:
    from punchcard.api.common.face import Face

log = logging.getLogger("punchcard.api")


class PayloadTooLarge(E.PunchcardError):
    """A request body over the size limit (``api/common/guards.py``): an HTTP matter,
    so it lives here, not in the core's error tree."""

    code = "PAYLOAD_TOO_LARGE"
    default_message = "Request body too large"


class UnsupportedMediaType(E.PunchcardError):
    """A body in a content type the endpoint does not read (form or XML sent to JSON)."""

    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Unsupported content type"


# The core's table (``punchcard.errors.HTTP_STATUS``, which the web pages read too) and
# the transport's own refusals.
STATUS: Mapping[type[E.PunchcardError], int] = {
    **E.HTTP_STATUS,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
}

Renderer = Callable[[E.PunchcardError, int], JSONResponse]
Handler = Callable[[Request, Any], Awaitable[JSONResponse]]


def status_for(exc: E.PunchcardError) -> int:
    return E.http_status(exc, STATUS)


# The kind of id a core error carries in ``extra`` (``existingId``: a UUID), by error
# code, spelled as the native face spells ids.
_ID_PREFIX: dict[str, str] = {E.DuplicateMember.code: "mem", E.DuplicateOrder.code: "ord"}


def _native_extra(exc: E.PunchcardError) -> dict[str, Any]:
    prefix = _ID_PREFIX.get(exc.code)
    return {
        k: (ids.render(prefix, v) if prefix else str(v)) if isinstance(v, uuid.UUID) else v
        for k, v in exc.extra.items()
    }


def render_native(exc: E.PunchcardError, status: int) -> JSONResponse:
    body: dict[str, Any] = {"code": exc.code, "message": exc.message, "field": exc.field}
    body.update(_native_extra(exc))
    headers = {}
    if isinstance(exc, E.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _renderer_for(request: Request) -> Renderer:
    """The renderer of the app's face (``app.state.faces``) the path is under, longest
    prefix first; under none, the native envelope."""
    path = request.url.path
    faces: Sequence[Face] = getattr(request.app.state, "faces", ())
    for face in sorted(faces, key=lambda f: len(f.prefix), reverse=True):
        if path.startswith(face.prefix):
            return face.render_error
    return render_native


def render(request: Request, exc: E.PunchcardError) -> JSONResponse:
    return _renderer_for(request)(exc, status_for(exc))


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


def _validation_message(err: dict[str, Any], field: str | None) -> str:
    kind = err.get("type", "")
    if kind == "json_invalid":
        return "Request body is not valid JSON"
    if kind == "missing":
        return f"{field or 'A value'} is required"
    msg = str(err.get("msg", "Invalid value"))
    return f"{field}: {msg}" if field else msg


def _allowed_methods(request: Request) -> str:
    """The methods of the path template the URL resolved to. Starlette's 405 names only
    those of its first route, but GET and POST /members are two routes of one path."""
    template: str | None = None
    methods: set[str] = set()
    for route in request.app.router.routes:
        if not (isinstance(route, Route) and route.methods):
            continue
        match, _ = route.matches(request.scope)
        if match is Match.NONE or template not in (None, route.path):
            continue
        # The first template that matches wins, as in routing (/members/batch is
        # routed before /members/{id}).
        template = route.path
        methods |= route.methods
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Render every error in the envelope of the face it happened under (with the
    request's rate-limit headers, if it was counted: ``ratelimit.stamp``)."""

    def handler(cls: type[Exception]) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            async def stamped(request: Request, exc: Any) -> JSONResponse:
                response = await fn(request, exc)
                ratelimit.stamp(request.scope, response)
                return response

            app.add_exception_handler(cls, stamped)
            return fn

        return register

    @handler(E.PunchcardError)
    async def _punchcard(request: Request, exc: E.PunchcardError) -> JSONResponse:
        response = render(request, exc)
        if isinstance(exc, E.ServiceUnavailable):
            response.headers["Retry-After"] = "1"
        return response

    @handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = list(exc.errors())
        first: dict[str, Any] = errs[0] if errs else {}
        loc = tuple(first.get("loc", ()))
        field = None if first.get("type") == "json_invalid" else _field_of(loc)
        return render(request, E.ValidationFailed(_validation_message(first, field), field=field))

    @handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR")
        err = E.PunchcardError(str(exc.detail), code=code)
        response = _renderer_for(request)(err, exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            response.headers["Allow"] = _allowed_methods(request)
        return response

    @handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A uniqueness race that a service's own check could not see (another process
        # committed first). The transaction was rolled back; nothing was written.
        log.info("integrity conflict: %s", exc.orig)
        return render(request, E.Conflict("The resource was changed concurrently; retry"))

    @handler(OperationalError)
    @handler(PoolTimeout)
    async def _operational(request: Request, exc: OperationalError | PoolTimeout) -> JSONResponse:
        # A locked database, a lost connection, or no pooled connection free in time:
        # the request did nothing, and a retry may succeed.
        log.warning("database unavailable: %s", getattr(exc, "orig", None) or exc)
        response = render(
            request,
            E.PunchcardError("Database busy or unavailable; retry", code="SERVICE_UNAVAILABLE"),
        )
        response.status_code = 503
        response.headers["Retry-After"] = "1"
        return response

    @handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _renderer_for(request)(E.PunchcardError("Internal error", code="INTERNAL"), 500)
