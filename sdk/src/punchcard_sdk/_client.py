"""``Client`` and ``AsyncClient``: the same resources, sent with httpx, with retries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from punchcard_sdk import _base as b
from punchcard_sdk import errors
from punchcard_sdk.resources import (
    AsyncCoupons,
    AsyncMembers,
    AsyncOrders,
    AsyncPoints,
    AsyncRewards,
    AsyncWebhooks,
    Coupons,
    Members,
    Orders,
    Points,
    Rewards,
    Webhooks,
)

T = TypeVar("T")


class _Options:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        max_retry_after: float,
        headers: Mapping[str, str] | None,
    ) -> None:
        if not api_key:
            raise ValueError("api_key is required (an `fl_live_…` key)")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.root = b.api_root(base_url)
        self.headers = b.headers(api_key, headers)
        self.timeout = b.timeout_of(timeout)
        self.retry = b.RetryPolicy(max_retries=max_retries, max_retry_after=max_retry_after)

    def send_args(self, call: b.Call[Any], key: str | None) -> dict[str, Any]:
        return {
            "method": call.method,
            "url": self.root + call.path,
            "params": call.params,
            "json": call.json,
            "headers": {**self.headers, **b.request_headers(key)},
            "timeout": self.timeout,
        }


class Client:
    """A synchronous client of Punchcard's native API.

    ``base_url`` is the server (``https://loyalty.example.com``; ``/api/v2`` is added
    when missing), ``api_key`` an ``fl_live_…`` key. ``timeout`` is seconds per request
    (or an ``httpx.Timeout``); a call is tried up to ``1 + max_retries`` times (see
    :class:`~punchcard_sdk._base.RetryPolicy`). Pass ``http_client`` to bring your own
    ``httpx.Client`` (proxies, event hooks); the SDK then leaves closing it to you.
    Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float | httpx.Timeout | None = b.DEFAULT_TIMEOUT,
        max_retries: int = b.DEFAULT_MAX_RETRIES,
        max_retry_after: float = b.MAX_RETRY_AFTER,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._options = _Options(base_url, api_key, timeout, max_retries, max_retry_after, headers)
        self._own_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client()
        self.members = Members(self._request)
        self.points = Points(self._request)
        self.orders = Orders(self._request)
        self.coupons = Coupons(self._request)
        self.rewards = Rewards(self._request)
        self.webhooks = Webhooks(self._request)

    def _request(self, call: b.Call[T], /) -> T:
        key = b.idempotency_key(call)
        attempt = 0
        while True:
            try:
                response = self._http.request(**self._options.send_args(call, key))
            except httpx.TransportError as exc:
                error = b.transport_error(exc, call)
            else:
                if response.is_success:
                    return call.read(response)
                error = b.answer_error(response)
            delay = self._options.retry.delay_after(attempt, error)
            if delay is None:
                raise error
            b.log_retry(call, error, delay, attempt)
            time.sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the connection pool (not an ``http_client`` you passed in)."""
        if self._own_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient:
    """The asynchronous twin of :class:`Client`: the same arguments and resources,
    every call awaited (``await client.members.get(...)``, ``async for`` over lists).
    Use as an async context manager, or ``await client.close()``."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float | httpx.Timeout | None = b.DEFAULT_TIMEOUT,
        max_retries: int = b.DEFAULT_MAX_RETRIES,
        max_retry_after: float = b.MAX_RETRY_AFTER,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._options = _Options(base_url, api_key, timeout, max_retries, max_retry_after, headers)
        self._own_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()
        self.members = AsyncMembers(self._request)
        self.points = AsyncPoints(self._request)
        self.orders = AsyncOrders(self._request)
        self.coupons = AsyncCoupons(self._request)
        self.rewards = AsyncRewards(self._request)
        self.webhooks = AsyncWebhooks(self._request)

    async def _request(self, call: b.Call[T], /) -> T:
        key = b.idempotency_key(call)
        attempt = 0
        while True:
            try:
                response = await self._http.request(**self._options.send_args(call, key))
            except httpx.TransportError as exc:
                error = b.transport_error(exc, call)
            else:
                if response.is_success:
                    return call.read(response)
                error = b.answer_error(response)
            delay = self._options.retry.delay_after(attempt, error)
            if delay is None:
                raise error
            b.log_retry(call, error, delay, attempt)
            await asyncio.sleep(delay)
            attempt += 1

    async def close(self) -> None:
        """Close the connection pool (not an ``http_client`` you passed in)."""
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


__all__ = ["AsyncClient", "Client", "errors"]
