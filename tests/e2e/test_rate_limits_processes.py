"""Plan rate limits across real server processes sharing Redis: the count is one per
API key whichever process (and face) answers, and a plan changed through one process
applies on the other's next lookup of the key."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.e2e.conftest import Server, start_server
from tests.factories import Tenant, unique

REDIS_URL = os.environ.get("PUNCHCARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def redis_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """Two processes counting in one Redis (under a prefix of this module's own).
    Every request looks its key up (no 1 s cache), so a plan change shows at once."""
    prefix = f"punchcard-test-rl:{uuid.uuid4().hex}"
    env = {
        "PUNCHCARD_REDIS_URL": REDIS_URL,
        "PUNCHCARD_RATE_LIMIT_PREFIX": prefix,
        "PUNCHCARD_API_KEY_CACHE_SECONDS": "0",
    }
    tmp = tmp_path_factory.mktemp("rl-servers")
    a = start_server(tmp, name="rl-a", env=env)
    try:
        b = start_server(tmp, name="rl-b", env=env)
    except Exception:
        a.stop()
        raise
    yield a, b
    a.stop()
    b.stop()
    conn = redis.Redis.from_url(REDIS_URL)
    keys = list(conn.scan_iter(f"{prefix}:*"))
    if keys:
        conn.delete(*keys)
    conn.close()


def _client(server: Server, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def test_two_processes_sharing_redis_share_a_keys_count(
    redis_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a_server, b_server = redis_servers
    with _client(a_server, tenant.owner.token) as owner:
        r = owner.patch("/api/v2/settings", json={"plan": "starter"})
        assert r.status_code == 200, r.text
        member = owner.post("/api/v2/members", json={"email": f"{unique('e2e')}@example.com"})
        assert member.status_code == 201, member.text
        read = f"/api/v2/members/{member.json()['id']}"
    with _client(a_server, tenant.api.token) as a, _client(b_server, tenant.api.token) as b:
        for _ in range(20):
            assert a.get(read).status_code == 200
        for n in range(1, 11):
            r = b.get(read)
            assert r.status_code == 200, r.text
            assert r.headers["x-ratelimit-remaining"] == str(10 - n)
        refused = b.get(read)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "RATE_LIMITED"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["x-ratelimit-limit"] == "30"
        # The same key on another face of the other process: the same count, and
        # that face's own body.
        loyalty = a.get(
            "/v2/loyalty/activities",
            headers={"partner-id": tenant.partner_id, "api-key": tenant.api.token},
        )
        assert loyalty.status_code == 429
        assert loyalty.json() == {"reason": "rate limit exceeded", "success": False}

        # The owner moves the tenant to Growth through B; A sees it on its next lookup.
        with _client(b_server, tenant.owner.token) as owner:
            assert owner.patch("/api/v2/settings", json={"plan": "growth"}).status_code == 200
        r = a.get(read)
        assert r.status_code == 200, r.text
        assert r.headers["x-ratelimit-limit"] == "60"
        # 33 counted: refusals count too (the window's end does not move).
        assert r.headers["x-ratelimit-remaining"] == "27"
