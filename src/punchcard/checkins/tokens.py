"""Check-in tokens: what the member portal's QR code encodes.

A token reads ``pc1.<base64url>``: 16 bytes of tenant id, 16 of member id, 4 of expiry
(Unix seconds, big-endian), then the first 16 bytes of an HMAC-SHA256 over those 36
bytes and the version prefix. The key is derived from the installation's secret key
(``PUNCHCARD_SECRET_KEY``) for this one purpose, so a token cannot be reused as any
other signature of Punchcard's. Nothing is stored: a token is valid until it expires
(a few minutes), and a second scan of it on the same day is the same capture anyway.

:func:`read` answers only for a token this installation signed and that has not
expired; anything else raises :class:`InvalidToken`, before any member is looked up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = "pc1."
# How long a token shown on the portal stays valid; the page fetches a new one every
# REFRESH_SECONDS, so a code on screen is never the one about to lapse.
TTL_SECONDS = 5 * 60
REFRESH_SECONDS = 60
_MAC_BYTES = 16
_BODY = struct.Struct(">16s16sI")
_LENGTH = _BODY.size + _MAC_BYTES
# A token is short (~74 characters); anything much longer is not one.
MAX_LENGTH = 128


class InvalidToken(Exception):
    """Malformed, forged (a wrong MAC) or expired; ``reason`` is for logs and tests."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    tenant_id: uuid.UUID
    member_id: uuid.UUID
    expires_at: datetime


def _key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"punchcard/checkin-token/v1", hashlib.sha256).digest()


def _mac(secret_key: str, body: bytes) -> bytes:
    return hmac.new(_key(secret_key), PREFIX.encode() + body, hashlib.sha256).digest()[:_MAC_BYTES]


def mint(
    secret_key: str,
    *,
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    at: datetime,
    ttl_seconds: int = TTL_SECONDS,
) -> str:
    """A token for ``member_id`` of ``tenant_id``, valid ``ttl_seconds`` from ``at``."""
    expires = int(at.timestamp()) + ttl_seconds
    body = _BODY.pack(tenant_id.bytes, member_id.bytes, expires)
    raw = body + _mac(secret_key, body)
    return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read(secret_key: str, token: str, *, at: datetime) -> Claims:
    """The claims of a valid token; :class:`InvalidToken` otherwise."""
    text = token.strip()
    if len(text) > MAX_LENGTH or not text.startswith(PREFIX):
        raise InvalidToken("malformed")
    encoded = text[len(PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("malformed") from None
    if len(raw) != _LENGTH:
        raise InvalidToken("malformed")
    body, mac = raw[: _BODY.size], raw[_BODY.size :]
    if not hmac.compare_digest(mac, _mac(secret_key, body)):
        raise InvalidToken("forged")
    tenant, member, expires = _BODY.unpack(body)
    expires_at = datetime.fromtimestamp(expires, UTC)
    if expires_at <= at:
        raise InvalidToken("expired")
    return Claims(uuid.UUID(bytes=tenant), uuid.UUID(bytes=member), expires_at)
