"""The ShopSocially face, ``/v2/loyalty``: the 24 functions of ShopSocially's Loyalty
Program API v2, so that an integration written for ShopSocially runs against Punchcard
with only the base URL, ``partner-id`` and ``api-key`` changed.

A translator: each handler reads the document's parameters (form-encoded or JSON),
calls one core service and renders the result with the document's field names in
``{"data": …, "success": true}``; errors come out as ``{"reason": …, "success":
false}`` (``errors.render``, the face's error renderer). ``docs/shopsocially.md`` maps
every function to the service it calls.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from punchcard.api.common.face import Face
from punchcard.api.common.routing import UnitOfWorkRoute
from punchcard.api.shopsocially import (
    activities,
    levels,
    points,
    redemptions,
    transactions,
    users,
)
from punchcard.api.shopsocially.auth import read_credentials
from punchcard.api.shopsocially.errors import ERROR_SCHEMA, render
from punchcard.api.shopsocially.params import ACCEPTED

PREFIX = "/v2/loyalty"
TITLE = "Punchcard loyalty API (ShopSocially v2 compatible)"
DESCRIPTION = (
    "ShopSocially's Loyalty Program API v2 served by Punchcard: point an integration "
    "written for `https://api.shopsocially.com/v2` at `<punchcard>/v2` and send your "
    "tenant's partner id and a Punchcard API key in the `partner-id` and `api-key` "
    "headers. Parameters are form-encoded or JSON; answers are "
    '`{"data": …, "success": true}`, errors `{"reason": "…", "success": false}` '
    "with a 4xx status. Dates in are `MM/DD/YYYY` (your timezone, both ends included); "
    "times out are `DD-Mon-YYYY HH:MM:SS` UTC. Lists page with `start_index`, "
    "answering `next_start_index`, `more` and `total`."
)

# Both headers on every call (OpenAPI: one requirement naming both schemes, not two
# alternatives, which is how FastAPI lists two security dependencies).
SECURITY: list[dict[str, list[str]]] = [{"PartnerId": [], "ApiKey": []}]

router = APIRouter(route_class=UnitOfWorkRoute)
for module in (points, transactions, users, activities, redemptions, levels):
    router.include_router(module.router)


def _openapi(doc: dict[str, Any]) -> dict[str, Any]:
    """The face's OpenAPI document: only its two headers, both on every call."""
    schemes = doc["components"].get("securitySchemes", {})
    doc["components"]["securitySchemes"] = {k: v for k, v in schemes.items() if k in SECURITY[0]}
    for ops in doc["paths"].values():
        for op in ops.values():
            if op.get("security"):
                op["security"] = SECURITY
            unsupported = op.get("responses", {}).get("415")
            if unsupported:  # this face reads forms as well as JSON
                unsupported["description"] = f"UNSUPPORTED_MEDIA_TYPE: send {ACCEPTED}"
    return doc


FACE = Face(
    prefix=PREFIX,
    router=router,
    title=TITLE,
    description=DESCRIPTION,
    render_error=render,
    credentials=read_credentials,
    error_schema=ERROR_SCHEMA,
    customise_openapi=_openapi,
)

__all__ = ["DESCRIPTION", "FACE", "PREFIX", "TITLE", "router"]
