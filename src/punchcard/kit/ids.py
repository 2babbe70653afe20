"""Identifiers: time-ordered UUIDs stored natively, rendered as prefixed strings.

The database holds a UUID; the native face shows ``mem_<32 hex>``, AddGlow shows the
canonical UUID of the same row. Time-ordered (UUIDv7 layout) so that new rows land at
the end of B-tree indexes and ids sort by creation.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_seq = 0


def new_id() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): 48-bit unix ms, then a counter and randomness."""
    global _last_ms, _seq
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            # Same (or earlier) millisecond: bump a counter so ids stay monotonic
            # within this process.
            ms = _last_ms
            _seq = (_seq + 1) & 0xFFF
            if _seq == 0:
                ms += 1
        else:
            _seq = int.from_bytes(os.urandom(2), "big") & 0x7FF
        _last_ms = ms
        seq = _seq
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | (seq << 64) | (0b10 << 62) | rand
    return uuid.UUID(int=value)


def render(prefix: str, value: uuid.UUID | None) -> str | None:
    if value is None:
        return None
    return f"{prefix}_{value.hex}"


def parse(prefix: str, value: str) -> uuid.UUID | None:
    """The UUID inside ``prefix_<hex>``, or None when the string is not such an id.

    A bare canonical UUID is accepted too, so ids from the AddGlow face work here.
    """
    body = value
    if value.startswith(prefix + "_"):
        body = value[len(prefix) + 1 :]
    if len(body) not in (32, 36):
        return None
    try:
        return uuid.UUID(body)
    except ValueError:
        return None
