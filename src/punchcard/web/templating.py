"""Jinja2 templates for the dashboard and the member portal, and how a page answers.

Every value is escaped (autoescape on every ``.html`` template); an undefined name is an
error, not an empty string (``StrictUndefined``). :func:`render` adds what every page
needs — the CSRF token (``csrf_token``), the signed-in user or member the handler set —
and the security headers: scripts and styles from Punchcard only (htmx is vendored in
``static/htmx``), no framing, no referrer leaving the site, nothing cached.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from punchcard.web import csrf

# Scripts and styles from our own origin only; images from ours and data: URIs (the QR
# code is inline SVG, a member's picture may be anywhere on https).
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

ENV = Environment(
    loader=PackageLoader("punchcard.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """``template`` rendered with ``context``, the request, its CSRF token and whoever
    is signed in (``request.state.user`` / ``member``, when a handler set them)."""
    token = csrf.token(request)
    html = ENV.get_template(template).render(
        request=request,
        csrf_token=token,
        user=getattr(request.state, "user", None),
        member=getattr(request.state, "member", None),
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers={**HEADERS, **(headers or {})})
    csrf.set_cookie(request, response, token)
    return response


def fragment(request: Request, template: str, **context: Any) -> str:
    """A partial template rendered to a string (an htmx swap, a piece of a page)."""
    return ENV.get_template(template).render(
        request=request, csrf_token=csrf.token(request), **context
    )
