"""``/me``: the signed-in member's own API, for the portal and widgets (SPEC §3).

Only a member principal gets in (a portal session or the ``sessionToken`` of SSO
``recognize``, as a bearer); an API key or a dashboard user is refused (403), since
"me" is nobody for them (``INSUFFICIENT_SCOPE``, as for a missing scope).
Sub-resources (balance, history, rewards, ...) join here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from punchcard.api.common.auth import SCOPE_ATTR, read_bearer
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.members import MemberRead
from punchcard.errors import InsufficientScope
from punchcard.identity.principal import Principal
from punchcard.members import service

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Me"])

# The requirement written into OpenAPI's ``x-required-scope`` for member-only routes.
MEMBER_SESSION = "member-session"


async def _member(
    request: Request, principal: Annotated[Principal, Depends(read_bearer)]
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
