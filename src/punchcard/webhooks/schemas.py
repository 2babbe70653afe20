"""Webhook inputs the core takes (snake_case), delivery statuses and the id prefixes.

``ENDPOINT_PREFIX`` also spells the ``resource_id`` lane key of ``webhook.disabled``
events (``webhooks.delivery``). The native face's webhook wire models live in
``punchcard.api.native.schemas.webhooks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

ENDPOINT_PREFIX = "wh"
DELIVERY_PREFIX = "dlv"
ATTEMPT_PREFIX = "att"
EVENT_PREFIX = "evt"


class DeliveryStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


@dataclass(frozen=True)
class NewWebhook:
    """An endpoint to create: its receiver ``url`` and the ``events`` it subscribes to
    (``"*"`` for all)."""

    url: str
    events: list[str]
    description: str | None = None
    enabled: bool = True


class WebhookChanges(TypedDict, total=False):
    """An endpoint's changes: absent keys are untouched; ``None`` is refused but for
    ``description``, which it clears."""

    url: str | None
    events: list[str] | None
    description: str | None
    enabled: bool | None
