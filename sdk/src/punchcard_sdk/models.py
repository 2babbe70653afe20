"""Typed response models: frozen dataclasses, snake_case in Python, camelCase on the wire.

Dataclasses rather than TypedDicts: a TypedDict is the JSON dict itself, so its keys
would have to stay camelCase; a dataclass gives snake_case attributes, real
``datetime`` and ``Decimal`` values (money is a string on the wire, never a float),
immutability, and a readable ``repr``. Each is built from the wire by
:func:`punchcard_sdk._wire.parse`; ``metadata`` and order ``items`` stay plain dicts
(they hold the caller's own keys, which are never renamed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class TierRef:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Member:
    """A member (``GET /members/{id}``)."""

    id: str
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    external_id: str | None
    status: str
    tier: TierRef | None
    points_balance: int
    pending_points: int
    lifetime_points: int
    tags: list[str]
    enrolled_at: datetime
    last_activity_at: datetime | None
    metadata: dict[str, Any]
    referral_code: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PointsChange:
    """The answer to ``POST /members/{id}/points``."""

    transaction_id: str
    balance: int


@dataclass(frozen=True, slots=True)
class Transaction:
    """One ledger entry."""

    id: str
    member_id: str
    type: str
    amount: int
    balance_after: int
    status: str
    description: str | None
    activity_id: str | None
    order_id: str | None
    store_id: str | None
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class ExpirationItem:
    date: str
    points: int


@dataclass(frozen=True, slots=True)
class PointsBalance:
    """A member's spendable, pending and lifetime points and their expiry schedule."""

    balance: int
    pending: int
    lifetime: int
    expiration_schedule: list[ExpirationItem]


@dataclass(frozen=True, slots=True)
class Order:
    """An order as ``GET /orders/{externalOrderId}`` renders it."""

    id: str
    external_order_id: str
    member_id: str
    store_id: str | None
    channel: str
    total: Decimal
    currency: str
    items: list[dict[str, Any]]
    status: str
    points_awarded: int
    points_clawed_back: int
    refunded_amount: Decimal
    placed_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OrderCreated:
    """The answer to ``POST /orders``: the order, the member's balance after it, and
    ``created`` (False when the externalOrderId was already ingested: nothing changed)."""

    order: Order
    balance: int
    created: bool


@dataclass(frozen=True, slots=True)
class Refund:
    """The answer to ``POST /orders/{externalOrderId}/refund``."""

    order: Order
    points_clawed_back: int
    balance: int


@dataclass(frozen=True, slots=True)
class Coupon:
    id: str
    code: str
    pool_id: str
    member_id: str | None
    status: str
    issued_at: datetime | None
    redeemed_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class CouponPool:
    id: str
    name: str
    discount_type: str
    discount_value: Decimal
    points_cost: int | None
    total_codes: int
    available_codes: int
    issued_codes: int
    redeemed_codes: int
    expires_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CouponPurchase:
    """A coupon bought with points (``POST /members/{id}/redeem-coupon``)."""

    coupon: Coupon
    transaction_id: str
    balance: int


@dataclass(frozen=True, slots=True)
class Reward:
    """A redemption option."""

    id: str
    key: str
    name: str
    description: str | None
    terms: str | None
    instructions: str | None
    points_cost: int
    monetary_value: Decimal | None
    type: str
    is_active: bool
    tier_ids: list[str]
    stock: int | None
    pool_id: str | None
    available_codes: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Redemption:
    """The answer to ``POST /rewards/{id}/redeem``: ``coupon`` is the one-time code
    when the option has codes."""

    transaction_id: str
    reward: Reward
    coupon: Coupon | None
    points: int
    balance: int


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: str
    url: str
    events: list[str]
    enabled: bool
    description: str | None
    disabled_reason: str | None
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    secret: str | None = field(default=None, repr=False)
    """``whsec_…``: only in the answer to create (and rotation); keep it then."""


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified webhook delivery (:func:`punchcard_sdk.verify_webhook`)."""

    id: str
    """The ``webhook-id`` header: the same on every retry of one event (deduplicate on it)."""
    type: str
    timestamp: datetime | None
    data: dict[str, Any]
