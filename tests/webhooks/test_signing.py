"""Deliveries are signed per Standard Webhooks; checked with the official verifier."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from punchcard.webhooks import signing
from punchcard.worker.delivery import DeliveryWorker
from tests.conftest import TestClock
from tests.factories import Tenant, award, insert_member
from tests.webhooks.receiver import Received, Receiver
from tests.webhooks.support import create_endpoint


def _one_delivery(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> tuple[str, Received]:
    hook = create_endpoint(tenant.api, receiver.url(), events=["points.awarded"])
    member = insert_member(tenant)
    award(tenant, member, 25)
    assert worker.drain() == 1
    (got,) = receiver.wait_for(1)
    return hook["secret"], got


def test_valid_signature_verifies_and_body_is_the_event(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    secret, got = _one_delivery(tenant, receiver, worker)
    payload = got.verify(secret)
    assert payload["type"] == "points.awarded"
    assert payload["timestamp"].endswith("Z")
    assert payload["data"]["transaction"]["amount"] == 25
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["webhook-signature"].startswith("v1,")
    assert got.headers["content-type"] == "application/json"


def test_tampered_body_fails_verification(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    secret, got = _one_delivery(tenant, receiver, worker)
    body = json.loads(got.body)
    body["data"]["transaction"]["amount"] = 25_000
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(json.dumps(body), got.headers)


def test_wrong_secret_fails_verification(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    _secret, got = _one_delivery(tenant, receiver, worker)
    with pytest.raises(WebhookVerificationError):
        got.verify(signing.new_secret())


def test_stale_timestamp_fails_verification(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker, clock: TestClock
) -> None:
    # Everything happens ten minutes ago, so the signed timestamp is ten minutes old
    # when the receiver checks it against its own clock.
    clock.freeze(clock.now() - timedelta(minutes=10))
    _secret, got = _one_delivery(tenant, receiver, worker)
    with pytest.raises(WebhookVerificationError, match="too old"):
        got.verify(_secret)


def test_after_rotation_both_secrets_verify_during_the_grace_period(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    new = tenant.api.post(f"/webhooks/{hook['id']}/rotate-secret").json()["secret"]
    tenant.api.post(f"/webhooks/{hook['id']}/test")
    worker.drain()
    (got,) = receiver.wait_for(1)
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    assert got.verify(new)["type"] == "ping"
    assert got.verify(hook["secret"])["type"] == "ping"


def test_after_the_grace_period_only_the_new_secret_signs(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker, clock: TestClock
) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    new = tenant.api.post(f"/webhooks/{hook['id']}/rotate-secret").json()["secret"]
    clock.advance(hours=25)
    tenant.api.post(f"/webhooks/{hook['id']}/test")
    worker.drain()
    (got,) = receiver.wait_for(1)
    # The signed timestamp is a day ahead of real time, so compare signatures directly.
    signature = got.headers["webhook-signature"]
    assert " " not in signature
    signed_at = datetime.fromtimestamp(int(got.headers["webhook-timestamp"]), tz=UTC)
    expected = signing.headers(got.webhook_id, signed_at, got.body.decode(), [new])
    assert signature == expected["webhook-signature"]
