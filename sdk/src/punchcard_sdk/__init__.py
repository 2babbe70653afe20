"""Punchcard's Python SDK: a typed client of the native API (``/api/v2``).

    from punchcard_sdk import Client

    with Client(base_url="https://loyalty.example.com", api_key="fl_live_…") as pc:
        member = pc.members.find(email="ada@example.com") or pc.members.create(
            email="ada@example.com"
        )
        pc.orders.create(external_order_id="A-1001", member_id=member.id, total="42.50")

``AsyncClient`` has the same surface, awaited. Errors are :mod:`punchcard_sdk.errors`;
:func:`verify_webhook` checks a delivery's signature.
"""

from punchcard_sdk import models
from punchcard_sdk._base import Page
from punchcard_sdk._client import AsyncClient, Client
from punchcard_sdk._version import __version__
from punchcard_sdk._wire import NOT_GIVEN, NotGiven
from punchcard_sdk.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PunchcardError,
    RateLimitError,
    ServerError,
    ValidationError,
    WebhookVerificationError,
)
from punchcard_sdk.resources import AsyncPager, SyncPager
from punchcard_sdk.webhooks import verify_webhook

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncPager",
    "AuthenticationError",
    "Client",
    "ConflictError",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PermissionDeniedError",
    "PunchcardError",
    "RateLimitError",
    "ServerError",
    "SyncPager",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "models",
    "verify_webhook",
]
