"""ShopSocially's credentials: the ``partner-id`` and ``api-key`` headers.

``api-key`` is a Punchcard API key (``fl_live_…``) and ``partner-id`` the public
partner id of the tenant that owns it. Both are resolved in their own short read
session (the request's write transaction has not started); a missing, unknown,
revoked or mismatched pair is 401 "authentication failure". Then the steps every face
shares (``api.common.auth.require``): the scope check (403) and the Idempotency-Key
claim.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from punchcard.api.common.auth import cached_principal
from punchcard.api.common.auth import scoped as common_scoped
from punchcard.errors import Unauthenticated
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


async def read_credentials(
    request: Request,
    partner_id: Annotated[str | None, Security(partner_header)],
    api_key: Annotated[str | None, Security(key_header)],
) -> Principal:
    """The face's credential reader: the ``partner-id`` and ``api-key`` pair."""
    if not partner_id or not api_key:
        raise Unauthenticated("authentication failure")
    partner, key = partner_id.strip(), api_key.strip()

    def resolve(session: Session) -> Principal:
        principal = identity.authenticate(session, key)
        tenant = tenants.get_by_partner_id(session, partner)
        if principal.api_key_id is None or tenant is None or tenant.id != principal.tenant_id:
            # The same answer whichever half is wrong: no probing for valid partner ids.
            raise Unauthenticated("authentication failure")
        return principal

    # The pair (not the key alone) is what was checked: cache it as a pair, for the
    # same second as the native face's keys (revocation drops it by key id).
    return await cached_principal(request, f"{hash_token(key)}|{partner}", resolve)


def scoped(scope: str) -> Any:
    """``Annotated[Principal, Depends(require(scope, read_credentials))]``."""
    return common_scoped(scope, read_credentials)


MembersRead = scoped("members:read")
MembersWrite = scoped("members:write")
PointsRead = scoped("points:read")
PointsWrite = scoped("points:write")
RewardsRead = scoped("rewards:read")
RewardsWrite = scoped("rewards:write")
OrdersWrite = scoped("orders:write")
