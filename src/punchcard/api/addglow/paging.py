"""The document's paging: ``limit`` (1..100, default 10) and the id of the last item of
the previous page, named ``after`` (members, member groups, posts) or ``cursor``
(products, variants). Pages follow creation order (creation time, then id), so paging
is stable while items are added; an ``after``/``cursor`` that names no item of the
tenant is a 400 naming it (``TenantRepository.after_page``), as is a malformed one.
Lists answer ``{"hasMore": bool, "data": [...]}`` (``schemas.Listing``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from punchcard.api.addglow.ids import optional_field_id
from punchcard.kit.paging import Cursor

MAX_LIMIT = 100
DEFAULT_LIMIT = 10

Limit = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_LIMIT,
        description=f"Number of items to return between 1 and {MAX_LIMIT}. Defaults to "
        f"{DEFAULT_LIMIT}.",
    ),
]


async def _after(
    limit: Limit = DEFAULT_LIMIT,
    after: Annotated[
        str | None,
        Query(description="The ID of the last item in the previous page. Used for pagination."),
    ] = None,
) -> Cursor:
    return Cursor(
        limit=limit,
        after=optional_field_id(after, field="after"),
        max_limit=MAX_LIMIT,
        names=("limit", "after"),
    )


async def _cursor(
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(description="The ID of the last item in the previous page")
    ] = None,
) -> Cursor:
    return Cursor(
        limit=limit,
        after=optional_field_id(cursor, field="cursor"),
        max_limit=MAX_LIMIT,
        names=("limit", "cursor"),
    )


AfterParams = Annotated[Cursor, Depends(_after)]
"""``limit`` + ``after``: members, member groups, posts."""
CursorParams = Annotated[Cursor, Depends(_cursor)]
"""``limit`` + ``cursor``: products and variants."""
