"""Ids on the AddGlow face: canonical UUIDs (``575afa13-cf79-439d-8be8-2751615dc0f5``),
parsed and rendered here; the core takes and returns ``uuid.UUID``.

A malformed id in a path is answered exactly like an unknown one (404: it parses to
:data:`NIL`, which no row has); a malformed id in a query parameter or a body is bad
input (400 naming the field).
"""

from __future__ import annotations

import uuid

from punchcard.api.common.ids import NIL
from punchcard.errors import ValidationFailed


def _uuid(value: str) -> uuid.UUID | None:
    # The canonical 36-character spelling only (hex case-insensitive): a UUID written
    # otherwise (32 hex, braces, urn:) is not an id this API hands out.
    if len(value) != 36:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def path_id(value: str) -> uuid.UUID:
    """A path's id; :data:`NIL` (so a 404) when it is not a UUID."""
    return _uuid(value) or NIL


def field_id(value: str, *, field: str) -> uuid.UUID:
    """An id given in a query parameter or a body: a 400 naming ``field`` when it is
    not a UUID."""
    parsed = _uuid(value)
    if parsed is None:
        raise ValidationFailed(f"{field}: must be a UUID", field=field)
    return parsed


def optional_field_id(value: str | None, *, field: str) -> uuid.UUID | None:
    return None if value is None else field_id(value, field=field)


def render(value: uuid.UUID) -> str:
    """The canonical spelling of a core id."""
    return str(value)


def render_optional(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)
