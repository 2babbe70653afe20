"""The ASGI endpoint the app mounts at ``/mcp``: streamable HTTP, stateless (each
request carries its own bearer API key), JSON responses.

It refuses a request without a valid API key (401) before the SDK reads anything, then
counts it against the key's plan rate limits as every API request is (429 with
``Retry-After``; ``api/common/ratelimit.py``), then refuses it without ``metrics:read``
(403): the order of ``api/common/auth.py`` ``authorize``. Every counted response, the
SDK's or a refusal, carries the ``X-RateLimit-*`` headers.

The SDK (``server.py``) is imported, and its session manager started, on the first
authorised request, not when the app loads: importing it costs every ``serve`` process
a second or two of start-up otherwise (and under ``--workers N`` a slow child may miss
uvicorn's health check). ``run()`` is entered by the app's lifespan: the task group the
session manager then runs in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup, TaskStatus
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from punchcard.api.common import ratelimit
from punchcard.api.common.auth import resolve_principal
from punchcard.api.common.errors import render_native, status_for
from punchcard.db.uow import Database
from punchcard.errors import PunchcardError, ServiceUnavailable
from punchcard.identity import service as identity
from punchcard.identity.principal import Principal
from punchcard.mcp_server.auth import api_key, bearer, scoped

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager


class Endpoint:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._manager: StreamableHTTPSessionManager | None = None
        self._group: TaskGroup | None = None
        self._lock = anyio.Lock()

    @asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        async with anyio.create_task_group() as group:
            self._group = group
            try:
                yield
            finally:
                self._group = None
                self._manager = None
                group.cancel_scope.cancel()

    def _build(self) -> StreamableHTTPSessionManager:
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

        from punchcard.mcp_server.server import build

        server = build(self.db, lambda ctx: bearer(ctx.headers))
        return StreamableHTTPSessionManager(
            # The SDK's own streamable_http_app() hands the manager this same server.
            app=server._lowlevel_server,
            stateless=True,
            json_response=True,
        )

    async def _ready(self) -> StreamableHTTPSessionManager:
        async with self._lock:
            if self._manager is None:
                if self._group is None:
                    raise Unavailable("The MCP endpoint is not running (the app has not started)")
                manager = await anyio.to_thread.run_sync(self._build)

                async def serve(*, task_status: TaskStatus[None]) -> None:
                    async with manager.run():
                        task_status.started()
                        await anyio.sleep_forever()

                await self._group.start(serve)
                self._manager = manager
            return self._manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            found = await anyio.to_thread.run_sync(_authenticate, self.db, bearer(headers))
            # ``scope["app"]`` is the app (Starlette sets it): its limiter and database.
            await ratelimit.enforce(Request(scope), found)
            scoped(found)
            manager = await self._ready()
        except PunchcardError as exc:
            await _refuse(scope, receive, send, exc)
            return
        await manager.handle_request(scope, receive, _stamping(scope, send))


def _authenticate(db: Database, token: str | None) -> Principal:
    """The API key's principal (Unauthenticated: none, or a bad, revoked or expired one),
    read as the API's credentials are (``auth.resolve_principal``: its plan brought up to
    date in the same read), and not cached."""
    key = api_key(token)
    return resolve_principal(db, lambda session: identity.authenticate(session, key), "")


class Unavailable(ServiceUnavailable):
    """The app's lifespan (the task group the SDK runs in) has not started."""


def _stamping(scope: Scope, send: Send) -> Send:
    """``send`` that adds the request's rate-limit headers (``ratelimit.stamp``) to the
    SDK's response."""
    verdict: ratelimit.Verdict | None = scope.get(ratelimit.SCOPE_KEY)
    if verdict is None:
        return send

    async def stamped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), *verdict.headers()]}
        await send(message)

    return stamped


async def _refuse(scope: Scope, receive: Receive, send: Send, exc: PunchcardError) -> None:
    """``exc`` as the native face answers it (``render_native``: its envelope, status,
    ``Retry-After`` and ``WWW-Authenticate``), with the rate-limit headers."""
    response = render_native(exc, status_for(exc))
    await response(scope, receive, _stamping(scope, send))
