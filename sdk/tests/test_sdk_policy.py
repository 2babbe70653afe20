"""The retry policy's decisions and the wire helpers, on their own (no server)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from punchcard_sdk import errors
from punchcard_sdk._base import BACKOFF_CAP, RetryPolicy, api_root
from punchcard_sdk._wire import NOT_GIVEN, body, camel, params


def _error(status: int, code: str = "X", retry_after: float | None = None) -> errors.PunchcardError:
    payload = {"error": {"code": code, "message": "m", "field": None}}
    return errors.from_response(status, payload, retry_after=retry_after)


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy()
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (10, BACKOFF_CAP)]:
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    assert RetryPolicy().delay_after(0, _error(status)) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_until_max_retries(status: int) -> None:
    policy = RetryPolicy(max_retries=2)
    assert policy.delay_after(0, _error(status)) is not None
    assert policy.delay_after(1, _error(status)) is not None
    assert policy.delay_after(2, _error(status)) is None


def test_an_idempotency_key_still_in_flight_is_retried() -> None:
    assert RetryPolicy().delay_after(0, _error(409, "IDEMPOTENCY_KEY_IN_FLIGHT")) is not None
    assert RetryPolicy().delay_after(0, _error(409, "DUPLICATE_MEMBER")) is None


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(max_retry_after=10)
    wait = policy.delay_after(0, _error(429, "RATE_LIMITED", retry_after=3))
    assert wait is not None
    assert 3 <= wait <= 3.25
    assert policy.delay_after(0, _error(429, "RATE_LIMITED", retry_after=11)) is None
    unavailable = policy.delay_after(0, _error(503, retry_after=5))
    assert unavailable is not None
    assert unavailable >= 5


def test_a_connection_error_is_retried() -> None:
    assert RetryPolicy().delay_after(0, errors.APIConnectionError("reset")) is not None
    assert RetryPolicy(max_retries=0).delay_after(0, errors.APITimeoutError("slow")) is None


def test_an_answer_without_the_envelope_is_still_typed() -> None:
    error = errors.from_response(502, None)
    assert isinstance(error, errors.ServerError)
    assert (error.status, error.code, error.message) == (502, None, "HTTP 502")


def test_request_bodies_are_camel_case_and_tell_left_out_from_null() -> None:
    assert camel("external_order_id") == "externalOrderId"
    sent = body(first_name=None, last_name=NOT_GIVEN, total=Decimal("1.50"))
    assert sent == {"firstName": None, "total": "1.50"}


def test_date_ranges_are_sent_as_from_and_to() -> None:
    assert params(since="2026-01-01", until=None, member_id="mem_1") == {
        "from": "2026-01-01",
        "memberId": "mem_1",
    }


def test_the_api_prefix_is_added_once() -> None:
    assert api_root("http://h:8000") == "http://h:8000/api/v2"
    assert api_root("http://h:8000/api/v2/") == "http://h:8000/api/v2"
