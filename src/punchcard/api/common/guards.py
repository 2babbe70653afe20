"""An ASGI guard for input no handler should ever see: NUL characters in the path or
query string (PostgreSQL text cannot hold them; SQLite can, so without this guard
the two databases would answer differently)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from punchcard.api.common.errors import render
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
