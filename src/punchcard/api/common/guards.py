"""ASGI guards for input no handler should ever see: NUL characters in the path or
query string (PostgreSQL text cannot hold them; SQLite can, so without this guard
the two databases would answer differently), and request bodies over the size limit."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from punchcard.api.common.errors import PayloadTooLarge, render
from punchcard.errors import ValidationFailed


class RejectNul:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query: bytes = scope.get("query_string", b"")
            path: str = scope.get("path", "")
            if "\x00" in path or b"%00" in query or b"\x00" in query:
                field = _query_field(query) if "\x00" not in path else "path"
                response = render(
                    Request(scope), ValidationFailed("must not contain NUL characters", field=field)
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _query_field(query: bytes) -> Any:
    for pair in query.split(b"&"):
        if b"%00" in pair or b"\x00" in pair:
            return pair.split(b"=", 1)[0].decode("latin-1") or None
    return None


# A route that takes batches (``openapi_extra=BULK_BODY``) may receive up to
# ``Settings.max_bulk_body_bytes``; every other one ``Settings.max_body_bytes``.
BULK_BODY: dict[str, Any] = {"x-body-limit": "bulk"}


class _TooLarge(PayloadTooLarge):
    """Raised from ``receive`` once a chunked body passes the limit (a 413 wherever it
    is seen: the audit log and the unit of work record it as such)."""


_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyLimit:
    """Refuse a request body over the limit with 413, in the envelope of the face the
    path is under, before it is read whole.

    A ``Content-Length`` over the limit is refused before a byte of the body is read.
    A body with a ``Content-Length`` within it needs nothing more: the server delivers
    no more bytes than it declares. A body without one (``Transfer-Encoding: chunked``)
    is counted as it arrives: past the limit, ``receive`` raises, whatever the app
    answers to that is dropped, and the 413 is sent instead. So the common request
    costs a scan of its headers and one comparison; a GET without either header
    passes untouched.
    """

    def __init__(self, app: ASGIApp, *, limit: int, bulk_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.bulk_limit = max(limit, bulk_limit)
        self._bulk: frozenset[str] | None = None

    def _limit_for(self, scope: Scope) -> int:
        if self._bulk is None:
            routes = getattr(scope.get("app"), "routes", ())
            self._bulk = frozenset(
                getattr(r, "path", "")
                for r in routes
                if (getattr(r, "openapi_extra", None) or {}).get("x-body-limit") == "bulk"
            )
        return self.bulk_limit if scope["path"] in self._bulk else self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
                break
            if name == b"transfer-encoding":
                chunked = True
        if length is None and not chunked and scope["method"] in _BODILESS:
            # Neither header: an HTTP/1.1 request has no body (a GET's common case).
            await self.app(scope, receive, send)
            return
        if length is not None:
            declared = int(length) if length.isdigit() else 0
            limit = self._limit_for(scope)
            if declared > limit:
                await self._refuse(scope, receive, send, limit)
                return
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send, self._limit_for(scope))

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        over = False
        started = False

        async def counting() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if over:  # the app's answer to the failed read: the 413 replaces it
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counting, sending)
        except _TooLarge:
            pass
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = PayloadTooLarge(f"Request body is larger than {limit} bytes")
        response = render(Request(scope), error)
        # Whatever the client still sends is not read: close the connection after.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
