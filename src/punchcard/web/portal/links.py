"""The member portal's magic link (confirm, consume): the AddGlow face's links and the
portal's own sign-in mails both end here.

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

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from punchcard.errors import Forbidden, NotFound, PunchcardError
from punchcard.identity import member_sessions
from punchcard.magiclinks import service as links
from punchcard.web import pages
from punchcard.web.csrf import cross_site
from punchcard.web.run import in_transaction

router = APIRouter(include_in_schema=False)


def _failed(exc: PunchcardError) -> HTMLResponse:
    if isinstance(exc, links.LinkGone):
        return pages.link_gone()
    if isinstance(exc, NotFound):
        return pages.link_not_found()
    if isinstance(exc, Forbidden) and exc.code == "MEMBER_BANNED":
        return pages.message("Sign-in refused", "This account cannot sign in.", status=403)
    return pages.message("Sign-in failed", exc.message, status=503)


@router.get("/portal/{partner_id}/magic/{token}", response_class=HTMLResponse)
def confirm_link(request: Request, partner_id: str, token: str) -> Response:
    """The confirmation page: reads the link, uses nothing."""
    try:
        pending = in_transaction(
            request, lambda s: links.peek(s, partner_id=partner_id, token=token), write=False
        )
    except PunchcardError as exc:
        return _failed(exc)
    page = pages.confirm(pending.tenant.name, request.url.path)
    # "no-referrer" would make the browser send ``Origin: null`` with the button's POST,
    # which ``cross_site`` refuses; "same-origin" sends the real origin to us alone (the
    # page loads nothing from elsewhere, so the token in its URL still leaves no Referer).
    page.headers["Referrer-Policy"] = "same-origin"
    return page


@router.post("/portal/{partner_id}/magic/{token}", response_class=HTMLResponse)
def consume_link(request: Request, partner_id: str, token: str) -> Response:
    """Use the link once: the portal cookie and a 303 to ``returnTo`` with ``state``."""
    if cross_site(request):
        return pages.message(
            "Sign-in refused", "Open the sign-in link itself to sign in.", status=403
        )
    try:
        signed = in_transaction(
            request, lambda s: links.consume(s, partner_id=partner_id, token=token), write=True
        )
    except PunchcardError as exc:
        return _failed(exc)
    response = RedirectResponse(signed.redirect, status_code=303, headers=pages.HEADERS)
    set_portal_cookie(request, response, signed.session_token)
    return response


def set_portal_cookie(request: Request, response: Response, token: str) -> None:
    """The portal's member session cookie, for every way in (magic link, SSO hand-off)."""
    response.set_cookie(
        member_sessions.PORTAL_COOKIE,
        token,
        max_age=links.PORTAL_SESSION_SECONDS,
        path="/",
        # uvicorn rewrites the scheme from X-Forwarded-Proto only for the proxies it
        # trusts (--forwarded-allow-ips), so a client cannot switch Secure off.
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
