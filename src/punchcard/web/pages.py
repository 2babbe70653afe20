"""The server-rendered pages' HTML: small, static, every value escaped.

No template engine (jinja2 is not a dependency) and no script: each page is a string
built with :func:`html.escape` on every value that came from a request or a row.
"""

from __future__ import annotations

from html import escape

from fastapi.responses import HTMLResponse

# No script, no outside resource, no framing; forms post only back to Punchcard. The
# token sits in the page's URL, so no Referer leaves it and no cache keeps the page.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;"
    "color:#222}h1{font-size:1.4rem}button{font-size:1rem;padding:.6rem 1.4rem;"
    "border:0;border-radius:.4rem;background:#222;color:#fff;cursor:pointer}"
)


def page(title: str, body: str, *, status: int = 200) -> HTMLResponse:
    """A whole document; ``body`` is HTML already escaped by the caller."""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def confirm(brand: str, action: str) -> HTMLResponse:
    """The GET of a magic link: nothing is used until the member presses the button,
    which POSTs to the same URL (``action``)."""
    return page(
        f"Sign in to {brand}",
        f"<h1>Sign in to {escape(brand)}</h1>"
        "<p>Press the button to finish signing in. This link works once.</p>"
        f'<form method="post" action="{escape(action)}">'
        '<button type="submit">Sign in</button></form>',
    )


def message(title: str, text: str, *, status: int) -> HTMLResponse:
    return page(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>", status=status)


def link_not_found() -> HTMLResponse:
    return message(
        "Link not valid",
        "This sign-in link is not valid. Ask for a new one where you signed in.",
        status=404,
    )


def link_gone() -> HTMLResponse:
    return message(
        "Link expired",
        "This sign-in link was already used or has expired. Ask for a new one.",
        status=410,
    )


def portal(brand: str, name: str, balance: int) -> HTMLResponse:
    return page(
        brand,
        f"<h1>{escape(brand)}</h1><p>Signed in as <strong>{escape(name)}</strong>.</p>"
        f'<p>Points balance: <strong id="balance">{balance}</strong></p>',
    )


def sign_in_needed(brand: str | None) -> HTMLResponse:
    where = f" to {brand}" if brand else ""
    return message(
        f"Sign in{where}",
        "You are not signed in. Open the sign-in link you were sent to continue.",
        status=401,
    )
