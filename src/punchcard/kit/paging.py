"""Limit/offset paging shared by every list."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Past this no list has rows, and the databases' 64-bit OFFSET would overflow.
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True)
class Page:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
