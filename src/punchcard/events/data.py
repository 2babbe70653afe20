"""Event data in core terms, and the renderers that turn it into a face's wire body.

An outbox event stores *neutral* data: snake_case keys, ids as canonical UUID strings,
money as decimal strings, times as ISO 8601 with their full precision, and resources as
snapshots of their rows (``snapshot``), taken in the transaction of the change. No face
dialect (``mem_<hex>``, camelCase, ``...Z`` times) is stored: the face whose contract
defines an event type renders its wire body from this data when the worker sends it
(``Renderer``; see ``docs/webhooks.md``, "Event bodies").

A renderer may rebuild a snapshot into a detached row (``restore``) and hand it to the
same function that renders that resource in its API, so a webhook body and an API answer
can never drift apart.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.orm import class_mapper

from punchcard.models import Coupon, Member, Order, PointsEntry, Tier

M = TypeVar("M")

# An event type's wire body (the ``data`` of the signed message) from its neutral data.
Renderer = Callable[[Mapping[str, Any]], dict[str, Any]]


# Values a snapshot keeps as they are: by exact type, the common case, one set lookup.
_AS_IS = frozenset({str, int, bool, float, type(None)})


def value(v: Any) -> Any:
    """``v`` as a JSON-safe core value (UUID, Decimal, datetime, date as strings)."""
    kind = type(v)
    if kind in _AS_IS:
        return v
    if isinstance(v, uuid.UUID | Decimal):
        return str(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [value(x) for x in v]
    return v


def _key(attr: str) -> str:
    # ``metadata_`` (a name SQLAlchemy reserves) is ``metadata`` in the data.
    return attr.rstrip("_")


@functools.cache
def _pairs(attrs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(attribute, data key) of each attribute, once per attribute tuple."""
    return tuple((a, _key(a)) for a in attrs)


def snapshot(row: object, attrs: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of a row, as neutral data."""
    return {key: value(getattr(row, a)) for a, key in _pairs(attrs)}


def restore(model: type[M], data: Mapping[str, Any]) -> M:
    """A detached ``model`` row holding a snapshot's values, typed as the columns are."""
    columns = {_key(attr.key): attr for attr in class_mapper(model).column_attrs}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        attr = columns[key]
        column_type = attr.columns[0].type
        # A TypeDecorator (UTCDateTime) has no python_type of its own: its impl's.
        column_type = getattr(column_type, "impl_instance", column_type)
        try:
            kind = column_type.python_type
        except NotImplementedError:  # pragma: no cover - every column type we use has one
            kind = object
        if raw is None or isinstance(raw, kind):
            values[attr.key] = raw
        elif kind is uuid.UUID:
            values[attr.key] = uuid.UUID(raw)
        elif kind is Decimal:
            values[attr.key] = Decimal(raw)
        elif kind is datetime:
            values[attr.key] = datetime.fromisoformat(raw)
        elif kind is date:
            values[attr.key] = date.fromisoformat(raw)
        else:
            values[attr.key] = raw
    return model(**values)


# What a snapshot of each resource holds: what any face may show of it.
MEMBER = (
    "id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "external_id",
    "status",
    "tier_id",
    "points_balance",
    "pending_points",
    "lifetime_points",
    "referral_code",
    "metadata_",
    "custom_auth_sub",
    "is_email_verified",
    "profile_picture_url",
    "joined_at",
    "enrolled_at",
    "last_activity_at",
    "created_at",
    "updated_at",
)
ORDER = (
    "id",
    "external_order_id",
    "member_id",
    "store_id",
    "channel",
    "total",
    "currency",
    "items",
    "status",
    "points_awarded",
    "points_clawed_back",
    "refunded_amount",
    "placed_at",
    "created_at",
)
ENTRY = (
    "id",
    "member_id",
    "type",
    "amount",
    "balance_after",
    "status",
    "description",
    "activity_id",
    "order_id",
    "store_id",
    "created_at",
    "expires_at",
)
COUPON = (
    "id",
    "code",
    "pool_id",
    "member_id",
    "status",
    "issued_at",
    "redeemed_at",
    "expires_at",
)
TIER = ("id", "name")


def member(m: Member, *, tags: Iterable[str], tier: Tier | None) -> dict[str, Any]:
    """``member.*``: the member, its tag keys and its current tier."""
    return {
        "member": snapshot(m, MEMBER),
        "tags": list(tags),
        "tier": snapshot(tier, TIER) if tier is not None else None,
    }


def points(m: Member, entry: PointsEntry | Mapping[str, Any]) -> dict[str, Any]:
    """``points.*``: the journal entry (a row, or its column values as the ledger's bulk
    credit holds them) and the member's balance after it."""
    transaction = (
        {key: value(entry[a]) for a, key in _pairs(ENTRY)}
        if isinstance(entry, Mapping)
        else snapshot(entry, ENTRY)
    )
    return {
        "member_id": value(m.id),
        "balance": m.points_balance,
        "transaction": transaction,
    }


def order(o: Order) -> dict[str, Any]:
    return snapshot(o, ORDER)


def coupon(c: Coupon) -> dict[str, Any]:
    return snapshot(c, COUPON)


def combine(*tables: Mapping[str, Renderer]) -> dict[str, Renderer]:
    """One table of renderers from each face's (``Face.events``). An event type is
    defined by one face's contract, so two faces rendering the same type is a mistake."""
    out: dict[str, Renderer] = {}
    for table in tables:
        for type_, renderer in table.items():
            if type_ in out:
                raise ValueError(f"event type {type_!r} has two renderers")
            out[type_] = renderer
    return out
