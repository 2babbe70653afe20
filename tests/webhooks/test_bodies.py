"""Event bodies: the outbox holds neutral data, the native face renders the wire body,
and that body is byte for byte what the services used to store (the native API's
rendering of the resource at the time of the change)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from punchcard.ambassador.referrals import Conversion
from punchcard.ambassador.referrals import event_data as referral_data
from punchcard.api.native.events import RENDERERS
from punchcard.api.native.schemas.ambassador import ConversionRead
from punchcard.api.native.schemas.coupons import CouponRead
from punchcard.api.native.schemas.ledger import TransactionRead
from punchcard.api.native.schemas.members import MemberRead
from punchcard.api.native.schemas.orders import OrderRead
from punchcard.app import event_renderers
from punchcard.db.uow import Database
from punchcard.events import data
from punchcard.events.service import EVENT_TYPES
from punchcard.kit.clock import iso_z
from punchcard.models import (
    Coupon,
    Member,
    Order,
    PointsEntry,
    ReferralCode,
    ReferralEvent,
    Tier,
    WebhookDelivery,
)
from punchcard.webhooks import signing
from punchcard.webhooks.config import DeliveryConfig
from punchcard.worker.delivery import DeliveryWorker
from tests.factories import Tenant, award, insert_member
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import create_endpoint

# Times with microseconds (the API shows milliseconds), money with trailing zeros.
AT = datetime(2026, 1, 15, 12, 0, 0, 123456, tzinfo=UTC)
LATER = datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=UTC)
ID = [uuid.UUID(int=n * 0x1111_1111_1111_1111) for n in range(1, 9)]


def _wire(type_: str, payload: dict[str, Any]) -> str:
    return signing.body(type_, iso_z(AT), payload)


def _rendered(type_: str, neutral: dict[str, Any]) -> str:
    return _wire(type_, RENDERERS[type_](neutral))


def _json(model: Any) -> dict[str, Any]:
    out: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return out


def _member() -> Member:
    return Member(
        id=ID[0],
        email="ada@example.com",
        phone=None,
        first_name="Ada",
        last_name="Lovelace — ✓",
        external_id="c-1",
        status="active",
        tier_id=ID[1],
        points_balance=1250,
        pending_points=40,
        lifetime_points=3000,
        referral_code="ADA12345",
        metadata_={"vip": True, "n": [1, 2.5, None]},
        enrolled_at=AT,
        last_activity_at=None,
        created_at=AT,
        updated_at=LATER,
    )


def _entry() -> PointsEntry:
    return PointsEntry(
        id=ID[2],
        member_id=ID[0],
        type="award",
        amount=125,
        balance_after=1250,
        status="auto_approved",
        description="Order #1",
        activity_id=None,
        order_id=ID[3],
        store_id=ID[4],
        created_at=AT,
        expires_at=LATER,
    )


def _order() -> Order:
    return Order(
        id=ID[3],
        external_order_id="#1001",
        member_id=ID[0],
        store_id=None,
        channel="online",
        total=Decimal("240.50"),
        currency="USD",
        items=[{"sku": "A", "price": "10.00", "quantity": 2}],
        status="partially_refunded",
        points_awarded=240,
        points_clawed_back=20,
        refunded_amount=Decimal("20.00"),
        placed_at=AT,
        created_at=AT,
    )


def _coupon() -> Coupon:
    return Coupon(
        id=ID[5],
        code="SAVE-10",
        pool_id=ID[6],
        member_id=ID[0],
        status="issued",
        issued_at=AT,
        redeemed_at=None,
        expires_at=LATER,
    )


def test_member_events_render_the_member_as_the_api_shows_it() -> None:
    member, tier = _member(), Tier(id=ID[1], name="Gold")
    before = MemberRead.of(member, tags=["vip", "ü"], tier=tier).payload()
    neutral = data.member(member, tags=["vip", "ü"], tier=tier)
    for type_ in ("member.created", "member.updated"):
        assert _rendered(type_, neutral) == _wire(type_, before)


def test_member_event_without_tier_or_tags_renders_them_empty() -> None:
    member = _member()
    before = MemberRead.of(member, tier=None).payload()
    assert _rendered("member.created", data.member(member, tags=(), tier=None)) == _wire(
        "member.created", before
    )


def test_points_events_render_member_balance_and_transaction() -> None:
    member, entry = _member(), _entry()
    before = {
        "memberId": f"mem_{member.id.hex}",
        "balance": member.points_balance,
        "transaction": _json(TransactionRead.of(entry)),
    }
    for type_ in ("points.awarded", "points.deducted", "points.expired"):
        assert _rendered(type_, data.points(member, entry)) == _wire(type_, before)


def test_order_created_renders_the_order() -> None:
    order = _order()
    before = _json(OrderRead.of(order))
    assert _rendered("order.created", {"order": data.order(order)}) == _wire(
        "order.created", before
    )


def test_order_refunded_renders_order_amount_and_clawback() -> None:
    order = _order()
    before = {
        "order": _json(OrderRead.of(order)),
        "refundAmount": str(Decimal("20.00")),
        "pointsClawedBack": 20,
    }
    neutral = {
        "order": data.order(order),
        "refund_amount": data.value(Decimal("20.00")),
        "points_clawed_back": 20,
    }
    assert _rendered("order.refunded", neutral) == _wire("order.refunded", before)


def test_coupon_events_render_the_coupon() -> None:
    coupon = _coupon()
    before = _json(CouponRead.of(coupon))
    for type_ in ("coupon.issued", "coupon.redeemed"):
        assert _rendered(type_, {"coupon": data.coupon(coupon)}) == _wire(type_, before)


def test_reward_redeemed_renders_prefixed_ids() -> None:
    before = {
        "memberId": f"mem_{ID[0].hex}",
        "rewardId": f"rwd_{ID[6].hex}",
        "transactionId": f"txn_{ID[2].hex}",
        "points": 500,
        "couponCode": None,
        "balance": 750,
    }
    neutral = {
        "member_id": str(ID[0]),
        "reward_id": str(ID[6]),
        "transaction_id": str(ID[2]),
        "points": 500,
        "coupon_code": None,
        "balance": 750,
    }
    assert _rendered("reward.redeemed", neutral) == _wire("reward.redeemed", before)


@pytest.mark.parametrize("previous", [None, ID[7]])
def test_tier_changed_renders_member_previous_and_new_tier(previous: uuid.UUID | None) -> None:
    tier = Tier(id=ID[1], name="Gold")
    before = {
        "memberId": f"mem_{ID[0].hex}",
        "previousTierId": f"tier_{previous.hex}" if previous else None,
        "tier": {"id": f"tier_{tier.id.hex}", "name": tier.name},
    }
    neutral = {
        "member_id": str(ID[0]),
        "previous_tier_id": str(previous) if previous else None,
        "tier": data.snapshot(tier, data.TIER),
    }
    assert _rendered("tier.changed", neutral) == _wire("tier.changed", before)


def test_tier_changed_to_no_tier_renders_null() -> None:
    neutral = {"member_id": str(ID[0]), "previous_tier_id": str(ID[1]), "tier": None}
    rendered = RENDERERS["tier.changed"](neutral)
    assert rendered == {
        "memberId": f"mem_{ID[0].hex}",
        "previousTierId": f"tier_{ID[1].hex}",
        "tier": None,
    }


def test_referral_converted_renders_the_conversion() -> None:
    event = ReferralEvent(
        id=ID[5],
        referred_member_id=ID[3],
        order_id=None,
        revenue=Decimal("100.00"),
        points=0,
        created_at=AT,
    )
    code = ReferralCode(id=ID[6], code="ADA12345", member_id=ID[0])
    conversion = Conversion(event, code, "USD", created=True)
    before = _json(ConversionRead.of(conversion))
    assert _rendered("referral.converted", referral_data(conversion)) == _wire(
        "referral.converted", before
    )


def test_endpoint_disabled_and_ping_render_the_webhook_id() -> None:
    before = {
        "webhookId": f"wh_{ID[4].hex}",
        "url": "https://erp.example.com/hook",
        "reason": "The endpoint answered 410 Gone",
        "disabledAt": iso_z(AT),
    }
    neutral = {
        "endpoint_id": str(ID[4]),
        "url": "https://erp.example.com/hook",
        "reason": "The endpoint answered 410 Gone",
        "disabled_at": AT.isoformat(),
    }
    assert _rendered("endpoint.disabled", neutral) == _wire("endpoint.disabled", before)
    ping = {"endpoint_id": str(ID[4]), "message": "ping"}
    assert RENDERERS["ping"](ping) == {"webhookId": f"wh_{ID[4].hex}", "message": "ping"}


def test_neutral_data_holds_no_native_dialect() -> None:
    neutral = data.member(_member(), tags=["vip"], tier=Tier(id=ID[1], name="Gold"))
    assert neutral["member"]["id"] == str(ID[0])
    assert neutral["member"]["first_name"] == "Ada"
    assert neutral["member"]["updated_at"] == LATER.isoformat()
    assert "mem_" not in repr(neutral)


def test_every_event_type_the_services_emit_has_a_renderer_in_some_face() -> None:
    assert set(EVENT_TYPES) - set(event_renderers()) == set()


def test_combining_two_renderers_of_one_type_is_refused() -> None:
    with pytest.raises(ValueError, match="two renderers"):
        data.combine(RENDERERS, {"points.awarded": RENDERERS["points.awarded"]})


def test_a_worker_without_a_renderer_leaves_the_delivery_to_another(
    db: Database, tenant: Tenant, receiver: Receiver, config: DeliveryConfig
) -> None:
    create_endpoint(tenant.api, receiver.url(), events=["points.awarded"])
    award(tenant, insert_member(tenant), 10)
    others = {k: v for k, v in RENDERERS.items() if k != "points.awarded"}
    blind = DeliveryWorker(db, config, renderers=others, tenant_id=tenant.id)
    try:
        assert blind.drain() == 0
    finally:
        blind.close()
    with db.transaction(write=False) as s:
        [delivery] = s.query(WebhookDelivery).filter_by(tenant_id=tenant.id).all()
        assert delivery.status == "pending" and delivery.attempt_count == 0
    assert receiver.received() == []


def test_restore_types_times_as_datetimes() -> None:
    """A snapshot's times come back as aware datetimes (``UTCDateTime`` is a
    TypeDecorator: its column type's python type is its impl's)."""
    row = data.restore(Member, {"id": str(ID[0]), "created_at": AT.isoformat()})
    assert row.created_at == AT and row.id == ID[0]
