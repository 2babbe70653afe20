"""The tenant snapshot across processes: a configuration change committed by one
process (server B, or this test process) is seen by server A's very next award, though
A keeps a snapshot of that tenant from the awards before."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.e2e.conftest import Server
from tests.factories import Tenant


def _api(server: Server, t: Tenant) -> httpx.Client:
    headers = {"Authorization": f"Bearer {t.api.token}"}
    return httpx.Client(base_url=server.url + "/api/v2", headers=headers, timeout=30)


def _ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _award(a: httpx.Client, member: str, amount: int = 1) -> dict[str, Any]:
    """Award through ``a``; the new journal entry as ``a`` reads it back."""
    txn = _ok(a.post(f"/members/{member}/points", json={"amount": amount}))["transactionId"]
    entries = _ok(a.get(f"/members/{member}/points", params={"limit": 200}))["transactions"]
    return next(e for e in entries if e["id"] == txn)


def _expiry_days(entry: dict[str, Any]) -> float | None:
    """Days from the entry to its expiry (times on the wire are to the millisecond)."""
    if entry["expiresAt"] is None:
        return None
    expires = datetime.fromisoformat(entry["expiresAt"].replace("Z", "+00:00"))
    created = datetime.fromisoformat(entry["createdAt"].replace("Z", "+00:00"))
    return round((expires - created) / timedelta(days=1), 3)


def test_a_setting_changed_by_another_process_applies_to_the_next_award(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a_server, b_server = two_servers
    with _api(a_server, tenant) as a, _api(b_server, tenant) as b:
        member = _ok(a.post("/members", json={"email": "snap@example.com"}), 201)["id"]
        # A's snapshot of the tenant is warm: points never expire.
        assert _expiry_days(_award(a, member)) is None
        assert _expiry_days(_award(a, member)) is None

        _ok(b.patch("/settings", json={"pointsExpiryDays": 30}))
        assert _expiry_days(_award(a, member)) == 30

        _ok(b.patch("/settings", json={"pointsExpiryDays": None}))
        assert _expiry_days(_award(a, member)) is None


def test_a_tier_added_by_another_process_places_and_multiplies_the_next_award(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a_server, b_server = two_servers
    with _api(a_server, tenant) as a, _api(b_server, tenant) as b:
        member = _ok(a.post("/members", json={"email": "tier@example.com"}), 201)["id"]
        order = {"memberId": member, "total": "10.00"}
        placed = _ok(a.post("/orders", json=order | {"externalOrderId": "SNAP-1"}), 201)
        assert placed["pointsAwarded"] == 10
        assert _ok(a.get(f"/members/{member}/tier"))["tier"] is None

        gold = {"name": "Gold", "minPoints": 1, "multiplier": "2", "position": 1}
        tier = _ok(b.post("/tiers", json=gold), 201)
        _award(a, member)  # A's next change re-evaluates the member with B's tier
        assert _ok(a.get(f"/members/{member}/tier"))["tier"]["id"] == tier["id"]
        placed = _ok(a.post("/orders", json=order | {"externalOrderId": "SNAP-2"}), 201)
        assert placed["pointsAwarded"] == 20


def test_a_webhook_endpoint_added_in_this_process_gets_the_next_award_from_another(
    server: Server, tenant: Tenant
) -> None:
    with _api(server, tenant) as a:
        member = _ok(a.post("/members", json={"email": "hook@example.com"}), 201)["id"]
        _award(a, member)  # warm: the tenant has no endpoint yet

        hook = {"url": "http://127.0.0.1:9/hook", "events": ["points.awarded"]}
        endpoint = _ok(tenant.api.post("/webhooks", json=hook), 201)["id"]
        _award(a, member)
        deliveries = _ok(a.get(f"/webhooks/{endpoint}/deliveries"))["deliveries"]
        assert [d["eventType"] for d in deliveries] == ["points.awarded"]

        _ok(tenant.api.patch(f"/webhooks/{endpoint}", json={"enabled": False}))
        _award(a, member)
        assert _ok(a.get(f"/webhooks/{endpoint}/deliveries"))["total"] == 1
