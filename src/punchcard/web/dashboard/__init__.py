"""The merchant dashboard at ``/dashboard/``: server-rendered pages (Jinja2, htmx) over
the core's services, for a tenant's users (``session.py``: login cookie, roles, CSRF,
audit). One module per area, each with its own ``router`` and its templates under
``templates/dashboard/<area>/``; :data:`NAV` is the menu every page shows."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from punchcard.errors import NotFound
from punchcard.web.dashboard import (
    audit_log,
    community,
    keys,
    login,
    member_mail,
    members,
    orders,
    overview,
    password,
    programs,
    settings,
    team,
    webhooks,
)
from punchcard.web.dashboard.session import Ctx, error_page, view

# (label, path): the menu, in the order a merchant reaches for it.
NAV: list[tuple[str, str]] = [
    ("Overview", "/dashboard/"),
    ("Members", "/dashboard/members"),
    ("Programs", "/dashboard/programs"),
    ("Community", "/dashboard/community"),
    ("Orders", "/dashboard/orders"),
    ("Webhooks", "/dashboard/webhooks"),
    ("API keys", "/dashboard/keys"),
    ("Audit log", "/dashboard/audit"),
    ("Settings", "/dashboard/settings"),
    ("Team", "/dashboard/team"),
]

ROUTERS: list[APIRouter] = [
    login.router,
    overview.router,
    members.router,
    programs.router,
    community.router,
    orders.router,
    webhooks.router,
    keys.router,
    audit_log.router,
    member_mail.router,
    settings.router,
    team.router,
    password.router,
]


def install(app: FastAPI) -> None:
    @app.get("/dashboard", include_in_schema=False)
    async def dashboard_root() -> RedirectResponse:
        return RedirectResponse("/dashboard/", status_code=307)

    for router in ROUTERS:
        app.include_router(router)

    @app.api_route("/dashboard/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    async def no_such_page(request: Request, rest: str) -> Response:
        """Any other dashboard path: the login first, then a 404 page (never the API's
        JSON)."""

        def missing(ctx: Ctx) -> Response:
            return error_page(request, NotFound("There is no such page"), ctx)

        return await view(request, missing)
