"""The advocate face, ``/api/v1``: the advocate-marketing API (``seeds/002_…``), so
that an integration written from that document runs against Punchcard with only the
base URL and key changed.

A translator, like every face: an advocate is a member, a reward a redemption option,
a referral code the member's own; each handler calls core services and renders the
document's shapes (``{advocates: [], total, page}``, ``{advocate}``, ...). Errors are
``{"error": {"code", "message", "field"}}`` with the document's statuses (business
refusals are 400: ``errors.py``). Ids are the native face's (``mem_…``, ``rwd_…``), so
an id read here works on ``/api/v2`` and back.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from punchcard.api.advocate import (
    advocates,
    errors,
    feedback,
    quests,
    referrals,
    rewards,
    sso,
    testimonials,
)
from punchcard.api.advocate.auth import reader
from punchcard.api.common.face import Face
from punchcard.api.common.routing import UnitOfWorkRoute

PREFIX = "/api/v1"
TITLE = "Punchcard advocate API (advocate-marketing v1 compatible)"
DESCRIPTION = (
    "The advocate-marketing API v1 served by Punchcard: advocates, rewards, quests, "
    "referrals, testimonials, feedback boards and SSO. Authenticate with "
    "`Authorization: Bearer <API key>` (a Punchcard key, `fl_live_…`). Errors are "
    '`{"error": {"code", "message", "field"}}`; a refused business rule is a 400 whose '
    "`code` says which (`INSUFFICIENT_POINTS`, `OUT_OF_STOCK`, ...). Lists page with "
    "`page` (from 1) and `limit` (1..100, default 20). Ids are Punchcard's native ids "
    "(`mem_…`), valid on `/api/v2` too."
)

router = APIRouter(route_class=UnitOfWorkRoute)
for module in (advocates, rewards, quests, referrals, testimonials, feedback, sso):
    router.include_router(module.router)

# The statuses the document lists (besides 200/201 and 500), in its words.
STATUSES = {
    "400": "Bad Request: invalid input (`field` names it) or a refused business rule "
    "(`code`: `VALIDATION_ERROR`, `INSUFFICIENT_POINTS`, `OUT_OF_STOCK`, ...)",
    "401": "Unauthorized: missing, invalid or revoked API key",
    "403": "Forbidden: the key lacks the scope this endpoint requires",
    "404": "Not Found (also another account's id)",
    "429": "Rate Limited: retry after `Retry-After` seconds",
}


def _openapi(doc: dict[str, Any]) -> dict[str, Any]:
    """The document's statuses only: no 409 or 422 (refusals are 400 here), and 429."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    used = {name for ops in doc["paths"].values() for op in ops.values()
            for requirement in op.get("security", []) for name in requirement}  # fmt: skip
    schemes = doc["components"].get("securitySchemes", {})
    doc["components"]["securitySchemes"] = {k: v for k, v in schemes.items() if k in used}
    for ops in doc["paths"].values():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            for code in ("409", "422"):
                responses.pop(code, None)
            wanted = ["400", "404", "429"] + (["401", "403"] if op.get("security") else [])
            for code in wanted:
                responses[code] = {"description": STATUSES[code], "content": error}
    return doc


FACE = Face(
    prefix=PREFIX,
    router=router,
    title=TITLE,
    description=DESCRIPTION,
    render_error=errors.render,
    credentials=reader,
    error_schema=errors.ERROR_SCHEMA,
    customise_openapi=_openapi,
)

__all__ = ["DESCRIPTION", "FACE", "PREFIX", "TITLE", "router"]
