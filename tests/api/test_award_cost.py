"""Once a process holds the tenant's snapshot, an award reads no configuration: no
statement selects from tenants, tiers, webhook endpoints or activities (the version
rides on the member lock), whatever the tenant has configured.

Counted on the app's engine (``before_cursor_execute``) during one warm request, as
``tests/api/test_list_cost.py`` counts lists.

On PostgreSQL, an award's writes go in one round trip (``db.pipeline``): counted in the
wire protocol itself (libpq's trace of every connection the request checks out), a
round trip being each time the client, having sent, waits for the server.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from psycopg import pq
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


@pytest.fixture
def round_trips(db: Database) -> Iterator[Callable[[Callable[[], object]], list[str]]]:
    """``trips(send)``: the round trips ``send`` makes on PostgreSQL, each as the kinds of
    the messages the client sent before waiting (``Parse``, ``Sync``, ``Query``...)."""
    traced: list[Any] = []

    def checkout(dbapi: Any, _record: Any, _proxy: Any) -> None:
        if threading.current_thread().name != "audit-writer":
            dbapi.pgconn.trace(traced[-1].fileno())
            dbapi.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    def checkin(dbapi: Any, _record: Any) -> None:
        dbapi.pgconn.untrace()

    # The event loop's own connections too (the member read's, ``db/aio.py``).
    def loop_checkout(conn: Any) -> None:
        checkout(conn, None, None)

    def loop_checkin(conn: Any) -> None:
        checkin(conn, None)

    def trips(send: Callable[[], object]) -> list[str]:
        loop = db.loop_reads
        with tempfile.TemporaryFile("w+") as out:
            traced.append(out)
            event.listen(db.engine, "checkout", checkout)
            event.listen(db.engine, "checkin", checkin)
            if loop is not None:
                loop.on_checkout.append(loop_checkout)
                loop.on_checkin.append(loop_checkin)
            try:
                send()
            finally:
                event.remove(db.engine, "checkout", checkout)
                event.remove(db.engine, "checkin", checkin)
                if loop is not None:
                    loop.on_checkout.remove(loop_checkout)
                    loop.on_checkin.remove(loop_checkin)
            out.seek(0)
            found: list[str] = []
            sent: list[str] = []
            for line in out.read().splitlines():
                fields = line.split("\t")
                if len(fields) < 3:
                    continue
                direction, kind = fields[0], fields[2].strip()
                if direction == "F":
                    sent.append(kind)
                elif sent:  # the server answers: the client had sent, and waited
                    found.append(" ".join(sent))
                    sent = []
            return found

    ttl, key_cache.api_keys.ttl = key_cache.api_keys.ttl, 3600.0
    yield trips
    key_cache.api_keys.ttl = ttl


@pytest.mark.parametrize("hooked", [True, False], ids=["endpoint", "no-endpoint"])
def test_a_warm_award_writes_in_one_round_trip_on_postgresql(
    tenant: Tenant,
    db: Database,
    statements: list[str],
    round_trips: Callable[[Callable[[], object]], list[str]],
    hooked: bool,
) -> None:
    """PostgreSQL: BEGIN, the member lock, the writes (entry, lot, member, event,
    deliveries), COMMIT: four round trips. SQLite keeps its path: the same statements,
    each run when executed (in process: no round trips to count)."""
    api = tenant.api
    if hooked:
        hook = {"url": "http://127.0.0.1:9/hook", "events": ["*"]}
        _ok(api.post("/webhooks", json=hook), 201)
    member = _ok(api.post("/members", json={"email": f"{unique('r')}@example.com"}), 201)["id"]

    def award() -> None:
        _ok(api.post(f"/members/{member}/points", json={"amount": 5}))

    award()  # warm: the snapshot loaded
    statements.clear()
    if db.is_sqlite:
        award()
        writes = [sql.split(" (")[0] for sql in statements if sql.startswith(("INSERT", "UPDATE"))]
        expected = [
            "INSERT INTO points_entries",
            "INSERT INTO points_lots",
            "UPDATE members SET points_balance",
            "INSERT INTO outbox_events",
        ] + (["INSERT INTO webhook_deliveries"] if hooked else [])
        assert [w[:33] if w.startswith("UPDATE") else w for w in writes] == expected
    else:
        # psycopg prepares a statement on its 5th run on a connection, in a round trip
        # of its own ("Parse Sync", once per connection and statement): which award
        # that falls on depends on how many ran on that connection before, not on
        # what an award costs.
        trips = [trip for trip in round_trips(award) if trip != "Parse Sync"]
        assert len(trips) == 4, trips
        assert trips[0] == "Query"  # BEGIN
        assert trips[-1] == "Query"  # COMMIT
        # The writes: five statements (Parse ... Execute each), then one Sync.
        writes = trips[2].split()
        assert writes.count("Execute") == (5 if hooked else 4), trips
        assert writes.count("Sync") == 1, trips
    # The award did its work.
    assert _ok(api.get(f"/members/{member}/points"))["balance"] == 10
    events = [sql for sql in statements if sql.startswith("INSERT INTO outbox_events")]
    assert len(events) == 1, statements


def test_a_warm_activity_award_reads_the_version_only_with_the_lock(
    configured: Tenant, statements: list[str]
) -> None:
    api = configured.api
    key = unique("act")
    _ok(api.post("/activities", json={"name": key, "key": key, "points": 4}), 201)
    member = _ok(api.post("/members", json={"email": f"{unique('v')}@example.com"}), 201)["id"]
    seen = _warm_cost(
        statements,
        lambda: _ok(api.post(f"/activities/{key}/award", json={"memberId": member}), 201),
    )
    assert _config_reads(seen) == [], seen
    versions = [sql for sql in seen if "config_version" in sql]
    assert len(versions) == 1 and versions[0].startswith("SELECT members."), seen
    # A member that does not exist is still refused after an activity that does not.
    missing = {"memberId": "mem_" + "0" * 32}
    r = api.post(f"/activities/{unique('nope')}/award", json=missing)
    assert r.status_code == 404 and "activity" in r.text.lower(), r.text
    r = api.post(f"/activities/{key}/award", json=missing)
    assert r.status_code == 404 and "member" in r.text.lower(), r.text


def test_a_warm_member_read_is_its_statement_alone(
    tenant: Tenant,
    db: Database,
    statements: list[str],
    round_trips: Callable[[Callable[[], object]], list[str]],
) -> None:
    """``GET /members/{id}``: the prepared member row, alone, seeing what is committed
    (``db.prepared``): on SQLite on the thread's autocommit reader, on PostgreSQL on a
    connection in autocommit mode (the event loop's own, ``db/aio.py``): one round
    trip, no BEGIN, no COMMIT."""
    api = tenant.api
    member = _ok(api.post("/members", json={"email": f"{unique('g')}@example.com"}), 201)["id"]

    def read() -> None:
        assert _ok(api.get(f"/members/{member}"))["id"] == member

    read()  # warm: the statement planned
    statements.clear()
    if db.is_sqlite:
        read()
    else:
        trips = round_trips(read)
        assert len(trips) == 1, trips
        assert "Query" not in trips[0].split(), trips  # no BEGIN, no COMMIT
    assert statements == []  # nothing through a session's transaction
    _ok(api.patch(f"/members/{member}", json={"firstName": "Seen"}))
    assert _ok(api.get(f"/members/{member}"))["firstName"] == "Seen"
