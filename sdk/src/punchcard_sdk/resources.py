"""The resources of both clients: ``client.members``, ``.points``, ``.orders``,
``.coupons``, ``.rewards``, ``.webhooks``.

Each sync class has an async twin (``Members`` / ``AsyncMembers``) with the same
methods and signatures; every method builds its request in ``_calls`` (shared) and
hands it to the client, which sends it with retries. A test compares the two surfaces.
Lists return a pager that fetches one page per step of the iteration (``limit`` /
``offset``, the API's own paging, until ``total``).
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from punchcard_sdk import _calls as c
from punchcard_sdk import models as m
from punchcard_sdk._base import Call, Page
from punchcard_sdk._calls import Money, PageCall
from punchcard_sdk._wire import NOT_GIVEN, NotGiven

T = TypeVar("T")

# The API's maximum is 200 a page; 100 keeps each answer small.
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200


class SyncRunner(Protocol):
    def __call__(self, call: Call[T], /) -> T: ...


class AsyncRunner(Protocol):
    async def __call__(self, call: Call[T], /) -> T: ...


def _size(page_size: int) -> int:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
    return page_size


class SyncPager(Generic[T]):
    """Iterate a list's items; each page is fetched when the iteration reaches it.
    ``pages()`` iterates whole pages (with ``total``) instead."""

    def __init__(self, run: SyncRunner, make: PageCall[T], page_size: int) -> None:
        self._run = run
        self._make = make
        self._size = _size(page_size)

    def pages(self) -> Iterator[Page[T]]:
        offset = 0
        while True:
            page = self._run(self._make(offset, self._size))
            yield page
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items


class AsyncPager(Generic[T]):
    """``async for`` over a list's items, a page fetched when the iteration reaches it;
    ``pages()`` iterates whole pages."""

    def __init__(self, run: AsyncRunner, make: PageCall[T], page_size: int) -> None:
        self._run = run
        self._make = make
        self._size = _size(page_size)

    async def pages(self) -> AsyncIterator[Page[T]]:
        offset = 0
        while True:
            page = await self._run(self._make(offset, self._size))
            yield page
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item


class Members:
    """``/members``: enrol, read, change and list members."""

    def __init__(self, run: SyncRunner) -> None:
        self._run = run

    def create(
        self,
        *,
        email: str | None = None,
        phone: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        external_id: str | None = None,
        store_id: str | None = None,
        source: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        referred_by: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Member:
        """Enrol a member (one of email, phone, external_id at least). A taken identity
        raises ConflictError ``DUPLICATE_MEMBER`` with ``details["existingId"]``."""
        return self._run(
            c.member_create(
                email=email,
                phone=phone,
                first_name=first_name,
                last_name=last_name,
                external_id=external_id,
                store_id=store_id,
                source=source,
                metadata=metadata,
                referred_by=referred_by,
                idempotency_key=idempotency_key,
            )
        )

    def get(self, member_id: str) -> m.Member:
        """One member by its ``mem_…`` id (NotFoundError if none)."""
        return self._run(c.member_get(member_id))

    def update(
        self,
        member_id: str,
        *,
        email: str | NotGiven | None = NOT_GIVEN,
        phone: str | NotGiven | None = NOT_GIVEN,
        first_name: str | NotGiven | None = NOT_GIVEN,
        last_name: str | NotGiven | None = NOT_GIVEN,
        external_id: str | NotGiven | None = NOT_GIVEN,
        status: str | NotGiven = NOT_GIVEN,
        metadata: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
    ) -> m.Member:
        """Change a member: arguments left out are untouched, ``None`` clears."""
        changes = {
            "email": email,
            "phone": phone,
            "first_name": first_name,
            "last_name": last_name,
            "external_id": external_id,
            "status": status,
            "metadata": dict(metadata) if isinstance(metadata, Mapping) else metadata,
        }
        return self._run(c.member_update(member_id, changes))

    def list(
        self,
        *,
        status: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        external_id: str | None = None,
        tier: str | None = None,
        tag: str | None = None,
        q: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> SyncPager[m.Member]:
        """Members matching the filters, fetched a page at a time as you iterate."""
        make = c.member_list(
            status=status,
            email=email,
            phone=phone,
            external_id=external_id,
            tier=tier,
            tag=tag,
            q=q,
        )
        return SyncPager(self._run, make, page_size)

    def find(
        self,
        *,
        email: str | None = None,
        phone: str | None = None,
        external_id: str | None = None,
    ) -> m.Member | None:
        """The member with this email, phone or external id, or None."""
        if email is None and phone is None and external_id is None:
            raise TypeError("find() needs email, phone or external_id")
        make = c.member_list(email=email, phone=phone, external_id=external_id)
        page = self._run(make(0, 1))
        return page.items[0] if page.items else None


class Points:
    """A member's points: ``/members/{id}/points``."""

    def __init__(self, run: SyncRunner) -> None:
        self._run = run

    def change(
        self,
        member_id: str,
        amount: int,
        *,
        description: str | None = None,
        store_id: str | None = None,
        activity_id: str | None = None,
        expires_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> m.PointsChange:
        """Award (positive ``amount``) or deduct (negative) exactly that many points."""
        return self._run(
            c.points_change(
                member_id,
                amount,
                description=description,
                store_id=store_id,
                activity_id=activity_id,
                expires_at=expires_at,
                idempotency_key=idempotency_key,
            )
        )

    def balance(self, member_id: str) -> m.PointsBalance:
        """Spendable, pending and lifetime points, and when points expire."""
        return self._run(c.points_balance(member_id))

    def history(
        self,
        member_id: str,
        *,
        type: str | None = None,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> SyncPager[m.Transaction]:
        """The member's ledger entries, newest first, fetched page by page."""
        make = c.points_history(member_id, type=type, status=status, since=since, until=until)
        return SyncPager(self._run, make, page_size)


class Orders:
    """``/orders``: ingest (awards points), read, refund (claws back) and list."""

    def __init__(self, run: SyncRunner) -> None:
        self._run = run

    def create(
        self,
        *,
        external_order_id: str,
        member_id: str,
        total: Money,
        store_id: str | None = None,
        channel: str | None = None,
        currency: str | None = None,
        items: builtins.list[Mapping[str, Any]] | None = None,
        eligible_amount: Money | None = None,
        placed_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> m.OrderCreated:
        """Ingest an order and award its points. Idempotent by ``external_order_id``:
        the same order sent again changes nothing and answers ``created=False``; a
        different body under that id raises ConflictError ``DUPLICATE_ORDER``."""
        return self._run(
            c.order_create(
                external_order_id=external_order_id,
                member_id=member_id,
                total=total,
                store_id=store_id,
                channel=channel,
                currency=currency,
                items=items,
                eligible_amount=eligible_amount,
                placed_at=placed_at,
                idempotency_key=idempotency_key,
            )
        )

    def get(self, external_order_id: str) -> m.Order:
        """One order by your external order id (any characters; ``/`` included)."""
        return self._run(c.order_get(external_order_id))

    def refund(
        self,
        external_order_id: str,
        *,
        amount: Money | None = None,
        refund_id: str | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Refund:
        """Refund all (no ``amount``) or part of an order; points are clawed back in
        proportion. ``refund_id`` makes a partial refund idempotent on your side too."""
        return self._run(
            c.order_refund(
                external_order_id,
                amount=amount,
                refund_id=refund_id,
                reason=reason,
                idempotency_key=idempotency_key,
            )
        )

    def list(
        self,
        *,
        member_id: str | None = None,
        store_id: str | None = None,
        status: str | None = None,
        external_order_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> SyncPager[m.Order]:
        """Orders, newest first, fetched page by page."""
        make = c.order_list(
            member_id=member_id,
            store_id=store_id,
            status=status,
            external_order_id=external_order_id,
            since=since,
            until=until,
        )
        return SyncPager(self._run, make, page_size)


class Coupons:
    """``/coupons``: pools of codes, issuing, and redemption at the register."""

    def __init__(self, run: SyncRunner) -> None:
        self._run = run

    def list(
        self,
        *,
        pool_id: str | None = None,
        member_id: str | None = None,
        status: str | None = None,
        code: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> SyncPager[m.Coupon]:
        """Coupon codes, fetched page by page."""
        make = c.coupon_list(pool_id=pool_id, member_id=member_id, status=status, code=code)
        return SyncPager(self._run, make, page_size)

    def list_pools(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> SyncPager[m.CouponPool]:
        """Coupon pools with their code counts."""
        return SyncPager(self._run, c.pool_list(), page_size)

    def create_pool(
        self,
        *,
        name: str,
        discount_type: str,
        discount_value: Money,
        points_cost: int | None = None,
        expires_at: datetime | None = None,
        codes: builtins.list[str] | None = None,
        generate: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> m.CouponPool:
        """A pool from your ``codes``, or ``generate={"count": n, "prefix": ...}``."""
        return self._run(
            c.pool_create(
                name=name,
                discount_type=discount_type,
                discount_value=discount_value,
                points_cost=points_cost,
                expires_at=expires_at,
                codes=codes,
                generate=generate,
                idempotency_key=idempotency_key,
            )
        )

    def issue(
        self,
        *,
        pool_id: str,
        member_id: str,
        quantity: int = 1,
        idempotency_key: str | None = None,
    ) -> builtins.list[m.Coupon]:
        """Give codes from a pool to a member (no points charged)."""
        return self._run(
            c.coupon_issue(
                pool_id=pool_id,
                member_id=member_id,
                quantity=quantity,
                idempotency_key=idempotency_key,
            )
        )

    def redeem(
        self,
        code_or_id: str,
        *,
        store_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Coupon:
        """Redeem a code at the register; NotFoundError means: do not honour it."""
        return self._run(
            c.coupon_redeem(code_or_id, store_id=store_id, idempotency_key=idempotency_key)
        )

    def buy(
        self, member_id: str, *, pool_id: str, idempotency_key: str | None = None
    ) -> m.CouponPurchase:
        """Spend the member's points on one code of a pool that has a points cost."""
        return self._run(c.coupon_buy(member_id, pool_id=pool_id, idempotency_key=idempotency_key))


class Rewards:
    """``/rewards``: redemption options, and spending points on them."""

    def __init__(self, run: SyncRunner) -> None:
        self._run = run

    def list(
        self,
        *,
        active: bool | None = None,
        type: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> SyncPager[m.Reward]:
        """Redemption options, fetched page by page."""
        return SyncPager(self._run, c.reward_list(active=active, type=type), page_size)

    def get(self, reward_id: str) -> m.Reward:
        """One option by its ``rwd_…`` id or its key."""
        return self._run(c.reward_get(reward_id))

    def create(
        self,
        *,
        name: str,
        points_cost: int,
        key: str | None = None,
        description: str | None = None,
        terms: str | None = None,
        instructions: str | None = None,
        monetary_value: Money | None = None,
        type: str | None = None,
        is_active: bool | None = None,
        tier_ids: builtins.list[str] | None = None,
        stock: int | None = None,
        codes: builtins.list[str] | None = None,
        idempotency_key: str | None = None,
    ) -> m.Reward:
        """Create a redemption option (with one-time ``codes`` if it hands them out)."""
        fields = {
            "name": name,
            "points_cost": points_cost,
            "key": key,
            "description": description,
            "terms": terms,
            "instructions": instructions,
            "monetary_value": monetary_value,
            "type": type,
            "is_active": is_active,
            "tier_ids": tier_ids,
            "stock": stock,
            "codes": codes,
        }
        return self._run(c.reward_create(fields, idempotency_key))

    def redeem(
        self, reward_id: str, *, member_id: str, idempotency_key: str | None = None
    ) -> m.Redemption:
        """Spend a member's points on an option (ValidationError
        ``INSUFFICIENT_POINTS`` when they have too few)."""
        return self._run(
            c.reward_redeem(reward_id, member_id=member_id, idempotency_key=idempotency_key)
        )


class Webhooks:
    """``/webhooks``: the endpoints Punchcard delivers signed events to."""

    def __init__(self, run: SyncRunner) -> None:
        self._run = run

    def list(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> SyncPager[m.WebhookEndpoint]:
        """Webhook endpoints (never their secrets)."""
        return SyncPager(self._run, c.webhook_list(), page_size)

    def get(self, endpoint_id: str) -> m.WebhookEndpoint:
        """One endpoint (``disabled_reason`` says why one was turned off)."""
        return self._run(c.webhook_get(endpoint_id))

    def create(
        self,
        *,
        url: str,
        events: builtins.list[str],
        description: str | None = None,
        enabled: bool = True,
        idempotency_key: str | None = None,
    ) -> m.WebhookEndpoint:
        """Add an endpoint; its ``secret`` (``whsec_…``) is in this answer only."""
        return self._run(
            c.webhook_create(
                url=url,
                events=events,
                description=description,
                enabled=enabled,
                idempotency_key=idempotency_key,
            )
        )

    def delete(self, endpoint_id: str) -> None:
        """Delete an endpoint and its deliveries log."""
        self._run(c.webhook_delete(endpoint_id))

    def event_types(self) -> builtins.list[str]:
        """The event types an endpoint can subscribe to (``"*"``: all)."""
        return self._run(c.webhook_event_types())


class AsyncMembers:
    """``/members``: enrol, read, change and list members."""

    def __init__(self, run: AsyncRunner) -> None:
        self._run = run

    async def create(
        self,
        *,
        email: str | None = None,
        phone: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        external_id: str | None = None,
        store_id: str | None = None,
        source: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        referred_by: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Member:
        """Enrol a member (one of email, phone, external_id at least). A taken identity
        raises ConflictError ``DUPLICATE_MEMBER`` with ``details["existingId"]``."""
        return await self._run(
            c.member_create(
                email=email,
                phone=phone,
                first_name=first_name,
                last_name=last_name,
                external_id=external_id,
                store_id=store_id,
                source=source,
                metadata=metadata,
                referred_by=referred_by,
                idempotency_key=idempotency_key,
            )
        )

    async def get(self, member_id: str) -> m.Member:
        """One member by its ``mem_…`` id (NotFoundError if none)."""
        return await self._run(c.member_get(member_id))

    async def update(
        self,
        member_id: str,
        *,
        email: str | NotGiven | None = NOT_GIVEN,
        phone: str | NotGiven | None = NOT_GIVEN,
        first_name: str | NotGiven | None = NOT_GIVEN,
        last_name: str | NotGiven | None = NOT_GIVEN,
        external_id: str | NotGiven | None = NOT_GIVEN,
        status: str | NotGiven = NOT_GIVEN,
        metadata: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
    ) -> m.Member:
        """Change a member: arguments left out are untouched, ``None`` clears."""
        changes = {
            "email": email,
            "phone": phone,
            "first_name": first_name,
            "last_name": last_name,
            "external_id": external_id,
            "status": status,
            "metadata": dict(metadata) if isinstance(metadata, Mapping) else metadata,
        }
        return await self._run(c.member_update(member_id, changes))

    def list(
        self,
        *,
        status: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        external_id: str | None = None,
        tier: str | None = None,
        tag: str | None = None,
        q: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncPager[m.Member]:
        """Members matching the filters, fetched a page at a time as you iterate."""
        make = c.member_list(
            status=status,
            email=email,
            phone=phone,
            external_id=external_id,
            tier=tier,
            tag=tag,
            q=q,
        )
        return AsyncPager(self._run, make, page_size)

    async def find(
        self,
        *,
        email: str | None = None,
        phone: str | None = None,
        external_id: str | None = None,
    ) -> m.Member | None:
        """The member with this email, phone or external id, or None."""
        if email is None and phone is None and external_id is None:
            raise TypeError("find() needs email, phone or external_id")
        make = c.member_list(email=email, phone=phone, external_id=external_id)
        page = await self._run(make(0, 1))
        return page.items[0] if page.items else None


class AsyncPoints:
    """A member's points: ``/members/{id}/points``."""

    def __init__(self, run: AsyncRunner) -> None:
        self._run = run

    async def change(
        self,
        member_id: str,
        amount: int,
        *,
        description: str | None = None,
        store_id: str | None = None,
        activity_id: str | None = None,
        expires_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> m.PointsChange:
        """Award (positive ``amount``) or deduct (negative) exactly that many points."""
        return await self._run(
            c.points_change(
                member_id,
                amount,
                description=description,
                store_id=store_id,
                activity_id=activity_id,
                expires_at=expires_at,
                idempotency_key=idempotency_key,
            )
        )

    async def balance(self, member_id: str) -> m.PointsBalance:
        """Spendable, pending and lifetime points, and when points expire."""
        return await self._run(c.points_balance(member_id))

    def history(
        self,
        member_id: str,
        *,
        type: str | None = None,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncPager[m.Transaction]:
        """The member's ledger entries, newest first, fetched page by page."""
        make = c.points_history(member_id, type=type, status=status, since=since, until=until)
        return AsyncPager(self._run, make, page_size)


class AsyncOrders:
    """``/orders``: ingest (awards points), read, refund (claws back) and list."""

    def __init__(self, run: AsyncRunner) -> None:
        self._run = run

    async def create(
        self,
        *,
        external_order_id: str,
        member_id: str,
        total: Money,
        store_id: str | None = None,
        channel: str | None = None,
        currency: str | None = None,
        items: builtins.list[Mapping[str, Any]] | None = None,
        eligible_amount: Money | None = None,
        placed_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> m.OrderCreated:
        """Ingest an order and award its points. Idempotent by ``external_order_id``:
        the same order sent again changes nothing and answers ``created=False``; a
        different body under that id raises ConflictError ``DUPLICATE_ORDER``."""
        return await self._run(
            c.order_create(
                external_order_id=external_order_id,
                member_id=member_id,
                total=total,
                store_id=store_id,
                channel=channel,
                currency=currency,
                items=items,
                eligible_amount=eligible_amount,
                placed_at=placed_at,
                idempotency_key=idempotency_key,
            )
        )

    async def get(self, external_order_id: str) -> m.Order:
        """One order by your external order id (any characters; ``/`` included)."""
        return await self._run(c.order_get(external_order_id))

    async def refund(
        self,
        external_order_id: str,
        *,
        amount: Money | None = None,
        refund_id: str | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Refund:
        """Refund all (no ``amount``) or part of an order; points are clawed back in
        proportion. ``refund_id`` makes a partial refund idempotent on your side too."""
        return await self._run(
            c.order_refund(
                external_order_id,
                amount=amount,
                refund_id=refund_id,
                reason=reason,
                idempotency_key=idempotency_key,
            )
        )

    def list(
        self,
        *,
        member_id: str | None = None,
        store_id: str | None = None,
        status: str | None = None,
        external_order_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncPager[m.Order]:
        """Orders, newest first, fetched page by page."""
        make = c.order_list(
            member_id=member_id,
            store_id=store_id,
            status=status,
            external_order_id=external_order_id,
            since=since,
            until=until,
        )
        return AsyncPager(self._run, make, page_size)


class AsyncCoupons:
    """``/coupons``: pools of codes, issuing, and redemption at the register."""

    def __init__(self, run: AsyncRunner) -> None:
        self._run = run

    def list(
        self,
        *,
        pool_id: str | None = None,
        member_id: str | None = None,
        status: str | None = None,
        code: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncPager[m.Coupon]:
        """Coupon codes, fetched page by page."""
        make = c.coupon_list(pool_id=pool_id, member_id=member_id, status=status, code=code)
        return AsyncPager(self._run, make, page_size)

    def list_pools(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> AsyncPager[m.CouponPool]:
        """Coupon pools with their code counts."""
        return AsyncPager(self._run, c.pool_list(), page_size)

    async def create_pool(
        self,
        *,
        name: str,
        discount_type: str,
        discount_value: Money,
        points_cost: int | None = None,
        expires_at: datetime | None = None,
        codes: builtins.list[str] | None = None,
        generate: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> m.CouponPool:
        """A pool from your ``codes``, or ``generate={"count": n, "prefix": ...}``."""
        return await self._run(
            c.pool_create(
                name=name,
                discount_type=discount_type,
                discount_value=discount_value,
                points_cost=points_cost,
                expires_at=expires_at,
                codes=codes,
                generate=generate,
                idempotency_key=idempotency_key,
            )
        )

    async def issue(
        self,
        *,
        pool_id: str,
        member_id: str,
        quantity: int = 1,
        idempotency_key: str | None = None,
    ) -> builtins.list[m.Coupon]:
        """Give codes from a pool to a member (no points charged)."""
        return await self._run(
            c.coupon_issue(
                pool_id=pool_id,
                member_id=member_id,
                quantity=quantity,
                idempotency_key=idempotency_key,
            )
        )

    async def redeem(
        self,
        code_or_id: str,
        *,
        store_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> m.Coupon:
        """Redeem a code at the register; NotFoundError means: do not honour it."""
        return await self._run(
            c.coupon_redeem(code_or_id, store_id=store_id, idempotency_key=idempotency_key)
        )

    async def buy(
        self, member_id: str, *, pool_id: str, idempotency_key: str | None = None
    ) -> m.CouponPurchase:
        """Spend the member's points on one code of a pool that has a points cost."""
        return await self._run(
            c.coupon_buy(member_id, pool_id=pool_id, idempotency_key=idempotency_key)
        )


class AsyncRewards:
    """``/rewards``: redemption options, and spending points on them."""

    def __init__(self, run: AsyncRunner) -> None:
        self._run = run

    def list(
        self,
        *,
        active: bool | None = None,
        type: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AsyncPager[m.Reward]:
        """Redemption options, fetched page by page."""
        return AsyncPager(self._run, c.reward_list(active=active, type=type), page_size)

    async def get(self, reward_id: str) -> m.Reward:
        """One option by its ``rwd_…`` id or its key."""
        return await self._run(c.reward_get(reward_id))

    async def create(
        self,
        *,
        name: str,
        points_cost: int,
        key: str | None = None,
        description: str | None = None,
        terms: str | None = None,
        instructions: str | None = None,
        monetary_value: Money | None = None,
        type: str | None = None,
        is_active: bool | None = None,
        tier_ids: builtins.list[str] | None = None,
        stock: int | None = None,
        codes: builtins.list[str] | None = None,
        idempotency_key: str | None = None,
    ) -> m.Reward:
        """Create a redemption option (with one-time ``codes`` if it hands them out)."""
        fields = {
            "name": name,
            "points_cost": points_cost,
            "key": key,
            "description": description,
            "terms": terms,
            "instructions": instructions,
            "monetary_value": monetary_value,
            "type": type,
            "is_active": is_active,
            "tier_ids": tier_ids,
            "stock": stock,
            "codes": codes,
        }
        return await self._run(c.reward_create(fields, idempotency_key))

    async def redeem(
        self, reward_id: str, *, member_id: str, idempotency_key: str | None = None
    ) -> m.Redemption:
        """Spend a member's points on an option (ValidationError
        ``INSUFFICIENT_POINTS`` when they have too few)."""
        return await self._run(
            c.reward_redeem(reward_id, member_id=member_id, idempotency_key=idempotency_key)
        )


class AsyncWebhooks:
    """``/webhooks``: the endpoints Punchcard delivers signed events to."""

    def __init__(self, run: AsyncRunner) -> None:
        self._run = run

    def list(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> AsyncPager[m.WebhookEndpoint]:
        """Webhook endpoints (never their secrets)."""
        return AsyncPager(self._run, c.webhook_list(), page_size)

    async def get(self, endpoint_id: str) -> m.WebhookEndpoint:
        """One endpoint (``disabled_reason`` says why one was turned off)."""
        return await self._run(c.webhook_get(endpoint_id))

    async def create(
        self,
        *,
        url: str,
        events: builtins.list[str],
        description: str | None = None,
        enabled: bool = True,
        idempotency_key: str | None = None,
    ) -> m.WebhookEndpoint:
        """Add an endpoint; its ``secret`` (``whsec_…``) is in this answer only."""
        return await self._run(
            c.webhook_create(
                url=url,
                events=events,
                description=description,
                enabled=enabled,
                idempotency_key=idempotency_key,
            )
        )

    async def delete(self, endpoint_id: str) -> None:
        """Delete an endpoint and its deliveries log."""
        await self._run(c.webhook_delete(endpoint_id))

    async def event_types(self) -> builtins.list[str]:
        """The event types an endpoint can subscribe to (``"*"``: all)."""
        return await self._run(c.webhook_event_types())
