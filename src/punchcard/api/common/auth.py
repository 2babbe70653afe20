"""Auth declared as dependencies, never coded in handlers.

``Principal`` resolution reads the bearer token in its own short session (so the
request's write transaction has not started yet), checks the scope, and, for a POST
that carries an ``Idempotency-Key``, claims the key or replays the stored response.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from punchcard.api.common.routing import IdempotentReplay, current_unit
from punchcard.db.uow import Database
from punchcard.errors import Forbidden, InsufficientScope, Unauthenticated
from punchcard.idempotency import service as idempotency
from punchcard.identity import cache as key_cache
from punchcard.identity import service as identity
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import Role
from punchcard.kit.crypto import body_fingerprint, hash_token

bearer = HTTPBearer(auto_error=False, description="`fl_live_…` API key or a session token")

SCOPE_ATTR = "__punchcard_scope__"
ADMIN_ATTR = "__punchcard_admin_session__"


def _resolve(db: Database, token: str, digest: str) -> Principal:
    with db.transaction(write=False) as session:
        principal = identity.authenticate(session, token)
    if digest:
        key_cache.api_keys.put(digest, principal)
    return principal


async def authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("Missing Authorization: Bearer credentials")
    token = credentials.credentials
    # An API key seen in the last second resolves from the cache, on the event loop
    # (one SHA-256); anything else is looked up in a thread.
    digest = hash_token(token) if token.startswith(identity.API_KEY_PREFIX) else ""
    principal = key_cache.api_keys.get(digest) if digest else None
    if principal is None:
        principal = await run_in_threadpool(_resolve, request.app.state.db, token, digest)
    request.state.principal = principal
    return principal


async def _idempotency(request: Request, principal: Principal) -> None:
    key = request.headers.get("idempotency-key")
    if request.method != "POST" or key is None:
        return
    settings = request.app.state.settings
    fingerprint = body_fingerprint(request.method, request.url.path, await request.body())
    unit = current_unit()
    # A grouped write claims inside its own savepoint (its batch holds the write lock);
    # any other claims in a transaction of its own, committed at once.
    claim = (
        functools.partial(idempotency.claim_in, unit.session)
        if unit is not None and unit.batched
        else functools.partial(idempotency.claim, request.app.state.db)
    )
    result = await run_in_threadpool(
        claim,
        principal.tenant_id,
        key,
        fingerprint,
        ttl_seconds=settings.idempotency_ttl_seconds,
        stale_seconds=settings.idempotency_stale_seconds,
    )
    if isinstance(result, idempotency.StoredResponse):
        raise IdempotentReplay(
            Response(
                content=result.body,
                status_code=result.status,
                media_type=result.media_type,
                headers={"Idempotent-Replayed": "true"},
            )
        )
    request.state.idempotency_claim = result


async def authorize(request: Request, principal: Principal, scope: str) -> Principal:
    """What every face does once its own credentials resolved to ``principal``: record
    it for the audit log, demand ``scope``, claim the Idempotency-Key (or replay)."""
    request.state.principal = principal
    if not principal.has(scope):
        raise InsufficientScope(f"This endpoint needs the {scope} scope")
    await _idempotency(request, principal)
    return principal


def require(scope: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that authenticates and demands ``scope``."""

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> Principal:
        principal = await authenticate(request, credentials)
        if not principal.has(scope):
            raise InsufficientScope(f"This endpoint needs the {scope} scope")
        await _idempotency(request, principal)
        return principal

    setattr(dependency, SCOPE_ATTR, scope)
    return dependency


async def _admin_session(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    principal = await authenticate(request, credentials)
    if not principal.is_user:
        raise Forbidden("API keys cannot manage API keys; use an owner or admin session token")
    if principal.role not in (Role.owner, Role.admin):
        raise Forbidden("Only an owner or admin may manage API keys")
    await _idempotency(request, principal)
    return principal


setattr(_admin_session, ADMIN_ATTR, True)


async def _any_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    principal = await authenticate(request, credentials)
    if not principal.is_user:
        raise Forbidden("This endpoint needs a user session token, not an API key")
    await _idempotency(request, principal)
    return principal


setattr(_any_user, SCOPE_ATTR, "session")

AdminSession = Annotated[Principal, Depends(_admin_session)]
UserSession = Annotated[Principal, Depends(_any_user)]


def scoped(scope: str) -> Any:
    """``Annotated[Principal, Depends(require(scope))]`` — the type handlers declare."""
    return Annotated[Principal, Depends(require(scope))]


# The aliases handlers use: ``def list_stores(p: StoresRead, ...)``.
StoresRead = scoped("stores:read")
StoresWrite = scoped("stores:write")
MembersRead = scoped("members:read")
MembersWrite = scoped("members:write")
PointsRead = scoped("points:read")
PointsWrite = scoped("points:write")
OrdersRead = scoped("orders:read")
OrdersWrite = scoped("orders:write")
CatalogRead = scoped("catalog:read")
CatalogWrite = scoped("catalog:write")
TagsRead = scoped("tags:read")
TagsWrite = scoped("tags:write")
CapturesRead = scoped("captures:read")
CapturesWrite = scoped("captures:write")
CouponsRead = scoped("coupons:read")
CouponsWrite = scoped("coupons:write")
RewardsRead = scoped("rewards:read")
RewardsWrite = scoped("rewards:write")
AmbassadorRead = scoped("ambassador:read")
AmbassadorWrite = scoped("ambassador:write")
TrackingRead = scoped("tracking:read")
TrackingWrite = scoped("tracking:write")
SettingsRead = scoped("settings:read")
SettingsWrite = scoped("settings:write")
MetricsRead = scoped("metrics:read")
WebhooksRead = scoped("webhooks:read")
WebhooksWrite = scoped("webhooks:write")
