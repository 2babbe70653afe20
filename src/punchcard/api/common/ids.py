"""Ids at a face's edge: the core takes and returns ``uuid.UUID``; each face parses and
renders its own spelling here (``mem_<hex>`` on the native face, the canonical UUID on
AddGlow's, an email or a merchant key on ShopSocially's).

Ids are opaque: a malformed id is answered exactly like an unknown one (404), so
``parse`` maps it to :data:`NIL`, a UUID no row has (every id is a UUIDv7), and the
core's lookup reports it missing with its usual error.
"""

from __future__ import annotations

import uuid

from punchcard.errors import ValidationFailed
from punchcard.kit import ids as _ids

# No row has the nil UUID: ids are UUIDv7 (kit.ids.new_id).
NIL = uuid.UUID(int=0)


def parse(prefix: str, value: str) -> uuid.UUID:
    """The UUID of ``<prefix>_<hex>`` (or of a canonical UUID); NIL when malformed."""
    return _ids.parse(prefix, value) or NIL


def parse_optional(prefix: str, value: str | None) -> uuid.UUID | None:
    """As :func:`parse`, with ``None`` passed through (an optional field left out)."""
    return None if value is None else parse(prefix, value)


def ref(prefix: str, value: str) -> uuid.UUID | str:
    """A field that takes an id or a merchant key (``storeId``: ``st_…`` or the store
    code): the UUID when ``value`` is such an id, else the key, unchanged."""
    return _ids.parse(prefix, value) or value


def render(prefix: str, value: uuid.UUID) -> str:
    """``<prefix>_<32 hex>``: the native face's spelling of a core id."""
    return f"{prefix}_{value.hex}"


def render_optional(prefix: str, value: uuid.UUID | None) -> str | None:
    return None if value is None else render(prefix, value)


def parse_filter(prefix: str, value: str | None, *, field: str, message: str) -> uuid.UUID | None:
    """A list filter's id (``?memberId=``), ``None`` when left out. Unlike a path id, a
    malformed filter is bad input: a 400 naming ``field`` with ``message``."""
    if value is None:
        return None
    parsed = _ids.parse(prefix, value)
    if parsed is None:
        raise ValidationFailed(message, field=field)
    return parsed
