"""The document's paging: ``page`` (1-based) and ``limit`` (1..100, default 20).

A value out of range is a 400 naming the parameter (FastAPI's validation, rendered in
the face's error object). Lists answer the page they were asked for."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from punchcard.kit.paging import MAX_OFFSET, Page

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_PAGE = MAX_OFFSET // MAX_LIMIT


async def _page(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")] = 1,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1..{MAX_LIMIT}")
    ] = DEFAULT_LIMIT,
) -> Page:
    return Page(limit=limit, offset=(page - 1) * limit)


PageParams = Annotated[Page, Depends(_page)]


def page_number(page: Page) -> int:
    """The 1-based page a ``Page`` made by :data:`PageParams` stands for."""
    return page.offset // page.limit + 1
