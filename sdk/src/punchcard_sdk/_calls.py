"""Every API call of the SDK as data (``Call``): its method, path, body, and how its
answer is read. The sync and async resources (``resources.py``) share these, so the two
clients cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from punchcard_sdk import models as m
from punchcard_sdk._base import Call, Page
from punchcard_sdk._wire import NOT_GIVEN, NotGiven, body, params, parse

T = TypeVar("T")

Money = Decimal | str | int
"""An amount: a Decimal, a string ("12.50") or an int; never a float (sent as text)."""


def seg(value: str) -> str:
    """One path segment, percent-encoded: ids and externalOrderIds may hold ``/``."""
    return quote(value, safe="")


def one(cls: type[T]) -> Callable[[httpx.Response], T]:
    return lambda r: parse(cls, r.json())


def page_of(cls: type[T], key: str) -> Callable[[httpx.Response], Page[T]]:
    def read(r: httpx.Response) -> Page[T]:
        data = r.json()
        return Page(
            items=[parse(cls, item) for item in data[key]],
            total=int(data["total"]),
            limit=int(data["limit"]),
            offset=int(data["offset"]),
        )

    return read


def nothing(_: httpx.Response) -> None:
    return None


def _money(value: Money | NotGiven | None) -> Any:
    if isinstance(value, float):
        raise TypeError("amounts are Decimal, str or int, never float (binary rounding)")
    return value


PageCall = Callable[[int, int], Call[Page[T]]]


# Members ---------------------------------------------------------------------------


def member_create(
    *,
    email: str | None,
    phone: str | None,
    first_name: str | None,
    last_name: str | None,
    external_id: str | None,
    store_id: str | None,
    source: str | None,
    metadata: Mapping[str, Any] | None,
    referred_by: str | None,
    idempotency_key: str | None,
) -> Call[m.Member]:
    given = {
        "email": email,
        "phone": phone,
        "first_name": first_name,
        "last_name": last_name,
        "external_id": external_id,
        "store_id": store_id,
        "source": source,
        "metadata": dict(metadata) if metadata is not None else None,
        "referred_by": referred_by,
    }
    return Call(
        "POST",
        "/members",
        one(m.Member),
        json=body(**{k: v for k, v in given.items() if v is not None}),
        idempotency_key=idempotency_key,
    )


def member_get(member_id: str) -> Call[m.Member]:
    return Call("GET", f"/members/{seg(member_id)}", one(m.Member))


def member_update(member_id: str, changes: Mapping[str, Any]) -> Call[m.Member]:
    return Call("PATCH", f"/members/{seg(member_id)}", one(m.Member), json=body(**changes))


def member_list(**filters: Any) -> PageCall[m.Member]:
    return lambda offset, limit: Call(
        "GET",
        "/members",
        page_of(m.Member, "members"),
        params=params(**filters, offset=offset, limit=limit),
    )


# Points ----------------------------------------------------------------------------


def points_change(
    member_id: str,
    amount: int,
    *,
    description: str | None,
    store_id: str | None,
    activity_id: str | None,
    expires_at: datetime | None,
    idempotency_key: str | None,
) -> Call[m.PointsChange]:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount is a non-zero int (negative deducts)")
    given = {
        "description": description,
        "store_id": store_id,
        "activity_id": activity_id,
        "expires_at": expires_at,
    }
    return Call(
        "POST",
        f"/members/{seg(member_id)}/points",
        one(m.PointsChange),
        json=body(amount=amount, **{k: v for k, v in given.items() if v is not None}),
        idempotency_key=idempotency_key,
    )


def points_balance(member_id: str) -> Call[m.PointsBalance]:
    # The statement's first page carries the balances; one row keeps it small.
    return Call(
        "GET", f"/members/{seg(member_id)}/points", one(m.PointsBalance), params={"limit": 1}
    )


def points_history(member_id: str, **filters: Any) -> PageCall[m.Transaction]:
    return lambda offset, limit: Call(
        "GET",
        f"/members/{seg(member_id)}/points",
        page_of(m.Transaction, "transactions"),
        params=params(**filters, offset=offset, limit=limit),
    )


# Orders ----------------------------------------------------------------------------


def _order_created(r: httpx.Response) -> m.OrderCreated:
    data = r.json()
    # 201: ingested now; 200: this externalOrderId was already ingested (no change).
    return m.OrderCreated(
        order=parse(m.Order, data), balance=int(data["balance"]), created=r.status_code == 201
    )


def order_create(
    *,
    external_order_id: str,
    member_id: str,
    total: Money,
    store_id: str | None,
    channel: str | None,
    currency: str | None,
    items: list[Mapping[str, Any]] | None,
    eligible_amount: Money | None,
    placed_at: datetime | None,
    idempotency_key: str | None,
) -> Call[m.OrderCreated]:
    given = {
        "store_id": store_id,
        "channel": channel,
        "currency": currency,
        "items": [_item(i) for i in items] if items is not None else None,
        "eligible_amount": _money(eligible_amount),
        "placed_at": placed_at,
    }
    return Call(
        "POST",
        "/orders",
        _order_created,
        json=body(
            external_order_id=external_order_id,
            member_id=member_id,
            total=_money(total),
            **{k: v for k, v in given.items() if v is not None},
        ),
        idempotency_key=idempotency_key,
    )


def _item(item: Mapping[str, Any]) -> dict[str, Any]:
    # Items are taken in snake_case or camelCase (product_id / productId).
    return body(**{k: _money(v) if k == "price" else v for k, v in item.items()})


def order_get(external_order_id: str) -> Call[m.Order]:
    return Call("GET", f"/orders/{seg(external_order_id)}", one(m.Order))


def order_refund(
    external_order_id: str,
    *,
    amount: Money | None,
    refund_id: str | None,
    reason: str | None,
    idempotency_key: str | None,
) -> Call[m.Refund]:
    given = {"amount": _money(amount), "refund_id": refund_id, "reason": reason}
    return Call(
        "POST",
        f"/orders/{seg(external_order_id)}/refund",
        one(m.Refund),
        json=body(**{k: v for k, v in given.items() if v is not None}),
        idempotency_key=idempotency_key,
    )


def order_list(**filters: Any) -> PageCall[m.Order]:
    return lambda offset, limit: Call(
        "GET",
        "/orders",
        page_of(m.Order, "orders"),
        params=params(**filters, offset=offset, limit=limit),
    )


# Coupons ---------------------------------------------------------------------------


def coupon_list(**filters: Any) -> PageCall[m.Coupon]:
    return lambda offset, limit: Call(
        "GET",
        "/coupons",
        page_of(m.Coupon, "coupons"),
        params=params(**filters, offset=offset, limit=limit),
    )


def pool_list() -> PageCall[m.CouponPool]:
    return lambda offset, limit: Call(
        "GET",
        "/coupons/pools",
        page_of(m.CouponPool, "pools"),
        params={"offset": offset, "limit": limit},
    )


def pool_create(
    *,
    name: str,
    discount_type: str,
    discount_value: Money,
    points_cost: int | None,
    expires_at: datetime | None,
    codes: list[str] | None,
    generate: Mapping[str, Any] | None,
    idempotency_key: str | None,
) -> Call[m.CouponPool]:
    given = {
        "points_cost": points_cost,
        "expires_at": expires_at,
        "codes": codes,
        "generate": body(**generate) if generate is not None else None,
    }
    return Call(
        "POST",
        "/coupons/pools",
        one(m.CouponPool),
        json=body(
            name=name,
            discount_type=discount_type,
            discount_value=_money(discount_value),
            **{k: v for k, v in given.items() if v is not None},
        ),
        idempotency_key=idempotency_key,
    )


def _coupons(r: httpx.Response) -> list[m.Coupon]:
    return [parse(m.Coupon, c) for c in r.json()["coupons"]]


def coupon_issue(
    *, pool_id: str, member_id: str, quantity: int, idempotency_key: str | None
) -> Call[list[m.Coupon]]:
    return Call(
        "POST",
        "/coupons/issue",
        _coupons,
        json=body(pool_id=pool_id, member_id=member_id, quantity=quantity),
        idempotency_key=idempotency_key,
    )


def coupon_redeem(
    code_or_id: str, *, store_id: str | None, idempotency_key: str | None
) -> Call[m.Coupon]:
    return Call(
        "POST",
        f"/coupons/{seg(code_or_id)}/redeem",
        one(m.Coupon),
        json=body(store_id=store_id) if store_id is not None else {},
        idempotency_key=idempotency_key,
    )


def coupon_buy(
    member_id: str, *, pool_id: str, idempotency_key: str | None
) -> Call[m.CouponPurchase]:
    return Call(
        "POST",
        f"/members/{seg(member_id)}/redeem-coupon",
        one(m.CouponPurchase),
        json=body(pool_id=pool_id),
        idempotency_key=idempotency_key,
    )


# Rewards ---------------------------------------------------------------------------


def reward_list(**filters: Any) -> PageCall[m.Reward]:
    return lambda offset, limit: Call(
        "GET",
        "/rewards",
        page_of(m.Reward, "rewards"),
        params=params(**filters, offset=offset, limit=limit),
    )


def reward_get(reward_id: str) -> Call[m.Reward]:
    return Call("GET", f"/rewards/{seg(reward_id)}", one(m.Reward))


def reward_create(fields: Mapping[str, Any], idempotency_key: str | None) -> Call[m.Reward]:
    given = {
        k: (_money(v) if k == "monetary_value" else v) for k, v in fields.items() if v is not None
    }
    return Call(
        "POST", "/rewards", one(m.Reward), json=body(**given), idempotency_key=idempotency_key
    )


def reward_redeem(
    reward_id: str, *, member_id: str, idempotency_key: str | None
) -> Call[m.Redemption]:
    return Call(
        "POST",
        f"/rewards/{seg(reward_id)}/redeem",
        one(m.Redemption),
        json=body(member_id=member_id),
        idempotency_key=idempotency_key,
    )


# Webhooks --------------------------------------------------------------------------


def webhook_list() -> PageCall[m.WebhookEndpoint]:
    return lambda offset, limit: Call(
        "GET",
        "/webhooks",
        page_of(m.WebhookEndpoint, "webhooks"),
        params={"offset": offset, "limit": limit},
    )


def webhook_get(endpoint_id: str) -> Call[m.WebhookEndpoint]:
    return Call("GET", f"/webhooks/{seg(endpoint_id)}", one(m.WebhookEndpoint))


def webhook_create(
    *,
    url: str,
    events: list[str],
    description: str | None,
    enabled: bool,
    idempotency_key: str | None,
) -> Call[m.WebhookEndpoint]:
    return Call(
        "POST",
        "/webhooks",
        one(m.WebhookEndpoint),
        json=body(
            url=url,
            events=list(events),
            enabled=enabled,
            **({"description": description} if description is not None else {}),
        ),
        idempotency_key=idempotency_key,
    )


def webhook_delete(endpoint_id: str) -> Call[None]:
    return Call("DELETE", f"/webhooks/{seg(endpoint_id)}", nothing)


def webhook_event_types() -> Call[list[str]]:
    return Call("GET", "/webhooks/event-types", lambda r: list(r.json()["eventTypes"]))


__all__ = ["NOT_GIVEN", "Money", "NotGiven", "PageCall"]
