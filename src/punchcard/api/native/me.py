"""``/me``: the signed-in member's own API, for the portal and widgets (SPEC §3).

Only a member principal gets in (a portal session or the ``sessionToken`` of SSO
``recognize``, as a bearer, or the portal's session cookie that a consumed magic link
sets); an API key or a dashboard user is refused (403), since "me" is nobody for them
(``INSUFFICIENT_SCOPE``, as for a missing scope). The cookie is read only here, and
only as a member token: an API key never comes from a cookie, and no other route
reads it. (CSRF: the cookie is ``SameSite=Lax``, so another site's POST carries none.)
Sub-resources (balance, history, rewards, ...) join here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from punchcard.api.common.auth import SCOPE_ATTR, bearer, cached_principal, read_bearer
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.members import MemberRead
from punchcard.errors import InsufficientScope, Unauthenticated
from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.members import service

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Me"])

# The requirement written into OpenAPI's ``x-required-scope`` for member-only routes.
MEMBER_SESSION = "member-session"


async def read_member(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    """A bearer token as the face reads it; without one, the portal cookie, resolved
    as a member session only (never cached, like every member token)."""
    if credentials is not None and credentials.credentials:
        return await read_bearer(request, credentials)
    token = request.cookies.get(member_sessions.PORTAL_COOKIE)
    if not token or not member_sessions.is_member_token(token):
        raise Unauthenticated("Missing Authorization: Bearer credentials or portal session")
    return await cached_principal(
        request, "", lambda session: member_sessions.resolve(session, token)
    )


# The face's own reader is what this one reads first (tests/api/test_faces.py follows it).
READS_ATTR = "__punchcard_reads__"
setattr(read_member, READS_ATTR, read_bearer)


async def _member(
    request: Request, principal: Annotated[Principal, Depends(read_member)]
) -> Principal:
    request.state.principal = principal
    if not principal.is_member or principal.member_id is None:
        # A key or a user lacks what this route needs, as a key lacks a scope.
        raise InsufficientScope(
            "This endpoint is for a signed-in member (a portal or SSO session token)"
        )
    return principal


setattr(_member, SCOPE_ATTR, MEMBER_SESSION)

MemberSession = Annotated[Principal, Depends(_member)]


@router.get("/me", response_model=MemberRead)
def get_me(p: MemberSession, session: DbSession) -> MemberRead:
    """The signed-in member's own profile (member session tokens only)."""
    assert p.member_id is not None
    return MemberRead.of_row(service.read_row(session, p, member_id=p.member_id))
