"""The MCP tools' implementations (``mcp_server.tools``) in-process, on the suite's
database: rankings by points, spend and referrals, limits, member lookups, isolation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from punchcard.app import create_app
from punchcard.errors import NotFound, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.mcp_server import tools
from tests.factories import Tenant, make_tenant, unique


def _member(t: Tenant, points: int = 0) -> dict[str, Any]:
    r = t.api.post("/members", json={"email": f"{unique('Tool')}@Example.com"})
    assert r.status_code == 201, r.text
    member = r.json()
    if points:
        r = t.api.post(f"/members/{member['id']}/points", json={"amount": points})
        assert r.status_code == 200, r.text
    return member


def _order(t: Tenant, member: dict[str, Any], total: str) -> str:
    ext = unique("O-")
    body = {"externalOrderId": ext, "memberId": member["id"], "total": total}
    assert t.api.post("/orders", json=body).status_code == 201
    return ext


def _call(t: Tenant, fn: Any, **kw: Any) -> Any:
    p = Principal(tenant_id=t.id, scopes=frozenset({"metrics:read"}))
    with t.db.transaction(write=False) as s:
        return fn(s, p, **kw)


def test_rankings_by_points_spend_and_referrals(db: Any, client: Any) -> None:
    t, other = make_tenant(db, client), make_tenant(db, client, name="Other")
    a, b, c = _member(t, 300), _member(t, 50), _member(t)
    _member(other, 10_000)  # never ranked in t
    _order(t, b, "80.00")
    refunded = _order(t, c, "100.00")
    assert t.api.post(f"/orders/{refunded}/refund", json={"amount": "40.00"}).status_code == 200
    for n in range(2):
        order = _order(t, b, "10.00")
        body = {"code": a["referralCode"], "orderId": order}
        assert t.api.post("/referrals/conversions", json=body).status_code in (200, 201, 202)

    by_points = _call(t, tools.top_members, by="points", limit=2)["members"]
    assert [m["id"] for m in by_points] == [a["id"], b["id"]]
    by_spend = _call(t, tools.top_members, by="spend", limit=10)["members"]
    assert [(m["id"], m["spend"]) for m in by_spend] == [(b["id"], "100.00"), (c["id"], "60.00")]
    by_refs = _call(t, tools.top_members, by="referrals", limit=10)["members"]
    assert [(m["id"], m["referralConversions"]) for m in by_refs] == [(a["id"], 2)]


@pytest.mark.parametrize("kw", [{"limit": 0}, {"limit": 101}, {"by": "age"}])
def test_top_members_bounds_are_refused_naming_the_field(tenant: Any, kw: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        _call(tenant, tools.top_members, **kw)
    assert err.value.field == next(iter(kw))


def test_member_summary_by_id_or_email_and_never_another_tenants(db: Any, client: Any) -> None:
    t, other = make_tenant(db, client), make_tenant(db, client, name="Other")
    mine, theirs = _member(t, 70), _member(other, 5)
    got = _call(t, tools.member_summary, email=mine["email"].upper())
    assert got["id"] == mine["id"] and got["pointsBalance"] == 70
    assert [e["amount"] for e in got["recentLedger"]] == [70]
    assert _call(t, tools.member_summary, member_id=mine["id"])["email"] == got["email"]
    for kw in ({"member_id": theirs["id"]}, {"email": theirs["email"]}, {"member_id": "junk"}):
        with pytest.raises(NotFound):
            _call(t, tools.member_summary, **kw)
    with pytest.raises(ValidationFailed):
        _call(t, tools.member_summary)


def test_get_metrics_names_bad_dates(tenant: Any) -> None:
    for kw, field in (
        ({"start": "2026-02-30"}, "from"),
        ({"end": "soon"}, "to"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "from"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "to"),
    ):
        with pytest.raises(ValidationFailed) as err:
            _call(tenant, tools.get_metrics, **kw)
        assert err.value.field == field, kw


def test_the_endpoint_answers_503_not_500_when_the_app_has_not_started(
    tenant: Any, settings: Any, db: Any
) -> None:
    headers = {
        "Authorization": f"Bearer {tenant.key('metrics:read').token}",
        "Accept": "application/json, text/event-stream",
    }
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    # A TestClient not used as a context manager runs no lifespan: /mcp cannot serve.
    cold = TestClient(create_app(settings, db=db))
    r = cold.post("/mcp", json=body, headers=headers)
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    # The suite's client runs the lifespan: the same request is answered in-process.
    r = tenant.client.post("/mcp", json=body, headers=headers)
    assert r.status_code == 200, r.text
    assert {t["name"] for t in r.json()["result"]["tools"]} >= {"get_metrics", "member_summary"}
