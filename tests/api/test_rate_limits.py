"""Plan rate limits (SPEC §1, ``api/common/ratelimit.py``): per API key, by the
tenant's plan, on every face; headers on every limited response; 429 with
``Retry-After`` in the face's own body; a refused request does no work.

Windows run on wall time (the counters expire on Redis's or the process's clock), so
these tests count within one real window and never wait for one to end.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from punchcard.api.common.ratelimit import Limiter
from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.identity import cache as key_cache
from punchcard.models import IdempotencyRecord, Member
from tests.factories import Api, Tenant, make_tenant, unique

REDIS_URL = os.environ.get("PUNCHCARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def _plan(t: Tenant, plan: str) -> None:
    """Set the tenant's plan through the native settings (an owner session: not limited)."""
    r = t.owner.patch("/settings", json={"plan": plan})
    assert r.status_code == 200, r.text
    assert r.json()["plan"] == plan


def _member(t: Tenant) -> str:
    r = t.owner.post("/members", json={"email": f"{unique('rl')}@example.com"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _limits(r: Any) -> tuple[int, int, int]:
    return tuple(int(r.headers[h]) for h in HEADERS)  # type: ignore[return-value]


@pytest.fixture
def starter(tenant: Tenant) -> Tenant:
    _plan(tenant, "starter")
    return tenant


@pytest.fixture
def prefix() -> Iterator[str]:
    """A Redis key prefix of this test's own; its keys are deleted afterwards."""
    name = f"punchcard-test-rl:{uuid.uuid4().hex}"
    yield name
    conn = redis.Redis.from_url(REDIS_URL)
    keys = list(conn.scan_iter(f"{name}:*"))
    if keys:
        conn.delete(*keys)
    conn.close()


@pytest.fixture
def app_with(settings: Settings, db: Database) -> Iterator[Callable[..., TestClient]]:
    """Another app on the suite's database, with other rate-limit settings."""
    opened: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        c = TestClient(create_app(settings.model_copy(update=changes), db=db))
        c.__enter__()
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)


def _on(client: TestClient, api: Api) -> Api:
    return Api(client, api.token, api.base)


# Each face's request with a Starter key, and its refusal's body --------------------------


def _native(t: Tenant, api: Api) -> Callable[[], Any]:
    member = _member(t)
    return lambda: api.get(f"/members/{member}")


def _advocate(t: Tenant, api: Api) -> Callable[[], Any]:
    member = _member(t)
    v1 = Api(api.client, api.token, "/api/v1")
    return lambda: v1.get(f"/advocates/{member}")


def _shopsocially(t: Tenant, api: Api) -> Callable[[], Any]:
    headers = {"partner-id": t.partner_id, "api-key": api.token}
    return lambda: api.client.get("/v2/loyalty/activities", headers=headers)


def _error_body(body: dict[str, Any]) -> None:
    assert body["error"]["code"] == "RATE_LIMITED"
    assert "30 requests per 1 minute" in body["error"]["message"]


def _shopsocially_body(body: dict[str, Any]) -> None:
    # The face's own words for the code (api/shopsocially/errors.py).
    assert body == {"reason": "rate limit exceeded", "success": False}


FACES = {
    "native": (_native, _error_body),
    "advocate": (_advocate, _error_body),
    "shopsocially": (_shopsocially, _shopsocially_body),
}


@pytest.mark.parametrize("face", FACES)
def test_a_starter_key_gets_its_31st_request_in_a_minute_refused(
    starter: Tenant, face: str
) -> None:
    make, check_body = FACES[face]
    send = make(starter, starter.api)
    for n in range(1, 31):
        r = send()
        assert r.status_code == 200, r.text
        limit, remaining, _ = _limits(r)
        assert (limit, remaining) == (30, 30 - n)
    refused = send()
    assert refused.status_code == 429, refused.text
    check_body(refused.json())
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    limit, remaining, reset = _limits(refused)
    assert (limit, remaining) == (30, 0)
    assert time.time() < reset <= time.time() + 61


def test_every_limited_response_carries_the_headers(starter: Tenant) -> None:
    api = starter.api
    ok = api.get(f"/members/{_member(starter)}")
    missing = api.get(f"/members/mem_{uuid.uuid4().hex}")
    invalid = api.post("/members", json={"email": "not an email"})
    forbidden = starter.key("members:read").post("/stores", json={"code": "x", "name": "x"})
    assert [r.status_code for r in (ok, missing, invalid, forbidden)] == [200, 404, 400, 403]
    assert [_limits(r)[:2] for r in (ok, missing, invalid)] == [(30, 29), (30, 28), (30, 27)]
    # Another key of the tenant has its own count.
    assert _limits(forbidden)[:2] == (30, 29)
    now = time.time()
    for r in (ok, missing, invalid, forbidden):
        assert now < _limits(r)[2] <= now + 61  # the minute window ends within a minute


def test_keys_count_apart(starter: Tenant) -> None:
    first, second = starter.api, starter.key("members:read")
    member = _member(starter)
    for _ in range(30):
        assert first.get(f"/members/{member}").status_code == 200
    assert first.get(f"/members/{member}").status_code == 429
    r = second.get(f"/members/{member}")
    assert r.status_code == 200
    assert _limits(r)[:2] == (30, 29)


def test_a_refused_request_does_no_work(starter: Tenant, db: Database) -> None:
    api = starter.api
    member = _member(starter)
    for _ in range(30):
        assert api.get(f"/members/{member}").status_code == 200
    email = f"{unique('refused')}@example.com"
    key = unique("idem")
    refused = api.post("/members", json={"email": email}, headers={"Idempotency-Key": key})
    assert refused.status_code == 429
    with db.transaction(write=False) as s:
        created = s.scalar(
            select(func.count()).where(Member.tenant_id == starter.id, Member.email == email)
        )
        claimed = s.scalar(
            select(func.count()).where(
                IdempotencyRecord.tenant_id == starter.id, IdempotencyRecord.key == key
            )
        )
    assert (created, claimed) == (0, 0)


def test_an_unlimited_plan_is_not_counted_and_sends_no_headers(tenant: Tenant) -> None:
    member = _member(tenant)
    for _ in range(35):
        r = tenant.api.get(f"/members/{member}")
        assert r.status_code == 200
        assert not any(h in r.headers for h in HEADERS)


def test_user_sessions_are_not_limited(starter: Tenant) -> None:
    member = _member(starter)
    for _ in range(35):
        r = starter.owner.get(f"/members/{member}")
        assert r.status_code == 200
        assert not any(h in r.headers for h in HEADERS)


def test_the_daily_window_refuses_once_spent(
    app_with: Callable[..., TestClient], db: Database
) -> None:
    c = app_with(rate_limits={"starter": "100/minute;3/day"})
    t = make_tenant(db, c)
    _plan(t, "starter")
    member = _member(t)
    for n in range(1, 4):
        r = t.api.get(f"/members/{member}")
        assert r.status_code == 200
        # The day has fewer left than the minute: the headers describe the day.
        assert _limits(r)[:2] == (3, 3 - n)
    refused = t.api.get(f"/members/{member}")
    assert refused.status_code == 429
    assert "3 requests per 1 day" in refused.json()["error"]["message"]
    # Until the day's window ends, not the minute's.
    assert int(refused.headers["retry-after"]) > 3600
    assert _limits(refused)[:2] == (3, 0)
    assert _limits(refused)[2] > time.time() + 3600


def test_the_headers_describe_the_window_nearest_exhaustion(
    app_with: Callable[..., TestClient], db: Database
) -> None:
    c = app_with(rate_limits={"growth": "5/minute;8/day", "professional": "8/minute;5/day"})
    by_minute, by_day = make_tenant(db, c), make_tenant(db, c)
    _plan(by_minute, "growth")
    _plan(by_day, "professional")
    # The window each describes shows in when it ends: within the minute, or the day.
    r = by_minute.api.get(f"/members/{_member(by_minute)}")
    limit, remaining, reset = _limits(r)
    assert (limit, remaining) == (5, 4) and reset < time.time() + 3600
    r = by_day.api.get(f"/members/{_member(by_day)}")
    limit, remaining, reset = _limits(r)
    assert (limit, remaining) == (5, 4) and reset > time.time() + 3600


def test_a_plan_change_takes_effect_on_the_next_lookup(
    starter: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every request looks its key up (no 1 s cache): the lookup checks the tenant
    # snapshot's version, so the plan changed by the owner applies at once.
    monkeypatch.setattr(key_cache.api_keys, "ttl", 0.0)
    api, member = starter.api, _member(starter)
    for _ in range(30):
        assert api.get(f"/members/{member}").status_code == 200
    assert api.get(f"/members/{member}").status_code == 429
    _plan(starter, "growth")
    r = api.get(f"/members/{member}")
    assert r.status_code == 200
    # One count per key: the plan sets the ceiling (31 counted, this is the 32nd).
    assert _limits(r)[:2] == (60, 28)
    _plan(starter, "unlimited")
    r = api.get(f"/members/{member}")
    assert r.status_code == 200
    assert not any(h in r.headers for h in HEADERS)


def test_two_apps_sharing_redis_share_the_count(
    app_with: Callable[..., TestClient], db: Database, starter: Tenant, prefix: str
) -> None:
    a = app_with(redis_url=REDIS_URL, rate_limit_prefix=prefix)
    b = app_with(redis_url=REDIS_URL, rate_limit_prefix=prefix)
    member = _member(starter)
    on_a, on_b = _on(a, starter.api), _on(b, starter.api)
    for _ in range(20):
        assert on_a.get(f"/members/{member}").status_code == 200
    for n in range(1, 11):
        r = on_b.get(f"/members/{member}")
        assert r.status_code == 200
        assert _limits(r)[:2] == (30, 10 - n)
    refused = on_b.get(f"/members/{member}")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert on_a.get(f"/members/{member}").status_code == 429
    # The counters live under the configured prefix.
    conn = redis.Redis.from_url(REDIS_URL)
    assert list(conn.scan_iter(f"{prefix}:*"))
    conn.close()


def test_a_redis_outage_counts_in_memory_and_warns(
    app_with: Callable[..., TestClient], starter: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    # Nothing listens on port 1: every Redis call fails at once.
    c = app_with(redis_url="redis://127.0.0.1:1/0")
    api, member = _on(c, starter.api), _member(starter)
    with caplog.at_level(logging.WARNING, logger="punchcard.ratelimit"):
        for n in range(1, 31):
            r = api.get(f"/members/{member}")
            assert r.status_code == 200, r.text
            assert _limits(r)[:2] == (30, 30 - n)
        assert api.get(f"/members/{member}").status_code == 429
    warnings = [rec for rec in caplog.records if "rate limit store unavailable" in rec.message]
    # Once per outage period, not once per request.
    assert len(warnings) == 1


def test_the_plan_table_refuses_unknown_plans_and_bad_limits() -> None:
    with pytest.raises(ValueError, match="unknown plan"):
        Limiter(plans={"gold": "10/minute"})
    with pytest.raises(ValueError):
        Limiter(plans={"starter": "ten a minute"})
    assert Limiter(plans={"starter": ""}).check(uuid.uuid4(), "starter") is None


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_a_refusal_per_minute_spends_nothing_of_the_day(store: str, prefix: str) -> None:
    # Both plans count one key in the same windows (the plan only sets the ceilings).
    limiter = Limiter(
        REDIS_URL if store == "redis" else None,
        plans={"starter": "2/minute;100/day", "growth": "1000/minute;3/day"},
        prefix=prefix,
    )
    key = uuid.uuid4()
    outcomes = [limiter.check(key, "starter") for _ in range(5)]
    assert [wait > 0 for _, wait in outcomes] == [False, False, True, True, True]  # type: ignore[misc]
    # The day counted the two requests let through, not the three refused.
    verdict, wait = limiter.check(key, "growth")  # type: ignore[misc]
    assert (verdict.limit, verdict.remaining, verdict.window, wait) == (3, 0, "1 day", 0)
    verdict, wait = limiter.check(key, "growth")  # type: ignore[misc]
    assert (verdict.limit, verdict.remaining, wait > 3600) == (3, 0, True)
