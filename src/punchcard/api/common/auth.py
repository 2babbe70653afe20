"""Auth declared as dependencies, never coded in handlers.

Each face has a credential reader (the native face's is :func:`read_bearer`) that
resolves its credentials to a ``Principal`` through :func:`cached_principal` (one
per-process cache, a short read session of its own). :func:`require` then does the
steps every face shares (:func:`authorize`): record the principal for the audit log,
count the request against its API key's plan (429, ``ratelimit.py``), check the scope
(403), and, for a POST that carries an ``Idempotency-Key``, claim the
key or replay the stored response.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from punchcard.api.common import ratelimit
from punchcard.api.common.routing import IdempotentReplay, current_unit
from punchcard.db.uow import Database, retry_lost
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


CredentialReader = Callable[..., Awaitable[Principal]]
"""A face's credential reader: a FastAPI dependency that reads the face's credentials
from the request and answers the ``Principal`` they name (401 if none)."""


def resolve_principal(
    db: Database, resolve: Callable[[Session], Principal], cache_key: str
) -> Principal:
    """``resolve(session)`` in a short read of its own, the key's plan refreshed in it, a
    lost connection retried; cached under ``cache_key`` unless it is empty."""

    def run() -> Principal:
        with db.transaction(write=False) as session:
            principal = resolve(session)
            # The key's plan, fresh as of this lookup (no hop, one small statement).
            ratelimit.refresh_plan(session, principal)
            return principal

    principal = retry_lost(run)
    if cache_key:
        key_cache.api_keys.put(cache_key, principal)
    return principal


async def cached_principal(
    request: Request, cache_key: str, resolve: Callable[[Session], Principal]
) -> Principal:
    """The principal for credentials seen in the last second (``cache_key``: a digest of
    everything that was checked, never the plaintext; empty: do not cache), else
    ``resolve(session)`` in a short read session of its own (the request's write
    transaction has not started): in a thread, or on the event loop where reads run
    there (SQLite, ``Database.inline_reads``: a WAL read never waits for a lock).
    Revoking a key drops its entries by key id; an expired key's entry is not served."""
    db: Database = request.app.state.db
    principal = key_cache.api_keys.get(cache_key, db.clock.now()) if cache_key else None
    if principal is None:
        if db.inline_reads:
            principal = resolve_principal(db, resolve, cache_key)
        else:
            principal = await run_in_threadpool(resolve_principal, db, resolve, cache_key)
    request.state.principal = principal
    return principal


async def read_bearer(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    """The native face's credential reader: ``Authorization: Bearer`` with an API key
    or a session token."""
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("Missing Authorization: Bearer credentials")
    token = credentials.credentials
    # An API key seen in the last second resolves from the cache, on the event loop
    # (one SHA-256); anything else (a session token) is looked up in a thread.
    digest = hash_token(token) if token.startswith(identity.API_KEY_PREFIX) else ""
    return await cached_principal(
        request, digest, lambda session: identity.authenticate(session, token)
    )


async def _idempotency(request: Request, principal: Principal) -> None:
    key = request.headers.get("idempotency-key")
    if request.method != "POST" or key is None:
        return
    settings = request.app.state.settings
    fingerprint = body_fingerprint(request.method, request.url.path, await request.body())
    unit = current_unit()
    if unit is not None and unit.batched:
        # A grouped write claims inside its own savepoint (its batch holds the write
        # lock), first thing in the request's one hop to the batch's thread: the
        # route runs ``pending_claim`` there before the handler (or, if the request
        # fails before its handler runs, before its error is answered).
        session = unit.session

        def pending() -> None:
            _claimed(
                request,
                idempotency.claim_in(
                    session,
                    principal.tenant_id,
                    key,
                    fingerprint,
                    ttl_seconds=settings.idempotency_ttl_seconds,
                    stale_seconds=settings.idempotency_stale_seconds,
                ),
            )

        unit.pending_claim = pending
        return
    # Any other claims in a transaction of its own, committed at once.
    result = await run_in_threadpool(
        functools.partial(idempotency.claim, request.app.state.db),
        principal.tenant_id,
        key,
        fingerprint,
        ttl_seconds=settings.idempotency_ttl_seconds,
        stale_seconds=settings.idempotency_stale_seconds,
    )
    _claimed(request, result)


def _claimed(request: Request, result: idempotency.Claim | idempotency.StoredResponse) -> None:
    """Replay a stored response, or keep the claim for the unit of work to complete."""
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
    it for the audit log, count it against its plan's rate limits (429), demand
    ``scope``, claim the Idempotency-Key (or replay)."""
    request.state.principal = principal
    await ratelimit.enforce(request, principal)
    if not principal.has(scope):
        raise InsufficientScope(f"This endpoint needs the {scope} scope")
    await _idempotency(request, principal)
    return principal


def require(scope: str, reader: CredentialReader = read_bearer) -> CredentialReader:
    """A dependency that reads a face's credentials with ``reader`` and then does what
    :func:`authorize` does. Marked with ``scope`` for the OpenAPI document and the
    surface tests (``x-required-scope``)."""

    # `reader` is a local: named in a default, not an annotation (with postponed
    # annotations FastAPI would look it up in this module's globals).
    async def dependency(request: Request, principal: Principal = Depends(reader)) -> Principal:
        return await authorize(request, principal, scope)

    setattr(dependency, SCOPE_ATTR, scope)
    return dependency


async def _admin_session(
    request: Request, principal: Annotated[Principal, Depends(read_bearer)]
) -> Principal:
    if not principal.is_user:
        raise Forbidden("API keys cannot manage API keys; use an owner or admin session token")
    if principal.role not in (Role.owner, Role.admin):
        raise Forbidden("Only an owner or admin may manage API keys")
    await _idempotency(request, principal)
    return principal


setattr(_admin_session, ADMIN_ATTR, True)


async def _privacy_admin(
    request: Request, principal: Annotated[Principal, Depends(read_bearer)]
) -> Principal:
    # Erasing or exporting everything about a person is the brand's decision, made by a
    # person: an owner's or admin's session, never an integration's API key.
    if not principal.is_user:
        raise Forbidden("Erasing or exporting a member needs an owner or admin session token")
    if principal.role not in (Role.owner, Role.admin):
        raise Forbidden("Only an owner or admin may erase or export a member")
    await _idempotency(request, principal)
    return principal


setattr(_privacy_admin, ADMIN_ATTR, True)


async def _any_user(
    request: Request, principal: Annotated[Principal, Depends(read_bearer)]
) -> Principal:
    if not principal.is_user:
        raise Forbidden("This endpoint needs a user session token, not an API key")
    await _idempotency(request, principal)
    return principal


setattr(_any_user, SCOPE_ATTR, "session")

AdminSession = Annotated[Principal, Depends(_admin_session)]
PrivacyAdmin = Annotated[Principal, Depends(_privacy_admin)]
UserSession = Annotated[Principal, Depends(_any_user)]


def scoped(scope: str, reader: CredentialReader = read_bearer) -> Any:
    """``Annotated[Principal, Depends(require(scope, reader))]`` — the type handlers
    declare."""
    return Annotated[Principal, Depends(require(scope, reader))]


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
CommunityRead = scoped("community:read")
CommunityWrite = scoped("community:write")
TrackingRead = scoped("tracking:read")
TrackingWrite = scoped("tracking:write")
SettingsRead = scoped("settings:read")
SettingsWrite = scoped("settings:write")
MetricsRead = scoped("metrics:read")
WebhooksRead = scoped("webhooks:read")
WebhooksWrite = scoped("webhooks:write")
