"""The sync client's resources against a real server: round trips, paging, typed
models, typed errors."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from punchcard_sdk import (
    AuthenticationError,
    Client,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from sdk_support import Team, unique


def test_member_create_get_update_find_round_trip(client: Client) -> None:
    email = f"{unique('ada')}@example.com"
    created = client.members.create(
        email=email, first_name="Ada", phone="+12125550100", metadata={"shoeSize": 38}
    )
    assert created.id.startswith("mem_")
    assert isinstance(created.created_at, datetime)
    assert created.metadata == {"shoeSize": 38}  # the caller's keys are never renamed

    fetched = client.members.get(created.id)
    assert fetched == created

    # Left out: untouched; None: cleared.
    updated = client.members.update(created.id, last_name="Lovelace", phone=None)
    assert (updated.first_name, updated.last_name, updated.phone) == ("Ada", "Lovelace", None)
    assert updated.email == email

    assert client.members.find(email=email.upper()) == client.members.get(created.id)
    assert client.members.find(email=f"{unique('nobody')}@example.com") is None


def test_list_iterates_pages_lazily_over_more_than_one_page(team: Team) -> None:
    sent: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [sent.append]})
    with Client(base_url=team.url, api_key=team.api_key, http_client=http) as client:
        ids = {client.members.create(external_id=unique("cust")).id for _ in range(5)}
        sent.clear()

        pager = client.members.list(page_size=2)
        assert sent == []  # nothing fetched before the iteration starts
        first_three = list(itertools.islice(pager, 3))
        assert len(first_three) == 3
        assert [r.url.params["offset"] for r in sent] == ["0", "2"]  # two pages, not three

        sent.clear()
        everyone = list(client.members.list(page_size=2))
        assert {m.id for m in everyone} == ids
        assert len(everyone) == 5
        assert [r.url.params["offset"] for r in sent] == ["0", "2", "4"]
        pages = list(client.members.list(page_size=2).pages())
        assert [len(p.items) for p in pages] == [2, 2, 1]
        assert {p.total for p in pages} == {5}
    http.close()


def test_points_orders_and_refunds_round_trip(client: Client) -> None:
    member = client.members.create(email=f"{unique('pos')}@example.com")
    change = client.points.change(member.id, 100, description="Welcome bonus")
    assert change.transaction_id.startswith("txn_")
    assert change.balance == 100

    # An externalOrderId may hold "/", "?", "#", spaces: the SDK encodes the path.
    external = f"store-7/{unique('A')} #1?x"
    order = {
        "external_order_id": external,
        "member_id": member.id,
        "total": Decimal("42.50"),
        "items": [{"sku": "mug", "price": "42.50", "quantity": 1}],
    }
    placed = client.orders.create(**order)  # type: ignore[arg-type]
    assert placed.created is True
    assert placed.order.total == Decimal("42.50")
    assert placed.balance == 100 + placed.order.points_awarded > 100

    again = client.orders.create(**order)  # type: ignore[arg-type]
    assert again.created is False
    assert again.balance == placed.balance
    with pytest.raises(ConflictError) as changed:
        client.orders.create(external_order_id=external, member_id=member.id, total="1.00")
    assert (changed.value.code, changed.value.field) == ("DUPLICATE_ORDER", "externalOrderId")

    assert client.orders.get(external) == placed.order
    refund = client.orders.refund(external, amount="21.25", reason="one mug broke")
    assert refund.order.status == "partially_refunded"
    assert refund.order.refunded_amount == Decimal("21.25")
    assert refund.balance == placed.balance - refund.points_clawed_back

    balance = client.points.balance(member.id)
    assert balance.balance == refund.balance
    history = list(client.points.history(member.id, page_size=1))
    assert [t.type for t in history] == ["clawback", "award", "award"]
    assert [o.external_order_id for o in client.orders.list(member_id=member.id)] == [external]
    # Date ranges go out as the API's `from`/`to`.
    later = placed.order.created_at + timedelta(hours=1)
    assert list(client.orders.list(member_id=member.id, since=later)) == []
    assert len(list(client.orders.list(member_id=member.id, until=later))) == 1
    assert list(client.points.history(member.id, since=later)) == []


def test_rewards_and_coupons_round_trip(client: Client) -> None:
    member = client.members.create(email=f"{unique('fan')}@example.com")
    client.points.change(member.id, 120)

    reward = client.rewards.create(name="Free coffee", points_cost=100, key=unique("coffee"))
    assert reward.id in {r.id for r in client.rewards.list(active=True)}
    assert client.rewards.get(reward.key) == reward
    redeemed = client.rewards.redeem(reward.id, member_id=member.id)
    assert (redeemed.points, redeemed.balance) == (100, 20)

    with pytest.raises(ValidationError) as refused:
        client.rewards.redeem(reward.id, member_id=member.id)
    assert refused.value.code == "INSUFFICIENT_POINTS"
    assert client.points.balance(member.id).balance == 20  # the refusal wrote nothing

    pool = client.coupons.create_pool(
        name="10% off", discount_type="percent", discount_value="10", codes=[unique("C")]
    )
    assert pool.discount_value == Decimal("10.00")
    assert pool.id in {p.id for p in client.coupons.list_pools()}
    (coupon,) = client.coupons.issue(pool_id=pool.id, member_id=member.id)
    assert [c.code for c in client.coupons.list(member_id=member.id)] == [coupon.code]
    used = client.coupons.redeem(coupon.code)
    assert used.status == "redeemed"
    assert used.redeemed_at is not None


def test_webhook_endpoints_create_list_delete(client: Client) -> None:
    assert "member.created" in client.webhooks.event_types()
    endpoint = client.webhooks.create(url="http://127.0.0.1:9/hook", events=["member.created"])
    assert endpoint.secret is not None
    assert endpoint.secret.startswith("whsec_")
    listed = list(client.webhooks.list())
    assert [e.id for e in listed] == [endpoint.id]
    assert listed[0].secret is None  # shown once, at creation
    client.webhooks.delete(endpoint.id)
    with pytest.raises(NotFoundError):
        client.webhooks.get(endpoint.id)


def test_typed_errors_carry_status_code_and_field(client: Client, team: Team) -> None:
    with pytest.raises(NotFoundError) as missing:
        client.members.get("mem_00000000000000000000000000000000")
    assert (missing.value.status, missing.value.code, missing.value.field) == (
        404,
        "NOT_FOUND",
        "id",
    )

    with pytest.raises(ValidationError) as bad:
        client.members.create(email="not-an-email")
    assert (bad.value.status, bad.value.code, bad.value.field) == (400, "VALIDATION_ERROR", "email")
    assert "email" in bad.value.message

    email = f"{unique('dup')}@example.com"
    first = client.members.create(email=email)
    with pytest.raises(ConflictError) as dup:
        client.members.create(email=email)
    assert dup.value.code == "DUPLICATE_MEMBER"
    assert dup.value.field == "email"
    assert dup.value.details["existingId"] == first.id

    with Client(base_url=team.url, api_key="fl_live_wrong") as stranger:
        with pytest.raises(AuthenticationError) as unauth:
            stranger.members.get(first.id)
    assert unauth.value.status == 401

    with Client(base_url=team.url, api_key=team.new_key("read")) as reader:
        assert reader.members.get(first.id).id == first.id
        with pytest.raises(PermissionDeniedError) as denied:
            reader.points.change(first.id, 5)
    assert (denied.value.status, denied.value.code) == (403, "INSUFFICIENT_SCOPE")


def test_another_teams_member_is_not_found(client: Client, other_team: Team) -> None:
    member = client.members.create(email=f"{unique('mine')}@example.com")
    with Client(base_url=other_team.url, api_key=other_team.api_key) as other:
        with pytest.raises(NotFoundError):
            other.members.get(member.id)
        assert list(other.members.list()) == []


def test_float_amounts_are_refused_before_sending(client: Client) -> None:
    with pytest.raises(TypeError):
        client.orders.create(external_order_id="x", member_id="mem_x", total=9.99)  # type: ignore[arg-type]
