"""The dashboard's overview at ``/dashboard/`` (issue 14: KPI cards and charts over a
period, from the core's metrics service)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from punchcard.web.dashboard.session import Ctx, view

router = APIRouter(include_in_schema=False)


@router.get("/dashboard/")
async def overview(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        return ctx.page("dashboard/overview.html", title="Overview")

    return await view(request, page)
