"""The member read on the event loop (``routing.on_loop``, ``db/aio.py``): on PostgreSQL
``GET /api/v2/members/{id}`` runs its prepared statement on the loop's own psycopg
async connections, with no thread hand-off, and answers exactly what the thread path
answers: the same bytes and headers, the same 404s (another tenant's member
included), the same audit record and rate-limit accounting.

Each test runs on both databases. "The thread path" is the same database served by a
second app with the read's thread hand-off: on PostgreSQL ``pg_loop_reads`` off (the
read in the handler's thread, on the engine's pool: what the loop path replaced); on
SQLite, which keeps its path, ``sqlite_inline_reads`` off (its read in a thread).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.identity import cache as key_cache
from punchcard.models import AuditRecord
from tests.api.test_request_pipeline import Hops, hops  # noqa: F401 - the fixture
from tests.factories import Api, Tenant, unique

# What may differ between two answers of the same request: the date, and when the
# rate-limit window ends (each app's window starts at its own first request).
VARYING = {"date", "x-ratelimit-reset"}


@pytest.fixture
def threaded(settings: Settings, db: Database, tmp_path: Path) -> Iterator[TestClient]:
    """A second app on the suite's database whose member read hands off to a thread."""
    changed = settings.model_copy(
        update={"pg_loop_reads": False, "sqlite_inline_reads": False, "mail_dir": tmp_path}
    )
    other = Database(changed.database_url, settings=changed, clock=db.clock)
    assert other.loop_reads is None and not other.inline_reads
    with TestClient(create_app(changed, db=other)) as client:
        yield client
    other.dispose()


@pytest.fixture
def cached_keys() -> Iterator[None]:
    """API keys stay cached for the test (a lapsed 1 s entry is a lookup in a thread)."""
    ttl, key_cache.api_keys.ttl = key_cache.api_keys.ttl, 3600.0
    key_cache.api_keys._entries.clear()
    yield
    key_cache.api_keys.ttl = ttl


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _rich_member(t: Tenant) -> str:
    """A member with everything the read renders: names, phone, external id, metadata
    (nested, non-ASCII), tags, a tier, points."""
    api = t.api
    _ok(api.post("/tiers", json={"name": "Silver ✦", "minPoints": 1}), 201)
    body = {
        "email": f"{unique('loop')}@example.com",
        "firstName": "Zoë",
        "lastName": "O'Brien",
        "phone": "+14155550123",
        "externalId": unique("ext"),
        "metadata": {"plan": "gold", "n": 3, "nested": {"a": [1, "b", None]}, "ü": "✓"},
    }
    member = _ok(api.post("/members", json=body), 201)["id"]
    _ok(api.post(f"/members/{member}/tags", json={"tags": ["vip", "early-bird"]}))
    _ok(api.post(f"/members/{member}/points", json={"amount": 25}))
    return str(member)


def _same(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code
    assert a.content == b.content
    ha = [(k, v) for k, v in a.headers.items() if k not in VARYING]
    hb = [(k, v) for k, v in b.headers.items() if k not in VARYING]
    assert ha == hb


def test_the_loop_path_answers_the_bytes_the_thread_path_answers(
    tenant: Tenant, other_tenant: Tenant, db: Database, threaded: TestClient
) -> None:
    assert (db.loop_reads is not None) is (not db.is_sqlite)  # on by default on PostgreSQL
    member = _rich_member(tenant)
    theirs = _rich_member(other_tenant)
    via_thread = Api(threaded, tenant.api.token)
    paths = [
        f"/members/{member}",
        f"/members/{theirs}",  # another tenant's member: 404
        "/members/mem_" + "0" * 32,  # none: 404
        "/members/not-an-id",  # malformed: 404 as well
    ]
    for path in paths:
        for _ in range(2):  # the first read of a process plans the statement
            loop, thread = tenant.api.get(path), via_thread.get(path)
            _same(loop, thread)
    read = _ok(tenant.api.get(f"/members/{member}"))
    assert read["tags"] == ["early-bird", "vip"] and read["tier"]["name"] == "Silver ✦"
    assert read["pointsBalance"] == 25 and read["metadata"]["ü"] == "✓"
    refused = tenant.api.get(f"/members/{theirs}")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "NOT_FOUND"
    # A read sees the latest commit, on either path.
    _ok(tenant.api.patch(f"/members/{member}", json={"firstName": "Ada"}))
    assert _ok(tenant.api.get(f"/members/{member}"))["firstName"] == "Ada"
    _same(tenant.api.get(f"/members/{member}"), via_thread.get(f"/members/{member}"))


def test_a_warm_member_read_hands_off_to_no_thread(
    tenant: Tenant,
    other_tenant: Tenant,
    db: Database,
    hops: Hops,  # noqa: F811 - the fixture imported above
    cached_keys: None,
) -> None:
    """PostgreSQL's read now runs on the loop, as SQLite's does: no hand-off once its
    credentials are cached (a miss looks them up in a thread on PostgreSQL), for the
    member, for another tenant's (404) and for a malformed id."""
    member = _rich_member(tenant)
    theirs = _rich_member(other_tenant)
    assert tenant.api.get(f"/members/{member}").status_code == 200  # warm: key, plan
    taken: list[object] = []
    if db.loop_reads is not None:  # PostgreSQL: count the loop's connections taken
        db.loop_reads.on_checkout.append(taken.append)
    try:
        with hops:
            assert tenant.api.get(f"/members/{member}").status_code == 200
            assert tenant.api.get(f"/members/{theirs}").status_code == 404
            assert tenant.api.get("/members/not-an-id").status_code == 404
    finally:
        if db.loop_reads is not None:
            db.loop_reads.on_checkout.remove(taken.append)
    assert hops.count == 0
    # On PostgreSQL the statements ran on the loop's own connections (the malformed id
    # is the nil id, read as well: 404 either way).
    assert len(taken) == (0 if db.is_sqlite else 3)


def test_a_loop_read_is_audited_and_counted_as_a_thread_read_is(
    tenant: Tenant, other_tenant: Tenant, db: Database, threaded: TestClient
) -> None:
    api = tenant.api
    _ok(tenant.owner.patch("/settings", json={"plan": "starter"}))  # rate limited
    member = _rich_member(tenant)
    theirs = _rich_member(other_tenant)
    key = tenant.key("members:read")
    via_thread = Api(threaded, key.token)
    for path in (f"/members/{member}", f"/members/{theirs}"):
        loop, thread = key.get(path), via_thread.get(path)
        _same(loop, thread)  # the rate-limit headers included: each app counts its own
        assert loop.headers["x-ratelimit-remaining"] and loop.headers["x-ratelimit-reset"]
    # The loop path's calls, in the audit log as the thread path's.
    tenant.client.app.state.audit.flush()  # type: ignore[attr-defined]
    threaded.app.state.audit.flush()  # type: ignore[attr-defined]
    with db.transaction(write=False) as s:
        rows = s.scalars(
            select(AuditRecord)
            .where(AuditRecord.tenant_id == tenant.id, AuditRecord.path.like("/api/v2/members/%"))
            .where(AuditRecord.method == "GET")
            .order_by(AuditRecord.created_at, AuditRecord.id)
        ).all()
    mine = [(r.path, r.status) for r in rows if r.api_key_id is not None]
    assert mine.count((f"/api/v2/members/{member}", 200)) == 2
    assert mine.count((f"/api/v2/members/{theirs}", 404)) == 2
    assert api.get(f"/members/{member}").status_code == 200


def test_a_request_refused_before_its_handler_hands_off_to_no_thread(
    tenant: Tenant,
    hops: Hops,  # noqa: F811 - the fixture imported above
    cached_keys: None,
) -> None:
    """Its session began nothing and claimed no key: it is closed on the event loop,
    on PostgreSQL as on SQLite (``routing._abort``)."""
    member = _rich_member(tenant)
    reader = tenant.key("members:read")
    assert reader.get(f"/members/{member}").status_code == 200  # both keys cached
    assert tenant.api.get(f"/members/{member}").status_code == 200
    with hops:
        r = reader.post(f"/members/{member}/points", json={"amount": 5})
        assert r.status_code == 403, r.text  # no points:write
        r = tenant.api.post(f"/members/{member}/points", json={"amount": "x"})
        assert r.status_code == 400, r.text
    assert hops.count == 0
    assert _ok(tenant.api.get(f"/members/{member}"))["pointsBalance"] == 25
