"""Standard Webhooks signing, done by the ``standardwebhooks`` library (never by hand).

Headers: ``webhook-id`` (the message id, the same on every retry and replay),
``webhook-timestamp`` (unix seconds of this attempt) and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``; one per secret, space-separated,
while a rotated-out secret is still in its grace period).
"""

from __future__ import annotations

import base64
import json
import secrets as _secrets
from collections.abc import Sequence
from datetime import datetime
from math import floor
from typing import Any

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
# Standard Webhooks asks for secrets of 24 to 64 bytes.
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(SECRET_BYTES)).decode()


def message_id(event_hex: str) -> str:
    return f"msg_{event_hex}"


def body(event_type: str, timestamp: str | None, data: dict[str, Any]) -> str:
    """The exact text that is signed and sent (compact JSON, stable key order)."""
    return json.dumps(
        {"type": event_type, "timestamp": timestamp, "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def headers(msg_id: str, at: datetime, payload: str, secrets: Sequence[str]) -> dict[str, str]:
    signature = " ".join(Webhook(secret).sign(msg_id, at, payload) for secret in secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": signature,
    }
