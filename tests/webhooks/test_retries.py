"""Retries on the schedule, 410, 429 Retry-After, timeouts, giving up (the endpoint is
disabled and the record is visible), the deliveries log, replay."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

from punchcard.app import event_renderers
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.webhooks.config import DeliveryConfig
from punchcard.worker.delivery import DeliveryWorker
from tests.conftest import TestClock
from tests.factories import Tenant, award, insert_member
from tests.webhooks.conftest import SCHEDULE
from tests.webhooks.receiver import Receiver, Reply
from tests.webhooks.support import create_endpoint, deliveries


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _one_event(tenant: Tenant, receiver: Receiver, **kw: object) -> dict:  # type: ignore[type-arg]
    hook = create_endpoint(tenant.api, receiver.url(), events=["points.awarded"], **kw)
    award(tenant, insert_member(tenant), 10)
    return hook


def test_failures_are_retried_on_the_schedule_until_success(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker, clock: TestClock
) -> None:
    clock.freeze()  # time moves only when the test says so
    hook = _one_event(tenant, receiver)
    receiver.reply(Reply(status=500), Reply(status=503), Reply(status=400))
    assert worker.drain() == 1
    for wait in SCHEDULE:
        assert worker.drain() == 0  # not due yet: nothing is sent early
        clock.advance(seconds=wait + 1)
        assert worker.drain() == 1
    got = receiver.received()
    assert len(got) == 4
    assert len({r.webhook_id for r in got}) == 1  # the same message every time

    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "succeeded"
    assert log["attemptCount"] == 4
    assert [a["statusCode"] for a in log["attempts"]] == [500, 503, 400, 200]
    assert [a["outcome"] for a in log["attempts"]] == ["retrying"] * 3 + ["succeeded"]
    for attempt, wait in zip(log["attempts"], SCHEDULE, strict=False):
        delay = (_at(attempt["nextRetryAt"]) - _at(attempt["attemptedAt"])).total_seconds()
        assert delay == wait  # jitter is off in these tests
        assert attempt["responseExcerpt"] == "ok"
        assert attempt["latencyMs"] >= 0


def test_the_response_excerpt_is_at_most_one_kib(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = _one_event(tenant, receiver)
    receiver.reply(Reply(status=500, body=b"x" * 5000))
    worker.drain()
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["attempts"][0]["responseExcerpt"] == "x" * 1024


def test_410_disables_the_endpoint_at_once(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker, clock: TestClock
) -> None:
    hook = _one_event(tenant, receiver)
    receiver.reply(Reply(status=410))
    worker.drain()
    endpoint = tenant.api.get(f"/webhooks/{hook['id']}").json()
    assert endpoint["enabled"] is False
    assert endpoint["disabledReason"] == "The endpoint answered 410 Gone"
    assert endpoint["disabledAt"] is not None
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "failed"
    assert log["attempts"][0]["outcome"] == "endpoint_disabled"
    # Nothing more is sent to it, however long we wait.
    award(tenant, insert_member(tenant), 5)
    clock.advance(hours=1)
    assert worker.drain() == 0
    assert len(receiver.received()) == 1


def test_429_waits_as_long_as_retry_after_says(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker, clock: TestClock
) -> None:
    clock.freeze()
    hook = _one_event(tenant, receiver)
    receiver.reply(Reply(status=429, headers={"Retry-After": "120"}))
    worker.drain()
    (log,) = deliveries(tenant.api, hook["id"])
    attempt = log["attempts"][0]
    delay = (_at(attempt["nextRetryAt"]) - _at(attempt["attemptedAt"])).total_seconds()
    assert delay == 120  # not the schedule's 10 s
    clock.advance(seconds=SCHEDULE[0] + 1)
    assert worker.drain() == 0
    clock.advance(seconds=120)
    assert worker.drain() == 1
    assert deliveries(tenant.api, hook["id"])[0]["status"] == "succeeded"


def test_a_receiver_that_hangs_past_the_timeout_is_retried(
    db: Database, tenant: Tenant, receiver: Receiver, worker: DeliveryWorker, clock: TestClock
) -> None:
    # A worker with a short timeout makes the first attempt, which the receiver sits on
    # far longer than that. The retry is left to the usual worker: a 0.3 s budget for an
    # answer that does come is a race with the machine's load, not part of the test.
    quick = DeliveryConfig(retry_schedule=SCHEDULE, timeout=0.3, allow_private=True, jitter=0.0)
    impatient = DeliveryWorker(db, quick, renderers=event_renderers(), tenant_id=tenant.id)
    try:
        hook = _one_event(tenant, receiver)
        receiver.reply(Reply(hang=30))
        assert impatient.drain() == 1
    finally:
        impatient.close()
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "pending"
    assert log["attempts"][0]["statusCode"] is None
    assert log["attempts"][0]["error"].startswith("timeout")
    assert log["attempts"][0]["outcome"] == "retrying"
    assert worker.drain() == 0  # not due before its schedule step
    clock.advance(seconds=SCHEDULE[0] + 1)
    assert worker.drain() == 1
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "succeeded"
    assert [a["outcome"] for a in log["attempts"]] == ["retrying", "succeeded"]


def test_a_refused_connection_is_retried(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    # A port we hold bound but never listen on: connecting is refused, and no other
    # test's receiver can be given the port meanwhile (as it could once closed).
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{held.getsockname()[1]}/hook"
        hook = create_endpoint(tenant.api, url, events=["points.awarded"])
        award(tenant, insert_member(tenant), 10)
        assert worker.drain() == 1
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "pending"
    assert log["attempts"][0]["error"].startswith("connection failed")


def test_exhausting_the_schedule_disables_the_endpoint_and_tells_the_owner(
    tenant: Tenant,
    receiver: Receiver,
    worker: DeliveryWorker,
    clock: TestClock,
    settings: Settings,
) -> None:
    watcher = create_endpoint(tenant.api, receiver.url("/watch"), events=["endpoint.disabled"])
    hook = _one_event(tenant, receiver)
    receiver.reply(*[Reply(status=500)] * (len(SCHEDULE) + 1))
    worker.drain()
    for wait in SCHEDULE:
        clock.advance(seconds=wait + 1)
        worker.drain()

    endpoint = tenant.api.get(f"/webhooks/{hook['id']}").json()
    assert endpoint["enabled"] is False
    assert endpoint["disabledReason"] == "Retry schedule exhausted after 4 failed attempts"
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "failed" and log["attemptCount"] == 4
    assert [a["outcome"] for a in log["attempts"]] == ["retrying"] * 3 + ["endpoint_disabled"]
    assert log["attempts"][-1]["nextRetryAt"] is None
    # The endpoint.disabled event reached the tenant's other endpoint...
    (notice,) = receiver.received("/watch")
    data = notice.verify(watcher["secret"])
    assert data["type"] == "endpoint.disabled"
    assert data["data"]["webhookId"] == hook["id"]
    assert data["data"]["reason"] == endpoint["disabledReason"]
    # ...and the owner got a mail.
    mails = [p.read_text() for p in Path(settings.mail_dir).glob("*.eml")]
    assert any(hook["id"] in m and tenant.owner_email in m for m in mails)


def test_enabling_again_resumes_the_queued_deliveries(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = _one_event(tenant, receiver)
    tenant.api.patch(f"/webhooks/{hook['id']}", json={"enabled": False})
    assert worker.drain() == 0
    tenant.api.patch(f"/webhooks/{hook['id']}", json={"enabled": True})
    assert worker.drain() == 1
    assert deliveries(tenant.api, hook["id"])[0]["status"] == "succeeded"


def test_replay_sends_the_same_message_again(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = _one_event(tenant, receiver)
    worker.drain()
    (log,) = deliveries(tenant.api, hook["id"])
    r = tenant.api.post(f"/webhooks/{hook['id']}/deliveries/{log['id']}/retry")
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending"
    assert worker.drain() == 1
    first, second = receiver.received()
    assert first.webhook_id == second.webhook_id
    assert first.body == second.body
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "succeeded"
    assert [a["trigger"] for a in log["attempts"]] == ["scheduled", "replay"]


def test_replay_of_a_failed_delivery_after_the_receiver_is_fixed(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = _one_event(tenant, receiver)
    receiver.reply(Reply(status=410))
    worker.drain()
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "failed"
    tenant.api.patch(f"/webhooks/{hook['id']}", json={"enabled": True})
    tenant.api.post(f"/webhooks/{hook['id']}/deliveries/{log['id']}/retry")
    worker.drain()
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "succeeded"
    assert [a["statusCode"] for a in log["attempts"]] == [410, 200]


def test_deliveries_log_filters_by_status(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = create_endpoint(tenant.api, receiver.url(), events=["points.awarded"])
    member, other = insert_member(tenant), insert_member(tenant)
    receiver.reply(Reply(status=500))
    award(tenant, member, 1)
    worker.drain()
    award(tenant, other, 2)
    worker.drain()
    assert len(deliveries(tenant.api, hook["id"], status="pending")) == 1
    assert len(deliveries(tenant.api, hook["id"], status="succeeded")) == 1
    bad = tenant.api.get(f"/webhooks/{hook['id']}/deliveries", params={"status": "lost"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "status"


def test_the_test_ping_is_delivered_and_logged(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = create_endpoint(tenant.api, receiver.url(), events=["order.created"])
    queued = tenant.api.post(f"/webhooks/{hook['id']}/test").json()
    worker.drain()
    (got,) = receiver.received()
    event = got.verify(hook["secret"])
    assert event["type"] == "ping"
    assert event["data"]["webhookId"] == hook["id"]
    one = tenant.api.get(f"/webhooks/{hook['id']}/deliveries/{queued['id']}").json()
    assert one["status"] == "succeeded"
