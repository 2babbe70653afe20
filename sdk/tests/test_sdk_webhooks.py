"""``verify_webhook`` on a real delivery: the server's worker signs and posts a
``member.created`` event to a receiver in the test."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from punchcard_sdk import Client, WebhookVerificationError, verify_webhook
from sdk_support import Receiver, unique


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def delivery(client: Client, receiver: Receiver) -> tuple[bytes, dict[str, str], str, str]:
    """A real signed delivery: (raw body, headers, the endpoint's secret, member id)."""
    endpoint = client.webhooks.create(url=receiver.url, events=["member.created"])
    assert endpoint.secret is not None
    member = client.members.create(email=f"{unique('hook')}@example.com")
    ((body, headers),) = receiver.wait_for(1)
    return body, headers, endpoint.secret, member.id


def test_verify_webhook_accepts_a_real_signed_delivery(
    delivery: tuple[bytes, dict[str, str], str, str],
) -> None:
    body, headers, secret, member_id = delivery
    event = verify_webhook(body, headers, secret)
    assert event.type == "member.created"
    assert event.data["id"] == member_id
    assert event.id == headers["webhook-id"]
    assert event.timestamp is not None
    # The body may come as text too, and headers in any case.
    upper = {k.upper(): v for k, v in headers.items()}
    assert verify_webhook(body.decode(), upper, secret) == event


def test_verify_webhook_rejects_a_tampered_delivery(
    delivery: tuple[bytes, dict[str, str], str, str],
) -> None:
    body, headers, secret, _ = delivery
    payload = json.loads(body)
    payload["data"]["pointsBalance"] = 1_000_000
    tampered = json.dumps(payload, separators=(",", ":")).encode()
    with pytest.raises(WebhookVerificationError):
        verify_webhook(tampered, headers, secret)

    # Re-serialised JSON (same content, other bytes) is not the signed body either.
    with pytest.raises(WebhookVerificationError):
        verify_webhook(json.dumps(json.loads(body), indent=2), headers, secret)

    other_secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, headers, other_secret)

    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, {**headers, "webhook-timestamp": "1000000000"}, secret)

    unsigned = {k: v for k, v in headers.items() if k.lower() != "webhook-signature"}
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, unsigned, secret)

    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, {**headers, "webhook-signature": "garbage"}, secret)
