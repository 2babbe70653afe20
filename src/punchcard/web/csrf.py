"""Cross-site request forgery: every form and every htmx request that changes something
carries a token that a page of ours gave it.

Double submit: the token is a random value in a cookie (``punchcard_csrf``, HttpOnly,
SameSite=Strict, Secure over HTTPS) and in each form's hidden ``csrf`` field (htmx sends
it as the ``X-CSRF-Token`` header, set once on ``<body hx-headers>``). Another site can
make a browser send our cookie but cannot read it, so it cannot put the same value in
the form. A request whose ``Origin`` or ``Sec-Fetch-Site`` says another site sent it is
refused as well, token or not.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from punchcard.errors import Forbidden
from punchcard.kit.crypto import random_token

COOKIE = "punchcard_csrf"
FIELD = "csrf"
HEADER = "x-csrf-token"


class CsrfRefused(Forbidden):
    """A change without this site's token, or sent from another site."""

    def __init__(self) -> None:
        super().__init__(
            "This form has expired or came from another site. Reload the page and try again.",
            code="CSRF_REFUSED",
        )


def token(request: Request) -> str:
    """The request's token: the cookie's, or a new one (set on the answer by
    :func:`set_cookie`)."""
    current = getattr(request.state, "csrf_token", None)
    if current is None:
        current = request.cookies.get(COOKIE) or random_token(24)
        request.state.csrf_token = current
    return str(current)


def set_cookie(request: Request, response: Response, value: str) -> None:
    if request.cookies.get(COOKIE) == value:
        return
    response.set_cookie(
        COOKIE,
        value,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


def cross_site(request: Request) -> bool:
    """True when the browser says the request came from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False  # not a browser's cross-origin post (or a very old browser)
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


async def checked_form(request: Request) -> FormData:
    """The request's form, once its token matches the cookie's; CsrfRefused otherwise."""
    form = await request.form()
    sent = request.headers.get(HEADER) or form.get(FIELD)
    expected = request.cookies.get(COOKIE)
    if (
        cross_site(request)
        or not isinstance(sent, str)
        or not expected
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfRefused()
    return form
