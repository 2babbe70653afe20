"""A short-lived, per-process cache of API-key principals.

Every API call authenticates; without a cache each one is a database round trip
before the real work starts. Entries live ``ttl`` seconds (default 1 s), so a key
revoked on another node stops working within a second; a key revoked in this process
is dropped at once (``forget``). Keyed by the token's SHA-256, never the plaintext.
A key with an expiry is never served past it, however long the ttl: ``get`` is given
the caller's clock reading and drops an entry whose principal has expired.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from punchcard.identity.principal import Principal


class PrincipalCache:
    def __init__(self, ttl: float = 1.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, at: datetime) -> Principal | None:
        """The cached principal, unless its entry is older than the ttl or the key
        has expired by ``at`` (the unit of work's clock, as the database lookup uses)."""
        if self.ttl <= 0:
            return None
        with self._lock:
            hit = self._entries.get(digest)
            if hit is None:
                return None
            expires_at = hit[1].expires_at
            if hit[0] < time.monotonic() or (expires_at is not None and expires_at <= at):
                del self._entries[digest]
                return None
            return hit[1]

    def put(self, digest: str, principal: Principal) -> None:
        # Only API keys: a session (a member's above all) must stop working the moment
        # it is revoked or its member banned, not a ttl later.
        if self.ttl <= 0 or principal.kind != "key":
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # crude but bounded; a miss only costs one query
            self._entries[digest] = (time.monotonic() + self.ttl, principal)

    def forget_key(self, api_key_id: object) -> None:
        """Drop every entry for one key (revocation in this process takes effect now)."""
        with self._lock:
            for digest in [d for d, (_, p) in self._entries.items() if p.api_key_id == api_key_id]:
                del self._entries[digest]


api_keys = PrincipalCache()
