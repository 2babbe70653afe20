"""Verifying Punchcard's webhook deliveries (Standard Webhooks, HMAC-SHA256)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError as _StandardError

from punchcard_sdk.errors import WebhookVerificationError
from punchcard_sdk.models import WebhookEvent


def verify_webhook(payload: bytes | str, headers: Mapping[str, str], secret: str) -> WebhookEvent:
    """Check a delivery's signature and return its event; raise
    :class:`~punchcard_sdk.errors.WebhookVerificationError` if it does not verify.

    ``payload`` is the request body exactly as received (bytes, before any JSON
    parsing: re-serialised JSON no longer matches its signature); ``headers`` the
    request's headers (any case); ``secret`` the endpoint's ``whsec_…`` secret. A
    delivery signed more than five minutes away from now is refused (replays). The
    event's ``id`` is the ``webhook-id`` header, the same on every retry: deduplicate
    on it."""
    plain = {k.lower(): v for k, v in headers.items()}
    try:
        data = Webhook(secret).verify(payload, plain)
    except _StandardError as exc:
        raise WebhookVerificationError(str(exc) or "signature does not verify") from exc
    except (ValueError, TypeError) as exc:
        # A malformed secret, signature header, or body (not UTF-8, not JSON).
        raise WebhookVerificationError(f"malformed webhook: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise WebhookVerificationError("the body is not a webhook event")
    return WebhookEvent(
        id=plain["webhook-id"],
        type=data["type"],
        timestamp=_time(data.get("timestamp")),
        data=_object(data.get("data")),
    )


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


__all__ = ["verify_webhook"]
