"""Once a process holds the tenant's snapshot, an award reads no configuration: no
statement selects from tenants, tiers, webhook endpoints or activities (the version
rides on the member lock), whatever the tenant has configured.

Counted on the app's engine (``before_cursor_execute``) during one warm request, as
``tests/api/test_list_cost.py`` counts lists.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from punchcard.db.uow import Database
from punchcard.identity import cache as key_cache
from tests.factories import Tenant, unique

CONFIG_TABLES = ("tenants", "tiers", "webhook_endpoints", "activities")
# The version read beside the member lock: a scalar subquery, the one mention allowed.
VERSION_SUBQUERY = re.compile(r"\(SELECT tenants\.config_version\s+FROM tenants\s+WHERE [^)]*\)")
READS_CONFIG = re.compile(r"\b(FROM|JOIN)\s+\"?(" + "|".join(CONFIG_TABLES) + r")\b", re.I)


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    """SQL run on the app's engine by request threads (not the audit writer's flushes);
    API keys stay cached meanwhile (a lapsed 1 s cache entry is not the award's cost)."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if threading.current_thread().name != "audit-writer":
            seen.append(" ".join(sql.split()))

    ttl, key_cache.api_keys.ttl = key_cache.api_keys.ttl, 3600.0
    # Entries cached before keep their 1 s: drop them, so the warm request caches its
    # key for the hour (a lapsed lookup now also checks the tenant's plan's version).
    key_cache.api_keys._entries.clear()
    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)
    key_cache.api_keys.ttl = ttl


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def configured(tenant: Tenant) -> Tenant:
    """A tenant with all an award consults: a lifetime tier with a multiplier, a period
    tier, a points-expiry setting and an enabled webhook endpoint."""
    api = tenant.api
    _ok(api.post("/tiers", json={"name": "Silver", "minPoints": 1, "multiplier": "1.5"}), 201)
    period = {"name": "Gold", "minPoints": 1000, "position": 2, "type": "period"}
    _ok(api.post("/tiers", json=period), 201)
    _ok(api.patch("/settings", json={"pointsExpiryDays": 365}))
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["*"]}
    _ok(api.post("/webhooks", json=hook), 201)
    return tenant


def _config_reads(seen: list[str]) -> list[str]:
    return [sql for sql in seen if READS_CONFIG.search(VERSION_SUBQUERY.sub("", sql))]


def _warm_cost(seen: list[str], send: Any) -> list[str]:
    send()  # warm: the process loads the snapshot
    seen.clear()
    send()
    return list(seen)


def test_a_warm_award_reads_no_tenant_configuration(
    configured: Tenant, statements: list[str]
) -> None:
    api = configured.api
    member = _ok(api.post("/members", json={"email": f"{unique('a')}@example.com"}), 201)["id"]
    seen = _warm_cost(
        statements, lambda: _ok(api.post(f"/members/{member}/points", json={"amount": 5}))
    )
    assert _config_reads(seen) == [], seen
    # The version was read, by the member lock itself.
    locks = [sql for sql in seen if sql.startswith("SELECT members.") and "config_version" in sql]
    assert len(locks) == 1, seen
    # And it did its work: the member sits on the tier, the entry expires, the endpoint got it.
    tier = _ok(api.get(f"/members/{member}/tier"))["tier"]
    assert tier is not None and tier["name"] == "Silver"
    entries = _ok(api.get(f"/members/{member}/points"))["transactions"]
    assert all(e["expiresAt"] is not None for e in entries)
    assert any(sql.startswith("INSERT INTO webhook_deliveries") for sql in seen), seen


def test_a_warm_order_reads_no_tenant_configuration(
    configured: Tenant, statements: list[str]
) -> None:
    api = configured.api
    member = _ok(api.post("/members", json={"email": f"{unique('o')}@example.com"}), 201)["id"]

    def order() -> None:
        body = {"externalOrderId": unique("ORD"), "memberId": member, "total": "10.00"}
        placed = _ok(api.post("/orders", json=body), 201)
        assert placed["pointsAwarded"] == 15  # 10 x 1 point x Silver's 1.5

    _ok(api.post(f"/members/{member}/points", json={"amount": 1}))  # reach Silver
    seen = _warm_cost(statements, order)
    assert _config_reads(seen) == [], seen
