"""Retries against a real server: a POST whose answer is lost is sent again with the same
Idempotency-Key and writes once; a 429 is waited out per Retry-After; other 4xx are
never retried. Faults come from a proxy in front of the server (``FaultyProxy``)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from punchcard_sdk import (
    APIConnectionError,
    Client,
    RateLimitError,
    ValidationError,
)
from sdk_support import FaultyProxy, Team, unique


@pytest.fixture
def proxy(team: Team) -> Iterator[FaultyProxy]:
    p = FaultyProxy(team.url, match="POST /api/v2/members/", fault="drop", faults=1)
    yield p
    p.close()


def test_a_post_whose_answer_was_dropped_is_retried_and_writes_once(
    team: Team, client: Client, proxy: FaultyProxy
) -> None:
    member = client.members.create(email=f"{unique('drop')}@example.com")
    with Client(base_url=proxy.url, api_key=team.api_key) as through_proxy:
        change = through_proxy.points.change(member.id, 25, description="order A-1")

    posts = [s for s in proxy.seen if s.method == "POST"]
    assert [s.fault for s in posts] == ["drop", None]
    # The server did the work the first time; the retry carried the same key and got
    # the stored answer back, not a second award.
    assert posts[0].status == 200
    assert posts[0].idempotency_key is not None
    assert posts[1].idempotency_key == posts[0].idempotency_key
    assert posts[1].replayed is True
    assert change.balance == 25
    assert client.points.balance(member.id).balance == 25
    assert [t.amount for t in client.points.history(member.id)] == [25]


def test_each_call_gets_its_own_idempotency_key(team: Team, client: Client) -> None:
    member = client.members.create(email=f"{unique('keys')}@example.com")
    proxy = FaultyProxy(team.url, faults=0)
    try:
        with Client(base_url=proxy.url, api_key=team.api_key) as through_proxy:
            through_proxy.points.change(member.id, 5)
            through_proxy.points.change(member.id, 5)
            through_proxy.points.change(member.id, 5, idempotency_key="till-7-sale-991")
            through_proxy.points.change(member.id, 5, idempotency_key="till-7-sale-991")
            through_proxy.members.get(member.id)
    finally:
        proxy.close()
    keys = [s.idempotency_key for s in proxy.seen]
    assert keys[0] != keys[1]
    assert keys[2] == keys[3] == "till-7-sale-991"
    assert keys[4] is None  # GETs need none
    assert client.points.balance(member.id).balance == 15  # the caller's key: once


def test_a_gateway_error_is_retried(team: Team, client: Client) -> None:
    member = client.members.create(email=f"{unique('bad-gw')}@example.com")
    proxy = FaultyProxy(team.url, match="GET /api/v2/members/", fault="502", faults=2)
    try:
        with Client(base_url=proxy.url, api_key=team.api_key) as through_proxy:
            assert through_proxy.members.get(member.id).id == member.id
    finally:
        proxy.close()
    assert [s.fault for s in proxy.seen] == ["502", "502", None]


def test_other_client_errors_are_not_retried(team: Team) -> None:
    proxy = FaultyProxy(team.url, faults=0)
    try:
        with Client(base_url=proxy.url, api_key=team.api_key) as through_proxy:
            with pytest.raises(ValidationError):
                through_proxy.members.create(email="not-an-email")
    finally:
        proxy.close()
    assert len(proxy.seen) == 1


def test_no_answer_at_all_raises_a_connection_error_after_the_retries(team: Team) -> None:
    member_path = "GET /api/v2/members/"
    proxy = FaultyProxy(team.url, match=member_path, fault="drop", faults=100)
    try:
        with Client(base_url=proxy.url, api_key=team.api_key, max_retries=2) as through_proxy:
            with pytest.raises(APIConnectionError) as failed:
                through_proxy.members.get("mem_00000000000000000000000000000000")
    finally:
        proxy.close()
    assert failed.value.status is None
    assert len(proxy.seen) == 3  # the first try and two retries


def _on_starter_plan(team: Team) -> None:
    """Move the team to the plan the test server limits to 2 requests a second."""
    with team.owner() as owner:
        r = owner.patch("/settings", json={"plan": "starter"})
        assert r.status_code == 200, r.text


def test_a_429_is_waited_out_per_retry_after_then_succeeds(team: Team) -> None:
    _on_starter_plan(team)
    events: list[tuple[str, float, httpx.Response | None]] = []

    def on_request(request: httpx.Request) -> None:
        events.append(("request", time.monotonic(), None))

    def on_response(response: httpx.Response) -> None:
        events.append(("response", time.monotonic(), response))

    http = httpx.Client(event_hooks={"request": [on_request], "response": [on_response]})
    with Client(base_url=team.url, api_key=team.api_key, http_client=http) as client:
        member = client.members.create(email=f"{unique('busy')}@example.com")
        names = []
        for _ in range(10):  # until the limit is met (2 a second: at the third call)
            names.append(client.members.get(member.id).email)
            if any(r is not None and r.status_code == 429 for _, _, r in events):
                break
    http.close()

    assert names == [member.email] * len(names)  # every call succeeded in the end
    refused = [
        (i, at, r)
        for i, (kind, at, r) in enumerate(events)
        if r is not None and r.status_code == 429
    ]
    assert refused, "the plan's limit was never reached"
    for i, at, response in refused:
        retry_after = float(response.headers["retry-after"])
        assert retry_after >= 1
        assert response.json()["error"]["code"] == "RATE_LIMITED"
        kind, next_at, _ = events[i + 1]
        assert kind == "request"
        # The SDK slept at least Retry-After, and not much longer (jitter ≤ 0.25 s; the
        # rest is slack for a busy machine).
        assert retry_after <= next_at - at < retry_after + 2.0


def test_a_429_beyond_the_retries_is_a_rate_limit_error(team: Team) -> None:
    _on_starter_plan(team)
    with Client(base_url=team.url, api_key=team.api_key, max_retries=0) as client:
        member = client.members.create(email=f"{unique('limit')}@example.com")
        with pytest.raises(RateLimitError) as limited:
            for _ in range(5):
                client.members.get(member.id)
    assert limited.value.status == 429
    assert limited.value.code == "RATE_LIMITED"
    assert limited.value.retry_after is not None
    assert limited.value.retry_after >= 1


def test_a_retry_after_longer_than_the_cap_is_not_slept_through(team: Team) -> None:
    _on_starter_plan(team)
    with Client(base_url=team.url, api_key=team.api_key, max_retry_after=0.5) as client:
        member = client.members.create(email=f"{unique('cap')}@example.com")
        with pytest.raises(RateLimitError) as limited:
            for _ in range(5):
                started = time.monotonic()
                client.members.get(member.id)
        # Refused at once: Retry-After (1 s or more) is beyond what the client waits.
        assert time.monotonic() - started < 0.5
    assert limited.value.retry_after is not None
    assert limited.value.retry_after > 0.5
