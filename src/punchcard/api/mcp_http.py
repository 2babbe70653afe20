"""The ASGI endpoint the app mounts at ``/mcp``: streamable HTTP, stateless (each
request carries its own bearer API key), JSON responses.

It refuses a request without a valid API key (401) or without ``metrics:read`` (403)
before the SDK reads anything. The SDK (``server.py``) is imported, and its session
manager started, on the first authorised request, not when the app loads: importing
it costs every ``serve`` process a second or two of start-up otherwise (and under
``--workers N`` a slow child may miss uvicorn's health check). ``run()`` is entered by
the app's lifespan: the task group the session manager then runs in.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup, TaskStatus
from starlette.types import Receive, Scope, Send

from punchcard.db.uow import Database
from punchcard.errors import InsufficientScope, PunchcardError, Unauthenticated
from punchcard.mcp_server.auth import bearer, principal

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
            await anyio.to_thread.run_sync(principal, self.db, bearer(headers))
        except Unauthenticated as exc:
            await _refuse(send, 401, exc)
            return
        except InsufficientScope as exc:
            await _refuse(send, 403, exc)
            return
        try:
            manager = await self._ready()
        except Unavailable as exc:
            await _refuse(send, 503, exc)
            return
        await manager.handle_request(scope, receive, send)


class Unavailable(PunchcardError):
    code = "SERVICE_UNAVAILABLE"


async def _refuse(send: Send, status: int, exc: PunchcardError) -> None:
    body = json.dumps({"error": {"code": exc.code, "message": exc.message, "field": None}})
    headers = [(b"content-type", b"application/json")]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="punchcard"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})
