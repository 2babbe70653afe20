"""The portal's home at ``/portal/{partnerId}/`` (issue 14 builds it: balance, tier,
expiries, the check-in QR code); until then the minimal signed-in page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from punchcard.errors import Unauthenticated
from punchcard.identity import member_sessions
from punchcard.members import service as members
from punchcard.tenants.service import get_by_partner_id
from punchcard.web import pages
from punchcard.web.run import in_transaction

router = APIRouter(include_in_schema=False)


def _portal(request: Request, partner_id: str) -> Response:
    token = request.cookies.get(member_sessions.PORTAL_COOKIE)

    def read(session: Session) -> Response:
        tenant = get_by_partner_id(session, partner_id)
        if tenant is None:
            return pages.message("Not found", "There is no such portal.", status=404)
        if token is None or not member_sessions.is_member_token(token):
            return pages.sign_in_needed(tenant.name)
        try:
            principal = member_sessions.resolve(session, token)
        except Unauthenticated:
            return pages.sign_in_needed(tenant.name)
        if principal.tenant_id != tenant.id or principal.member_id is None:
            return pages.sign_in_needed(tenant.name)
        member = members.get(session, principal, member_id=principal.member_id)
        name = members.full_name(member.first_name, member.last_name)
        return pages.portal(tenant.name, name or member.email or "member", member.points_balance)

    return in_transaction(request, read, write=False)


@router.get("/portal/{partner_id}", response_class=HTMLResponse)
def portal_home(request: Request, partner_id: str) -> Response:
    """The signed-in member's page (name and balance), read with the portal cookie."""
    return _portal(request, partner_id)


@router.get("/portal/{partner_id}/{rest:path}", response_class=HTMLResponse)
def portal_page(request: Request, partner_id: str, rest: str) -> Response:
    """Any ``returnTo`` path: the same page until the portal issue builds its pages."""
    return _portal(request, partner_id)
