"""What the sync and async clients share: a request described as data (``Call``), the
retry policy, and the reading of answers. Only the sending and the sleeping differ
between :class:`~punchcard_sdk.Client` and :class:`~punchcard_sdk.AsyncClient`."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from punchcard_sdk import errors
from punchcard_sdk._version import __version__

T = TypeVar("T")

log = logging.getLogger("punchcard_sdk")

API_PREFIX = "/api/v2"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3
# Backoff of the n-th retry: BASE * 2**n seconds, at most CAP, then jittered.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
# A Retry-After longer than this is not waited out: the call raises RateLimitError at
# once (a day's window is better reported than slept through).
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API call: what to send and how to read the success answer."""

    method: str
    path: str  # under /api/v2, already percent-encoded
    read: Callable[[httpx.Response], T]
    params: Mapping[str, Any] | None = None
    json: Any = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its items and the list's ``total``."""

    items: list[T]
    total: int
    limit: int
    offset: int


def api_root(base_url: str) -> str:
    """``http://host:8000`` or ``http://host:8000/api/v2`` -> the latter."""
    root = base_url.rstrip("/")
    return root if root.endswith(API_PREFIX) else root + API_PREFIX


def timeout_of(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """Seconds for each of connect, read, write and pool; None: no limit (as httpx)."""
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try a call again and how long to wait first.

    Retried: no answer (connection refused or dropped, timeout), 429, 5xx, and 409
    ``IDEMPOTENCY_KEY_IN_FLIGHT`` (the first try of the same POST is still running).
    Never: any other 4xx, whose answer would not change."""

    max_retries: int = DEFAULT_MAX_RETRIES
    max_retry_after: float = MAX_RETRY_AFTER

    def backoff(self, attempt: int) -> float:
        """Exponential, with "equal jitter": half fixed, half random, so clients that
        failed together do not come back together."""
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2.0**attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def delay_after(self, attempt: int, error: errors.PunchcardError) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``; None: do not retry."""
        if attempt >= self.max_retries:
            return None
        if isinstance(error, errors.APIConnectionError):
            return self.backoff(attempt)
        if isinstance(error, errors.RateLimitError):
            if error.retry_after is None:
                return self.backoff(attempt)
            if error.retry_after > self.max_retry_after:
                return None
            # The window ends at Retry-After: never earlier, a little jitter after.
            return error.retry_after + random.uniform(0, 0.25)
        if error.status in RETRY_STATUSES:
            # A 503 may say when to come back (Retry-After); never sooner than that.
            wait = self.backoff(attempt)
            if isinstance(error, errors.ServerError) and error.retry_after is not None:
                if error.retry_after > self.max_retry_after:
                    return None
                wait = max(wait, error.retry_after)
            return wait
        if error.code == "IDEMPOTENCY_KEY_IN_FLIGHT":
            return self.backoff(attempt)
        return None


def headers(api_key: str, extra: Mapping[str, str] | None) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {api_key}",
        "Accept": "application/json",
        "User-Agent": f"punchcard-sdk-python/{__version__}",
        **(extra or {}),
    }


def idempotency_key(call: Call[Any]) -> str | None:
    """The key of a POST: the caller's, else a fresh one, the same on every retry."""
    if call.method != "POST":
        return None
    return call.idempotency_key or str(uuid.uuid4())


def request_headers(key: str | None) -> dict[str, str]:
    return {"Idempotency-Key": key} if key is not None else {}


def transport_error(exc: httpx.TransportError, call: Call[Any]) -> errors.PunchcardError:
    """A failure to get an answer, as the SDK's error (retryable or not)."""
    what = f"{call.method} {call.path}: {type(exc).__name__}: {exc}".rstrip(": ")
    error: errors.PunchcardError
    if isinstance(exc, httpx.TimeoutException):
        error = errors.APITimeoutError(f"timed out: {what}")
    elif isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        error = errors.APIConnectionError(f"no answer: {what}")
    else:
        # A malformed URL or an unsupported scheme: retrying would not help.
        error = errors.PunchcardError(f"request failed: {what}")
    error.__cause__ = exc
    return error


def answer_error(response: httpx.Response) -> errors.PunchcardError:
    try:
        payload: Any = response.json()
    except ValueError:
        payload = None
    return errors.from_response(
        response.status_code,
        payload,
        retry_after=_retry_after(response.headers.get("retry-after")),
        request_id=response.headers.get("x-request-id"),
    )


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: Punchcard sends seconds; fall back to backoff
    return max(0.0, seconds)


def log_retry(call: Call[Any], error: errors.PunchcardError, delay: float, attempt: int) -> None:
    log.info(
        "retrying %s %s in %.2f s (retry %d): %s",
        call.method,
        call.path,
        delay,
        attempt + 1,
        error,
    )


def json_of(response: httpx.Response) -> Any:
    return response.json()
