"""The dashboard's audit log (issue 14): the tenant's audit records (API calls and
dashboard changes), newest first, paged, filtered by who (a user or an API key) and
by path prefix; each names its caller by the user's email or the key's name. Read
with ``punchcard.audit.log``; owners and admins only (it lists every key's calls and
client addresses, as a key's activity is theirs only in the API)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from punchcard.audit import log
from punchcard.kit import ids
from punchcard.web.dashboard.ops_kit import admins_only, page_of, pager
from punchcard.web.dashboard.session import Ctx, view

router = APIRouter(include_in_schema=False)

PATH_MAX = 500


def _who(value: str) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The ``who`` filter: ``user_<hex>`` or ``key_<hex>`` (anything else: no filter)."""
    if value.startswith("user_"):
        return ids.parse("user", value), None
    if value.startswith("key_"):
        return None, ids.parse("key", value)
    return None, None


@router.get("/dashboard/audit")
async def audit_page(request: Request) -> Response:
    # Records are written in batches: write this process's pending ones out first.
    await run_in_threadpool(request.app.state.audit.flush)
    who = request.query_params.get("who", "")
    prefix = request.query_params.get("path", "").strip()[:PATH_MAX]

    def page(ctx: Ctx) -> Response:
        admins_only(ctx)
        current = page_of(request)
        user_id, key_id = _who(who)
        callers = log.callers(ctx.session, ctx.tenant.id)
        rows, total = log.records(
            ctx.session,
            ctx.tenant.id,
            page=current,
            filters=log.Filters(user_id=user_id, api_key_id=key_id, path_prefix=prefix or None),
        )
        return ctx.page(
            "dashboard/audit/list.html",
            title="Audit log",
            records=rows,
            callers=callers,
            who=who,
            path=prefix,
            pager=pager(request, current, total, who=who, path=prefix),
        )

    return await view(request, page)
