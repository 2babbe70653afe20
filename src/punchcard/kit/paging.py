"""Limit/offset paging shared by every list, with the core's page limits.

A :class:`Page` checks its own bounds, so no list is ever read with a page the core
does not allow, whichever face (or the CLI, or a job) built it. A face names its own
parameters (``names``) so the refusal names what its caller sent, and may allow pages
up to :data:`LARGEST_LIMIT` where its contract says so (ShopSocially's ``count``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from punchcard.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
# A page of any list, unless a face's contract promises more.
MAX_LIMIT = 200
# The most any contract promises a page may hold (ShopSocially's `count`, "up to 1000").
LARGEST_LIMIT = 1000
# Past this no list has rows, and the databases' 64-bit OFFSET would overflow.
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True)
class Page:
    """``limit`` rows from ``offset``: 1..``max_limit`` and 0..``MAX_OFFSET``, else
    :class:`ValidationFailed` naming the face's parameter (``names``: limit, offset)."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    max_limit: int = field(default=MAX_LIMIT, compare=False, repr=False)
    names: tuple[str, str] = field(default=("limit", "offset"), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.max_limit <= LARGEST_LIMIT:
            raise ValueError(f"a page's max_limit is 1..{LARGEST_LIMIT}, not {self.max_limit}")
        limit_name, offset_name = self.names
        # The words pydantic uses for the same bounds, so a face that declares them
        # itself (for its OpenAPI document) and the core answer alike.
        _bound(self.limit, 1, self.max_limit, limit_name)
        _bound(self.offset, 0, MAX_OFFSET, offset_name)


@dataclass(frozen=True)
class Cursor:
    """Keyset paging: ``limit`` rows (1..``max_limit``) after the row whose id is
    ``after`` (None: from the start), in creation order (``created_at``, then ``id``),
    so a page is stable while rows are inserted. ``names`` are the face's parameters
    (limit, after) for the 400s: a limit out of range, an ``after`` naming no row
    (``TenantRepository.after_page``)."""

    limit: int = 10
    after: uuid.UUID | None = None
    max_limit: int = field(default=100, compare=False, repr=False)
    names: tuple[str, str] = field(default=("limit", "after"), compare=False, repr=False)

    def __post_init__(self) -> None:
        _bound(self.limit, 1, self.max_limit, self.names[0])


def _bound(value: int, low: int, high: int, name: str) -> None:
    if value < low:
        raise ValidationFailed(
            f"{name}: Input should be greater than or equal to {low}", field=name
        )
    if value > high:
        raise ValidationFailed(f"{name}: Input should be less than or equal to {high}", field=name)


def every(fetch: Callable[[Page], tuple[Sequence[T], int]], *, limit: int = MAX_LIMIT) -> list[T]:
    """All rows of a list, fetched a page of ``limit`` at a time: ``fetch(page)``
    answers ``(rows, total)``, as every listing service does. Stops at ``total`` or at
    an empty page (rows deleted meanwhile cannot make it loop)."""
    out: list[T] = []
    while True:
        rows, total = fetch(Page(limit=limit, offset=len(out), max_limit=max(limit, MAX_LIMIT)))
        out.extend(rows)
        if not rows or len(out) >= total:
            return out
