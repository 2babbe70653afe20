"""The member portal's pages: the magic link (confirm, consume) and a minimal signed-in
page (the portal issue builds the real ones).

``GET /portal/{partnerId}/magic/{token}`` shows a "Sign in" button and uses nothing, so
a mail scanner that fetches the link spends nothing. The button POSTs to the same URL:
the token in it is the secret (no other credential is read), and a POST whose
``Origin`` (or ``Sec-Fetch-Site``) says it came from another site is refused, so no
other site can sign a visitor in to a member of its choosing. The answer sets the
portal cookie (``HttpOnly``, ``SameSite=Lax``, ``Path=/``, ``Secure`` over HTTPS) and
redirects (303) to ``/portal/{partnerId}`` + ``returnTo`` with ``state``.

Handlers are plain ``def`` (run in the thread pool) with a transaction of their own:
they are not a face's routes (no API credentials, HTML answers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from punchcard.db.uow import Database, retry_lost
from punchcard.errors import Forbidden, NotFound, PunchcardError, Unauthenticated
from punchcard.identity import member_sessions
from punchcard.magiclinks import service as links
from punchcard.members import service as members
from punchcard.tenants.service import get_by_partner_id
from punchcard.web import pages

router = APIRouter(include_in_schema=False)

_T = TypeVar("_T")


def _run(request: Request, work: Callable[[Session], _T], *, write: bool) -> _T:
    db: Database = request.app.state.db

    def once() -> _T:
        with db.transaction(write=write) as session:
            return work(session)

    return retry_lost(once)


def _failed(exc: PunchcardError) -> HTMLResponse:
    if isinstance(exc, links.LinkGone):
        return pages.link_gone()
    if isinstance(exc, NotFound):
        return pages.link_not_found()
    if isinstance(exc, Forbidden) and exc.code == "MEMBER_BANNED":
        return pages.message("Sign-in refused", "This account cannot sign in.", status=403)
    return pages.message("Sign-in failed", exc.message, status=503)


def _cross_site(request: Request) -> bool:
    """True when the browser says the POST came from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False  # not a browser form post from another origin (or an old one)
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


@router.get("/portal/{partner_id}/magic/{token}", response_class=HTMLResponse)
def confirm_link(request: Request, partner_id: str, token: str) -> Response:
    """The confirmation page: reads the link, uses nothing."""
    try:
        pending = _run(
            request, lambda s: links.peek(s, partner_id=partner_id, token=token), write=False
        )
    except PunchcardError as exc:
        return _failed(exc)
    return pages.confirm(pending.tenant.name, request.url.path)


@router.post("/portal/{partner_id}/magic/{token}", response_class=HTMLResponse)
def consume_link(request: Request, partner_id: str, token: str) -> Response:
    """Use the link once: the portal cookie and a 303 to ``returnTo`` with ``state``."""
    if _cross_site(request):
        return pages.message(
            "Sign-in refused", "Open the sign-in link itself to sign in.", status=403
        )
    try:
        signed = _run(
            request, lambda s: links.consume(s, partner_id=partner_id, token=token), write=True
        )
    except PunchcardError as exc:
        return _failed(exc)
    response = RedirectResponse(signed.redirect, status_code=303, headers=pages.HEADERS)
    response.set_cookie(
        member_sessions.PORTAL_COOKIE,
        signed.session_token,
        max_age=links.PORTAL_SESSION_SECONDS,
        path="/",
        # uvicorn rewrites the scheme from X-Forwarded-Proto only for the proxies it
        # trusts (--forwarded-allow-ips), so a client cannot switch Secure off.
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


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

    return _run(request, read, write=False)


@router.get("/portal/{partner_id}", response_class=HTMLResponse)
def portal_home(request: Request, partner_id: str) -> Response:
    """The signed-in member's page (name and balance), read with the portal cookie."""
    return _portal(request, partner_id)


@router.get("/portal/{partner_id}/{rest:path}", response_class=HTMLResponse)
def portal_page(request: Request, partner_id: str, rest: str) -> Response:
    """Any ``returnTo`` path: the same page until the portal issue builds its pages."""
    return _portal(request, partner_id)
