"""The transactional outbox: deliveries commit or roll back with the change, every
committed event reaches every subscribed endpoint once, tenants never mix."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from punchcard.app import event_renderers
from punchcard.db.uow import Database
from punchcard.events.service import emit
from punchcard.models import OutboxEvent, WebhookDelivery
from punchcard.webhooks.config import DeliveryConfig
from punchcard.worker.delivery import DeliveryWorker
from tests.conftest import TestClock
from tests.factories import Tenant, award, insert_member, make_pool, unique
from tests.webhooks.conftest import SCHEDULE
from tests.webhooks.receiver import Receiver, Reply
from tests.webhooks.support import create_endpoint, deliveries


def _count(db: Database, model: type, tenant: Tenant) -> int:
    with db.transaction(write=False) as s:
        return int(
            s.scalar(select(func.count()).select_from(model).where(model.tenant_id == tenant.id))
            or 0
        )


def test_a_rolled_back_change_emits_and_delivers_nothing(
    db: Database, tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    create_endpoint(tenant.api, receiver.url())
    with pytest.raises(RuntimeError), db.transaction() as s:
        emit(s, tenant.id, "member.updated", {"id": "mem_x"}, resource_id="mem_x")
        raise RuntimeError("the change fails after emitting")
    assert _count(db, OutboxEvent, tenant) == 0
    assert _count(db, WebhookDelivery, tenant) == 0
    assert worker.drain() == 0
    assert receiver.received() == []


def test_a_refused_request_delivers_nothing(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    create_endpoint(tenant.api, receiver.url())
    member = insert_member(tenant)
    r = tenant.api.post(f"/members/{member}/points", json={"amount": -50})
    assert r.status_code == 422
    assert worker.drain() == 0
    assert receiver.received() == []


def test_a_committed_change_is_delivered_signed(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = create_endpoint(tenant.api, receiver.url(), events=["points.awarded"])
    member = insert_member(tenant)
    award(tenant, member, 40)
    assert worker.drain() == 1
    (got,) = receiver.wait_for(1)
    event = got.verify(hook["secret"])
    assert event["type"] == "points.awarded"
    assert event["data"]["memberId"] == member
    assert event["data"]["balance"] == 40
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "succeeded"
    assert log["messageId"] == got.webhook_id
    assert log["resourceId"] == member
    assert log["attempts"][0]["statusCode"] == 200
    assert log["attempts"][0]["outcome"] == "succeeded"


def test_the_merchant_walkthrough_delivers_every_event_verified(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    """Create an endpoint, enrol, award, buy a coupon, redeem it, ingest and refund an
    order: every event arrives, each verifiable with the official library."""
    hook = create_endpoint(tenant.api, receiver.url())
    member = tenant.api.post("/members", json={"email": f"{unique('w')}@example.com"}).json()["id"]
    award(tenant, member, 500)
    pool = make_pool(tenant, codes=2, points_cost=100)
    bought = tenant.api.post(f"/members/{member}/redeem-coupon", json={"poolId": pool["id"]})
    assert bought.status_code == 200, bought.text
    code = bought.json()["coupon"]["code"]
    assert tenant.api.post(f"/coupons/{code}/redeem", json={}).status_code == 200
    external = unique("ord")
    order = tenant.api.post(
        "/orders",
        json={"externalOrderId": external, "memberId": member, "total": "80.00", "currency": "USD"},
    )
    assert order.status_code == 201, order.text
    refund = tenant.api.post(f"/orders/{external}/refund", json={})
    assert refund.status_code == 200, refund.text

    worker.drain()
    types = [r.verify(hook["secret"])["type"] for r in receiver.received()]
    for wanted in (
        "member.created",
        "points.awarded",
        "points.deducted",
        "coupon.issued",
        "coupon.redeemed",
        "order.created",
        "order.refunded",
    ):
        assert wanted in types, (wanted, types)
    assert len({r.webhook_id for r in receiver.received()}) == len(types)


def test_only_subscribed_and_enabled_endpoints_get_an_event(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    create_endpoint(tenant.api, receiver.url("/points"), events=["points.awarded"])
    create_endpoint(tenant.api, receiver.url("/orders"), events=["order.created"])
    create_endpoint(tenant.api, receiver.url("/off"), events=["*"], enabled=False)
    award(tenant, insert_member(tenant), 10)
    worker.drain()
    assert len(receiver.received("/points")) == 1
    assert receiver.received("/orders") == []
    assert receiver.received("/off") == []


def test_each_endpoint_gets_each_event_once(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    create_endpoint(tenant.api, receiver.url("/a"))
    create_endpoint(tenant.api, receiver.url("/b"))
    member = insert_member(tenant)
    for amount in (1, 2, 3):
        award(tenant, member, amount)
    worker.drain()
    for path in ("/a", "/b"):
        ids = [r.webhook_id for r in receiver.received(path)]
        assert len(ids) == len(set(ids)) == 3
    # The same event carries the same webhook-id to both endpoints.
    assert {r.webhook_id for r in receiver.received("/a")} == {
        r.webhook_id for r in receiver.received("/b")
    }


def test_a_tenants_endpoint_never_receives_another_tenants_events(
    db: Database,
    tenant: Tenant,
    other_tenant: Tenant,
    receiver: Receiver,
    config: DeliveryConfig,
    worker: DeliveryWorker,
) -> None:
    create_endpoint(tenant.api, receiver.url("/a"))
    create_endpoint(other_tenant.api, receiver.url("/b"))
    award(other_tenant, insert_member(other_tenant), 10)
    other_worker = DeliveryWorker(
        db, config, renderers=event_renderers(), tenant_id=other_tenant.id
    )
    try:
        worker.drain()
        other_worker.drain()
    finally:
        other_worker.close()
    assert receiver.received("/a") == []
    assert len(receiver.received("/b")) == 1
    assert _count(db, WebhookDelivery, tenant) == 0


def test_events_of_one_resource_are_delivered_in_order(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker, clock: TestClock
) -> None:
    """While the first event of a member is failing, later events of that member wait;
    another member's events are not held up."""
    create_endpoint(tenant.api, receiver.url(), events=["points.awarded"])
    first, second = insert_member(tenant), insert_member(tenant)
    # Both members' first deliveries are sent at once and reach the receiver in either
    # order: fail the first member's, whichever arrives first.
    receiver.reply(Reply(status=500), when=lambda got: got.json["data"]["memberId"] == first)
    for amount in (1, 2, 3):
        award(tenant, first, amount)
    award(tenant, second, 7)

    def sent(member: str) -> list[int]:
        return [
            r.json["data"]["transaction"]["amount"]
            for r in receiver.received()
            if r.json["data"]["memberId"] == member
        ]

    assert worker.drain() == 2  # first's 1 (fails) and second's 7, sent together
    assert sent(first) == [1]  # first's 2 and 3 wait behind its failed 1...
    assert sent(second) == [7]  # ...and do not hold up another member's event

    clock.advance(seconds=SCHEDULE[0] + 1)
    assert worker.drain() == 3  # the retry of 1, then 2 and 3, each released in turn
    assert sent(first) == [1, 1, 2, 3]
    assert sent(second) == [7]


def test_a_delivery_waits_its_turn_and_is_released_when_the_one_ahead_finishes(
    db: Database, tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = create_endpoint(tenant.api, receiver.url(), events=["points.awarded"])
    member = insert_member(tenant)
    award(tenant, member, 1)
    award(tenant, member, 2)  # finds the first still pending: parked behind it
    second, first = deliveries(tenant.api, hook["id"])  # the log is newest first
    assert first["nextAttemptAt"] is not None
    assert second["status"] == "pending" and second["nextAttemptAt"] is None
    assert worker.drain() == 2
    assert [r.json["data"]["transaction"]["amount"] for r in receiver.received()] == [1, 2]


def test_a_parked_delivery_that_missed_its_hand_over_is_released_by_the_sweep(
    db: Database, tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    """The PostgreSQL race: the delivery ahead finished without seeing this one (its
    event committed a moment later). Simulated by finishing the first behind the
    worker's back."""
    hook = create_endpoint(tenant.api, receiver.url(), events=["points.awarded"])
    member = insert_member(tenant)
    award(tenant, member, 1)
    award(tenant, member, 2)
    with db.transaction() as s:
        first = s.scalars(
            select(WebhookDelivery).where(
                WebhookDelivery.tenant_id == tenant.id, WebhookDelivery.seq == 1
            )
        ).one()
        first.status = "succeeded"
    assert worker.drain() == 0  # the second is parked and nobody released it
    assert worker.sweep() == 1
    assert worker.drain() == 1
    assert [r.json["data"]["transaction"]["amount"] for r in receiver.received()] == [2]
    assert len(deliveries(tenant.api, hook["id"], status="succeeded")) == 2
