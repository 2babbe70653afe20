"""What the orders, webhooks, API keys and audit pages share: paging from the query
string (with previous/next links that keep the filters), ids in URLs, the
admins-only rule of the key and audit pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from punchcard.errors import Forbidden, NotFound
from punchcard.kit import ids
from punchcard.kit.paging import Page
from punchcard.web.dashboard.session import Ctx

PAGE_SIZE = 25


@dataclass(frozen=True)
class Pager:
    """One page of a list, and the links to its neighbours (None at either end)."""

    page: Page
    total: int
    prev_url: str | None
    next_url: str | None

    @property
    def first(self) -> int:
        return self.page.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page.offset + self.page.limit, self.total)


def page_of(request: Request) -> Page:
    """The page the query string asks for (``offset``; anything unreadable: the first)."""
    raw = request.query_params.get("offset", "0")
    offset = int(raw) if raw.isdigit() and len(raw) < 10 else 0
    return Page(limit=PAGE_SIZE, offset=offset)


def pager(request: Request, page: Page, total: int, **filters: Any) -> Pager:
    """Links to the previous and next pages of ``request.url.path``, keeping ``filters``
    (the empty ones left out)."""
    kept = {k: v for k, v in filters.items() if v not in (None, "")}

    def at(offset: int) -> str:
        query = urlencode({**kept, **({"offset": offset} if offset else {})})
        return request.url.path + ("?" + query if query else "")

    prev_url = at(max(page.offset - page.limit, 0)) if page.offset > 0 else None
    next_url = at(page.offset + page.limit) if page.offset + page.limit < total else None
    return Pager(page, total, prev_url, next_url)


def parse_id(prefix: str, value: str, what: str) -> uuid.UUID:
    """The UUID of ``<prefix>_<hex>`` in a URL; anything else names nothing: 404."""
    found = ids.parse(prefix, value)
    if found is None:
        raise NotFound(f"{what} not found", field="id")
    return found


def render_id(prefix: str, value: uuid.UUID) -> str:
    return f"{prefix}_{value.hex}"


def admins_only(ctx: Ctx) -> None:
    """API keys and the audit log are an owner's or admin's, as ``/api/v2/api-keys``
    is: a viewer gets 403 even for reading them."""
    if not ctx.can_change:
        raise Forbidden("Only an owner or an admin can see this page", code="FORBIDDEN")
