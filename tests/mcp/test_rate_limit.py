"""``/mcp`` counts each HTTP request against its API key's plan, as every API request
is (``api/common/ratelimit.py``): X-RateLimit headers on each answer, 429 with
``Retry-After`` in the endpoint's error envelope once the window is spent, on the same
counters as the key's API requests."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Tenant

HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


def _limits(r: Any) -> tuple[int, int, int]:
    return tuple(int(r.headers[h]) for h in HEADERS)  # type: ignore[return-value]


def _starter(t: Tenant) -> None:
    r = t.owner.patch("/settings", json={"plan": "starter"})
    assert r.status_code == 200 and r.json()["plan"] == "starter", r.text


def _mcp(client: TestClient, token: str) -> Any:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"}
    return client.post("/mcp", json=LIST_TOOLS, headers=headers)


def test_a_starter_key_gets_its_31st_mcp_request_in_a_minute_refused(
    client: TestClient, tenant: Tenant
) -> None:
    _starter(tenant)
    key = tenant.key("metrics:read")
    for n in range(1, 31):
        r = _mcp(client, key.token)
        assert r.status_code == 200, r.text
        assert "get_metrics" in {tool["name"] for tool in r.json()["result"]["tools"]}
        assert _limits(r)[:2] == (30, 30 - n)
    refused = _mcp(client, key.token)
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    assert error["code"] == "RATE_LIMITED" and "30 requests per 1 minute" in error["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    limit, remaining, reset = _limits(refused)
    assert (limit, remaining) == (30, 0)
    assert time.time() < reset <= time.time() + 61
    # One count per key: its API requests are refused too, and another key is not.
    assert key.get("/metrics").status_code == 429
    assert _mcp(client, tenant.key("metrics:read").token).status_code == 200


def test_mcp_and_api_requests_share_the_keys_count(client: TestClient, tenant: Tenant) -> None:
    _starter(tenant)
    key = tenant.key("metrics:read")
    assert _limits(key.get("/metrics"))[:2] == (30, 29)
    assert _limits(_mcp(client, key.token))[:2] == (30, 28)
    assert _limits(key.get("/metrics"))[:2] == (30, 27)


def test_a_key_without_the_scope_is_counted_before_its_403(
    client: TestClient, tenant: Tenant
) -> None:
    _starter(tenant)
    r = _mcp(client, tenant.key_without("metrics:read").token)
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert _limits(r)[:2] == (30, 29)


def test_an_unlimited_plan_is_not_counted(client: TestClient, tenant: Tenant) -> None:
    r = _mcp(client, tenant.key("metrics:read").token)
    assert r.status_code == 200, r.text
    assert not any(h in r.headers for h in HEADERS)
