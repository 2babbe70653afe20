"""ShopSocially's credentials: the ``partner-id`` and ``api-key`` headers.

``api-key`` is a Punchcard API key (``fl_live_…``) and ``partner-id`` the public
partner id of the tenant that owns it. Both are resolved in their own short read
session (the request's write transaction has not started); a missing, unknown,
revoked or mismatched pair is 401 "authentication failure". Then the shared steps:
the scope check (403) and the Idempotency-Key claim.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from punchcard.api.common.auth import SCOPE_ATTR, authorize
from punchcard.db.uow import Database
from punchcard.errors import Unauthenticated
from punchcard.identity import cache as key_cache
from punchcard.identity import service as identity
from punchcard.identity.principal import Principal
from punchcard.kit.crypto import hash_token
from punchcard.tenants import service as tenants

partner_header = APIKeyHeader(
    name="partner-id",
    scheme_name="PartnerId",
    description="Your Punchcard tenant's partner id",
    auto_error=False,
)
key_header = APIKeyHeader(
    name="api-key",
    scheme_name="ApiKey",
    description="A Punchcard API key (`fl_live_…`) of that tenant",
    auto_error=False,
)


def _resolve(db: Database, partner_id: str, api_key: str, cache_key: str) -> Principal:
    with db.transaction(write=False) as session:
        principal = identity.authenticate(session, api_key)
        tenant = tenants.get_by_partner_id(session, partner_id)
    if principal.api_key_id is None or tenant is None or tenant.id != principal.tenant_id:
        # The same answer whichever half is wrong: no probing for valid partner ids.
        raise Unauthenticated("authentication failure")
    key_cache.api_keys.put(cache_key, principal)
    return principal


def require(scope: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that resolves the two headers and demands ``scope``."""

    async def dependency(
        request: Request,
        partner_id: Annotated[str | None, Security(partner_header)],
        api_key: Annotated[str | None, Security(key_header)],
    ) -> Principal:
        if not partner_id or not api_key:
            raise Unauthenticated("authentication failure")
        partner_id, api_key = partner_id.strip(), api_key.strip()
        # The pair (not the key alone) is what was checked: cache it as a pair, for the
        # same second as the native face's keys (revocation drops it by key id).
        cache_key = f"{hash_token(api_key)}|{partner_id}"
        principal = key_cache.api_keys.get(cache_key)
        if principal is None:
            db: Database = request.app.state.db
            principal = await run_in_threadpool(_resolve, db, partner_id, api_key, cache_key)
        return await authorize(request, principal, scope)

    setattr(dependency, SCOPE_ATTR, scope)
    return dependency


def scoped(scope: str) -> Any:
    return Annotated[Principal, Depends(require(scope))]


MembersRead = scoped("members:read")
MembersWrite = scoped("members:write")
PointsRead = scoped("points:read")
PointsWrite = scoped("points:write")
RewardsRead = scoped("rewards:read")
RewardsWrite = scoped("rewards:write")
OrdersWrite = scoped("orders:write")
