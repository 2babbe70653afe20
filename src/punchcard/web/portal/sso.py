"""The member portal's SSO hand-off.

``GET /portal/{partnerId}/sso?sessionToken=…``: the member session token the SSO
``recognize`` endpoint handed the merchant's widget. The GET only reads: a valid token
of this tenant gets a "Continue to <brand>'s portal" button, anything else the page
saying the link is not valid (401); no session is opened and no cookie set, so a link
scanner that fetches the URL changes nothing. The button POSTs the token (a hidden
``sessionToken`` field) to the same path, which is refused when ``Origin`` (or
``Sec-Fetch-Site``) says another site sent it — as the magic link's POST in
``links.py``, so no other site can sign a visitor in to a member of its choosing (login
CSRF) — and otherwise opens a portal session of its own (the widget's token is not made
the cookie) and redirects (303) home with the portal cookie.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from punchcard.errors import Unauthenticated
from punchcard.identity import member_sessions
from punchcard.magiclinks import service as links
from punchcard.members import service as members
from punchcard.models import Member, Tenant
from punchcard.web import csrf
from punchcard.web.portal.links import set_portal_cookie
from punchcard.web.portal.session import NoSuchPortal, not_found_page, tenant_of
from punchcard.web.run import in_thread
from punchcard.web.templating import render

router = APIRouter(include_in_schema=False)


def _sso_member(session: Session, partner_id: str, token: str) -> tuple[Tenant, Member | None]:
    """The portal's tenant, and the member whose live SSO token of this tenant ``token``
    is (None for anything else: malformed, unknown, expired, revoked, banned, another
    tenant's). Reads only."""
    tenant = tenant_of(session, partner_id)
    if not member_sessions.is_member_token(token):
        return tenant, None
    try:
        principal = member_sessions.resolve(session, token)
    except Unauthenticated:
        return tenant, None
    if principal.tenant_id != tenant.id or principal.member_id is None:
        return tenant, None
    return tenant, members.get(session, principal, member_id=principal.member_id)


def _sso_not_valid(request: Request, tenant: Tenant) -> HTMLResponse:
    return render(
        request,
        "portal/message.html",
        status=401,
        tenant=tenant,
        title="Sign-in link not valid",
        message="This sign-in link is not valid or has expired. Sign in with your email.",
    )


@router.get("/portal/{partner_id}/sso", response_class=HTMLResponse)
async def sso_confirm(request: Request, partner_id: str) -> Response:
    """The SSO hand-off's confirmation page: checks the ``sessionToken``, opens nothing."""
    token = request.query_params.get("sessionToken", "")
    try:
        tenant, member = await in_thread(
            request, lambda s: _sso_member(s, partner_id, token), write=False
        )
    except NoSuchPortal:
        return not_found_page(request)
    if member is None:
        return _sso_not_valid(request, tenant)
    # render's "Referrer-Policy: same-origin" matters here as on the magic link's page:
    # "no-referrer" would make Chromium send the button's POST with ``Origin: null``,
    # which ``cross_site`` refuses.
    return render(
        request, "portal/sso.html", tenant=tenant, title=f"Sign in to {tenant.name}", token=token
    )


@router.post("/portal/{partner_id}/sso", response_class=HTMLResponse)
async def sso(request: Request, partner_id: str) -> Response:
    """The SSO ``sessionToken`` (form field) opens a portal session of this tenant's
    member: the portal cookie and a 303 home."""
    if csrf.cross_site(request):
        return render(
            request,
            "portal/message.html",
            status=403,
            tenant=None,
            title="Sign-in refused",
            message="Open the sign-in link itself to sign in.",
        )
    sent = (await request.form()).get("sessionToken")
    token = sent if isinstance(sent, str) else ""

    def work(session: Session) -> tuple[Tenant, str | None]:
        tenant, member = _sso_member(session, partner_id, token)
        if member is None:
            return tenant, None
        opened = member_sessions.open_session(
            session,
            member,
            kind=member_sessions.MemberSessionKind.portal,
            ttl_seconds=links.PORTAL_SESSION_SECONDS,
        )
        return tenant, opened.token

    try:
        tenant, opened = await in_thread(request, work, write=True)
    except NoSuchPortal:
        return not_found_page(request)
    if opened is None:
        return _sso_not_valid(request, tenant)
    response = RedirectResponse(f"/portal/{tenant.partner_id}/", status_code=303)
    set_portal_cookie(request, response, opened)
    return response
