"""The async client: the same journey as the sync one, awaited, against a real server;
and the two clients' surfaces are the same method for method."""

from __future__ import annotations

import asyncio
import inspect
from decimal import Decimal

import pytest

from punchcard_sdk import AsyncClient, Client, ConflictError, NotFoundError, ValidationError
from sdk_support import FaultyProxy, Team, unique


def test_async_client_does_the_pos_journey(team: Team) -> None:
    proxy = FaultyProxy(team.url, match="POST /api/v2/orders", fault="drop", faults=1)

    async def journey() -> None:
        async with AsyncClient(base_url=proxy.url, api_key=team.api_key) as pc:
            email = f"{unique('async')}@example.com"
            assert await pc.members.find(email=email) is None
            member = await pc.members.create(email=email, first_name="Grace")
            assert (await pc.members.get(member.id)).first_name == "Grace"
            updated = await pc.members.update(member.id, first_name=None)
            assert updated.first_name is None

            # The first answer is dropped: the retry with the same key replays it.
            placed = await pc.orders.create(
                external_order_id=f"web/{unique('o')}", member_id=member.id, total="80.00"
            )
            assert placed.created is True
            assert (await pc.points.balance(member.id)).balance == placed.balance > 0

            reward = await pc.rewards.create(name="Tote bag", points_cost=50)
            redeemed = await pc.rewards.redeem(reward.id, member_id=member.id)
            assert redeemed.balance == placed.balance - 50
            with pytest.raises(ValidationError) as refused:
                await pc.rewards.redeem(reward.id, member_id=member.id)
            assert refused.value.code == "INSUFFICIENT_POINTS"

            refund = await pc.orders.refund(placed.order.external_order_id)
            assert refund.order.refunded_amount == Decimal("80.00")

            with pytest.raises(ConflictError):
                await pc.members.create(email=email)
            with pytest.raises(NotFoundError) as missing:
                await pc.orders.get(f"no/{unique('such')}")
            assert missing.value.code == "NOT_FOUND"

            for _ in range(2):
                await pc.members.create(external_id=unique("c"))
            ids = [m.id async for m in pc.members.list(page_size=2)]
            assert len(ids) == len(set(ids)) == 3
            pages = [p async for p in pc.members.list(page_size=2).pages()]
            assert [len(p.items) for p in pages] == [2, 1]

            endpoint = await pc.webhooks.create(url="http://127.0.0.1:9/h", events=["*"])
            assert [e.id async for e in pc.webhooks.list()] == [endpoint.id]
            await pc.webhooks.delete(endpoint.id)

    try:
        asyncio.run(journey())
    finally:
        proxy.close()
    orders = [s for s in proxy.seen if s.method == "POST" and s.path == "/api/v2/orders"]
    assert [(s.fault, s.replayed) for s in orders] == [("drop", False), (None, True)]
    assert orders[0].idempotency_key == orders[1].idempotency_key


def test_sync_and_async_clients_have_the_same_surface() -> None:
    sync = Client(base_url="http://127.0.0.1:9", api_key="fl_live_x")
    aio = AsyncClient(base_url="http://127.0.0.1:9", api_key="fl_live_x")
    try:
        for name in ("members", "points", "orders", "coupons", "rewards", "webhooks"):
            s, a = getattr(sync, name), getattr(aio, name)
            methods = {m for m in dir(s) if not m.startswith("_")}
            assert methods == {m for m in dir(a) if not m.startswith("_")}, name
            for m in methods:
                assert str(inspect.signature(getattr(s, m))).replace("Sync", "") == str(
                    inspect.signature(getattr(a, m))
                ).replace("Async", ""), f"{name}.{m}"
    finally:
        sync.close()
        asyncio.run(aio.close())
