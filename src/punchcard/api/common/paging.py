"""Paging parameters shared by every list endpoint of the native face.

The bounds are declared here for the OpenAPI document (and FastAPI's 400 names the
parameter); ``Page`` checks the same core limits itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from punchcard.kit.paging import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, Page


# async: a sync dependency would cost a thread-pool hop on every list request.
async def _page(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1..{MAX_LIMIT}")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageParams = Annotated[Page, Depends(_page)]
