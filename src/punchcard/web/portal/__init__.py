"""The member portal at ``/portal/{partnerId}/``: server-rendered pages for a tenant's
members, signed in with the portal cookie (a member principal, ``session.py``). The
magic link (``links.py``) is shared with the AddGlow face and the portal's own sign-in
mails (``join.py``: join / sign in, sign out); ``sso.py`` is the SSO hand-off;
``returnTo`` paths resolve here. One module per group of pages, each with its own
``router``; :data:`NAV` is the menu of a signed-in member."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from punchcard.web.portal import home, join, links, pages, sso

# (label, path under /portal/{partnerId}).
NAV: list[tuple[str, str]] = [
    ("Home", "/"),
    ("History", "/history"),
    ("Rewards", "/rewards"),
    ("Coupons", "/coupons"),
    ("Refer", "/referrals"),
    ("Quests", "/quests"),
    ("Ideas", "/ideas"),
    ("Testimonials", "/testimonials"),
    ("Community", "/rooms"),
]

# In order: the catch-all of ``home`` comes last.
ROUTERS: list[APIRouter] = [links.router, join.router, sso.router, pages.router, home.router]


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
