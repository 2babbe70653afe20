"""The AddGlow face, ``/addglow/v1``: AddGlow's Brand API (``seeds/004_…``), so that a
brand's integration written from that document runs against Punchcard with only the
base URL and key changed.

A translator, like every face: a member is the core's member (the one every face sees),
a member group the core's group with its badge, a post the community's, a product or
variant the core catalog's row addressed by its store id. Ids are canonical UUIDs
(``ids.py``); answers are ``{"data": …}``, lists ``{"hasMore", "data"}`` paged by
``limit`` and ``after``/``cursor`` (``paging.py``), DELETEs ``{"success": true}``;
errors ``{"error": {"code", "message", "field"}}`` (``errors.py``). Webhooks are the
document's five event types, rendered by ``events.py``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from fastapi import APIRouter

from punchcard.api.addglow import (
    errors,
    events,
    magic_links,
    member_groups,
    members,
    posts,
    products,
    variants,
)
from punchcard.api.addglow.auth import reader
from punchcard.api.common.face import Face
from punchcard.api.common.routing import UnitOfWorkRoute

PREFIX = "/addglow/v1"
TITLE = "Punchcard AddGlow API (AddGlow Brand API 1.0.0 compatible)"
DESCRIPTION = (
    "AddGlow's Brand API served by Punchcard: magic links, members, member groups, "
    "posts, products and product variants. Authenticate with `Authorization: Bearer "
    "<API key>` (a Punchcard key, `fl_live_…`). Ids are canonical UUIDs. Answers are "
    '`{"data": …}`; lists are `{"hasMore", "data"}`, paged by `limit` (1..100, default '
    "10) and `after` (or `cursor`): the id of the last item of the previous page. "
    'Errors are `{"error": {"code", "message", "field"}}`. Webhooks follow the Standard '
    "Webhooks specification: `user.joined`, `post.created`, `post.liked`, "
    "`post_comment.created`, `post_comment.liked`, each `{type, timestamp, data}`."
)

router = APIRouter(route_class=UnitOfWorkRoute)
for module in (magic_links, members, member_groups, posts, products, variants):
    router.include_router(module.router)

STATUSES = {
    "400": "Bad Request: invalid input; `field` names it (`upsertRecords[2].storeId`)",
    "401": "Unauthorized: missing, invalid or revoked API key",
    "403": "Forbidden: the key lacks the scope this endpoint requires",
    "404": "Not Found (also another brand's id)",
    "429": "Too Many Requests: retry after `Retry-After` seconds",
}


def _openapi(doc: dict[str, Any]) -> dict[str, Any]:
    """The face's error object on every operation, in place of FastAPI's 422 body
    (bad input is a 400 here)."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for ops in doc["paths"].values():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            default_422 = responses.get("422", {}).get("description") == "Validation Error"
            if default_422:
                responses.pop("422")
            wanted = ["400", "404", "429"] + (["401", "403"] if op.get("security") else [])
            for code in wanted:
                responses.setdefault(code, {"description": STATUSES[code], "content": error})
    for name in ("HTTPValidationError", "ValidationError"):
        doc.get("components", {}).get("schemas", {}).pop(name, None)
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
    events=MappingProxyType(dict(events.RENDERERS)),
)

__all__ = ["DESCRIPTION", "FACE", "PREFIX", "TITLE", "router"]
