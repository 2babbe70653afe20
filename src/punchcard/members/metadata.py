"""Bounds on a member's ``metadata``: every face stores it, every list renders it.

A 300 MB object was once accepted and then sent back in every member list; an object
nested thousands deep costs every reader a recursion. 16 KB of JSON and five levels
hold any profile a shop keeps (docs/reliability.md).
"""

from __future__ import annotations

import json
from typing import Any

from punchcard.errors import ValidationFailed

MAX_BYTES = 16_384
MAX_DEPTH = 5


def _too_deep(value: Any, levels_left: int) -> bool:
    """Whether ``value`` nests objects or arrays more than ``levels_left`` deep (it
    stops as soon as it knows: a million-deep object is not walked)."""
    if not isinstance(value, dict | list):
        return False
    if levels_left == 0:
        return True
    items = value.values() if isinstance(value, dict) else value
    return any(_too_deep(v, levels_left - 1) for v in items)


def check(metadata: dict[str, Any] | None, *, field: str = "metadata") -> dict[str, Any] | None:
    """``metadata`` as given, or a 400 naming ``field`` when it is over the size or the
    depth cap (``{"a": {"b": 1}}`` is two levels deep)."""
    if metadata is None:
        return None
    if _too_deep(metadata, MAX_DEPTH):
        raise ValidationFailed(f"{field} is nested deeper than {MAX_DEPTH} levels", field=field)
    size = len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_BYTES:
        raise ValidationFailed(
            f"{field} is {size} bytes of JSON; at most {MAX_BYTES} are kept", field=field
        )
    return metadata
