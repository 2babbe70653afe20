"""``punchcard mcp`` over stdio and ``/mcp`` over streamable HTTP, driven by the official
``mcp`` client against real processes on the suite's database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from mcp import Client
from tests.conftest import database_url
from tests.e2e.conftest import Server, start_server
from tests.factories import Tenant, make_tenant, unique

TOOLS = {"get_metrics", "program_liability", "top_members", "member_summary"}
FROM, TO = "2026-01-01", (date.today() + timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("mcp"), name="mcp")
    yield server
    server.stop()


def _history(t: Tenant) -> dict[str, Any]:
    """Two members with points, an order (42 points) and a reward redemption."""
    made = []
    for n in range(2):
        body = {"email": f"{unique('mcp')}@example.com", "firstName": f"M{n}"}
        r = t.api.post("/members", json=body)
        assert r.status_code == 201, r.text
        made.append(r.json())
    assert t.api.post(f"/members/{made[0]['id']}/points", json={"amount": 500}).status_code == 200
    assert t.api.post(f"/members/{made[1]['id']}/points", json={"amount": 80}).status_code == 200
    order = {"externalOrderId": unique("O-"), "memberId": made[1]["id"], "total": "42.50"}
    assert t.api.post("/orders", json=order).status_code == 201
    reward = t.api.post("/rewards", json={"name": "Mug", "pointsCost": 100}).json()
    r = t.api.post(f"/rewards/{reward['id']}/redeem", json={"memberId": made[0]["id"]})
    assert r.status_code == 200, r.text
    return {"members": made}


def _stdio(token: str | None) -> StdioServerParameters:
    env = {**os.environ, "PUNCHCARD_DATABASE_URL": database_url(), "PUNCHCARD_LOG_LEVEL": "warning"}
    env.pop("PUNCHCARD_API_KEY", None)
    if token is not None:
        env["PUNCHCARD_API_KEY"] = token
    return StdioServerParameters(
        command=sys.executable, args=["-m", "punchcard.cli.main", "mcp"], env=env
    )


def _http(server: Server, token: str) -> Any:
    client = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    return streamable_http_client(f"{server.url}/mcp", http_client=client)


async def _session(target: Any, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Tool names, and each call's structured result (or its error text)."""
    out: dict[str, Any] = {}
    async with Client(target) as client:
        listed = await client.list_tools()
        out["tools"] = {tool.name: tool for tool in listed.tools}
        for name, args in calls:
            result = await client.call_tool(name, args)
            if result.is_error:
                out[name] = {"error": " ".join(getattr(c, "text", "") for c in result.content)}
            else:
                out[name] = result.structured_content
    return out


def run(target: Any, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return anyio.run(_session, target, calls)


def _unwrap(value: Any) -> Any:
    # A dict-returning tool's structured content is the dict itself (or {"result": ...}).
    if isinstance(value, dict) and set(value) == {"result"}:
        return value["result"]
    return value


def _calls(mine: str, theirs: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("get_metrics", {"start": FROM, "end": TO, "interval": "week"}),
        ("program_liability", {}),
        ("top_members", {"by": "points", "limit": 5}),
        ("member_summary", {"member_id": mine}),
        ("member_summary", {"member_id": theirs}),
    ]


def _check(
    t: Tenant, got: dict[str, Any], api_metrics: dict[str, Any], mine: dict[str, Any]
) -> None:
    assert TOOLS <= set(got["tools"])
    schema = got["tools"]["top_members"].input_schema
    assert schema["properties"]["limit"]["maximum"] == 100
    assert _unwrap(got["get_metrics"]) == api_metrics
    liability = _unwrap(got["program_liability"])
    # 500 + 80 awarded, 42 earned by the order, 100 spent on the reward.
    assert liability["outstandingPoints"] == 522 and liability["liability"] == "5.22"
    assert api_metrics["outstandingPoints"] == 522
    top = _unwrap(got["top_members"])["members"]
    assert [m["pointsBalance"] for m in top] == [400, 122]


def test_stdio_tools_match_the_api_and_keep_tenants_apart(db: Any, client: Any) -> None:
    t, other = make_tenant(db, client), make_tenant(db, client, name="Other")
    mine = _history(t)["members"][0]
    theirs = _history(other)["members"][0]
    api = t.api.get("/metrics", params={"from": FROM, "to": TO, "interval": "week"})
    assert api.status_code == 200, api.text
    key = t.key("metrics:read").token
    calls = _calls(mine["id"], theirs["id"])
    got = run(_stdio(key), calls)
    _check(t, got, api.json(), mine)
    # `_session` keeps one result per tool name: each lookup in a session of its own.
    summary = run(_stdio(key), [("member_summary", {"email": mine["email"]})])
    s = _unwrap(summary["member_summary"])
    assert s["id"] == mine["id"] and s["pointsBalance"] == 400
    assert [e["amount"] for e in s["recentLedger"]] == [-100, 500]
    foreign = run(_stdio(key), [("member_summary", {"member_id": theirs["id"]})])
    assert "NOT_FOUND" in foreign["member_summary"]["error"]
    foreign = run(_stdio(key), [("member_summary", {"email": theirs["email"]})])
    assert "NOT_FOUND" in foreign["member_summary"]["error"]


def _mcp_command(token: str | None) -> subprocess.CompletedProcess[str]:
    params = _stdio(token)
    return subprocess.run(
        [params.command, *params.args],
        env=params.env,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_stdio_refuses_a_missing_bad_or_unscoped_key(db: Any, client: Any) -> None:
    t = make_tenant(db, client)
    missing = _mcp_command(None)
    assert missing.returncode != 0 and "PUNCHCARD_API_KEY is not set" in missing.stderr
    assert missing.stdout == ""
    bad = _mcp_command("fl_live_notarealkey")
    assert bad.returncode != 0 and "Invalid or revoked API key" in bad.stderr
    unscoped = _mcp_command(t.key_without("metrics:read").token)
    assert unscoped.returncode != 0 and "metrics:read" in unscoped.stderr


def test_http_tools_match_the_api_and_keep_tenants_apart(
    db: Any, client: Any, http_server: Server
) -> None:
    t, other = make_tenant(db, client), make_tenant(db, client, name="Other")
    mine = _history(t)["members"][0]
    theirs = _history(other)["members"][0]
    key = t.key("metrics:read").token
    api = httpx.get(
        f"{http_server.url}/api/v2/metrics",
        params={"from": FROM, "to": TO, "interval": "week"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert api.status_code == 200, api.text
    got = run(_http(http_server, key), _calls(mine["id"], theirs["id"]))
    _check(t, got, api.json(), mine)
    assert "NOT_FOUND" in got["member_summary"]["error"]
    mine_again = run(_http(http_server, key), [("member_summary", {"member_id": mine["id"]})])
    assert _unwrap(mine_again["member_summary"])["pointsBalance"] == 400


def test_http_refuses_a_missing_bad_or_unscoped_key(
    db: Any, client: Any, http_server: Server
) -> None:
    t = make_tenant(db, client)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    accept = {"Accept": "application/json, text/event-stream"}
    url = f"{http_server.url}/mcp"
    assert httpx.post(url, json=body, headers=accept).status_code == 401
    bad = {**accept, "Authorization": "Bearer fl_live_notarealkey"}
    assert httpx.post(url, json=body, headers=bad).status_code == 401
    unscoped = {**accept, "Authorization": f"Bearer {t.key_without('metrics:read').token}"}
    r = httpx.post(url, json=body, headers=unscoped)
    assert r.status_code == 403 and "metrics:read" in json.dumps(r.json())
    scoped = {**accept, "Authorization": f"Bearer {t.key('metrics:read').token}"}
    assert httpx.post(url, json=body, headers=scoped).status_code != 403
    with pytest.raises(Exception):
        run(_http(http_server, t.key_without("metrics:read").token), [])
