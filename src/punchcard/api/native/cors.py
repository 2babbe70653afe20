"""CORS for ``/api/v2/me`` (the storefront widgets' API), and for nothing else.

A tenant lists its storefront origins (``storefrontOrigins``, tenant settings). The
widget on such a storefront calls ``/api/v2/me...`` from the browser with the member's
credentials (the portal cookie, or the SSO ``sessionToken`` as a bearer).

- **The actual request**: the answer carries ``Access-Control-Allow-Origin: <origin>``,
  ``Access-Control-Allow-Credentials: true`` and ``Vary: Origin`` only when ``Origin``
  is listed by the tenant of the member credential the request is answered for: the
  bearer when there is one, else the portal cookie (``me.read_member`` reads them in
  that order). Member tokens name their tenant (``member_sessions.claimed_tenant``); the
  name is not verified here, and need not be: the answer is computed from that very
  token, so a forged one reads only an error, and a genuine one reads its own member
  for an origin its own tenant listed. Errors (401, 404) carry the headers too, so a
  widget can tell "signed out" from a network failure.
- **The preflight** (``OPTIONS`` with ``Access-Control-Request-Method``) carries no
  credential, so no tenant: it is allowed (204 with the CORS headers) for an origin
  that ANY tenant lists, and the actual request then checks the member's own tenant
  as above. An origin no tenant lists gets a 204 without CORS headers (the browser
  then refuses the call). This lets a listed storefront learn only that its preflight
  passed, nothing about any member.
- Any other origin, or any other path: no CORS headers at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from punchcard.db.uow import Database
from punchcard.identity import member_sessions
from punchcard.tenants import service as tenants

PREFIX = "/api/v2/me"
ALLOW_METHODS = "GET, POST, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key"
MAX_AGE = "600"


def is_me_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _credential_tenant(headers: Headers) -> uuid.UUID | None:
    """The tenant named by the credential ``/me`` will read: the bearer, else the cookie."""
    auth = headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return member_sessions.claimed_tenant(token.strip())
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == member_sessions.PORTAL_COOKIE and value:
            return member_sessions.claimed_tenant(value)
    return None


def cors_headers(origin: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-credentials", b"true"),
        (b"vary", b"Origin"),
    ]


class MeCors:
    """ASGI middleware: the CORS answers of ``/api/v2/me`` paths (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_me_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if not origin:
            await self.app(scope, receive, send)
            return
        db: Database = scope["app"].state.db
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(db, origin, send)
            return
        tenant_id = _credential_tenant(headers)
        allowed = tenant_id is not None and await run_in_threadpool(
            _read, db, lambda s: tenants.origin_allowed(s, tenant_id, origin)
        )
        if not allowed:
            await self.app(scope, receive, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                vary = [v for k, v in message.get("headers", []) if k.lower() == b"vary"]
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"vary", b"access-control-allow-origin")
                ]
                added = cors_headers(origin)
                if vary:
                    added[-1] = (b"vary", b", ".join([*vary, b"Origin"]))
                message["headers"] = kept + added
            await send(message)

        await self.app(scope, receive, with_cors)

    async def _preflight(self, db: Database, origin: str, send: Send) -> None:
        listed = await run_in_threadpool(_read, db, lambda s: tenants.origin_listed(s, origin))
        headers: list[tuple[bytes, bytes]] = [(b"content-length", b"0")]
        if listed:
            headers += cors_headers(origin)
            headers += [
                (b"access-control-allow-methods", ALLOW_METHODS.encode()),
                (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
                (b"access-control-max-age", MAX_AGE.encode()),
            ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def _read(db: Database, work: Callable[[Session], bool]) -> bool:
    with db.transaction(write=False) as session:
        return work(session)
