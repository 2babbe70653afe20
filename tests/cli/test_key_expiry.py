"""API keys can expire: from `expiresAt` on, a key is refused like a revoked one (401),
even while this process holds it in its credential cache; the native face sets and
shows the expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from punchcard.identity import cache as key_cache
from punchcard.kit.crypto import hash_token
from tests.cli.conftest import Cli
from tests.conftest import TestClock
from tests.factories import Api, Tenant, unique


@pytest.fixture
def long_cache() -> Iterator[None]:
    """A cache that would trust a key for an hour: only the expiry can stop it."""
    before = key_cache.api_keys.ttl
    key_cache.api_keys.ttl = 3600
    yield
    key_cache.api_keys.ttl = before


@pytest.mark.usefixtures("long_cache")
def test_an_expired_key_is_refused_even_while_cached(
    cli: Cli, tenant: Tenant, clock: TestClock
) -> None:
    out = cli(
        "keys", "create", "--tenant", tenant.partner_id, "--name", "temp",
        "--scopes", "read", "--expires-in", "1h", "--json",
    ).json()  # fmt: skip
    key = Api(tenant.client, out["key"])
    assert key.get("/members").status_code == 200
    assert key_cache.api_keys.get(hash_token(out["key"]), clock.now()) is not None
    assert key.get("/members").status_code == 200  # served from the cache
    clock.advance(minutes=61)
    r = key.get("/members")
    assert r.status_code == 401, r.text
    # The other faces read the same credentials through the same cache.
    r = tenant.client.get("/api/v1/advocates", headers={"Authorization": f"Bearer {out['key']}"})
    assert r.status_code == 401, r.text


def test_a_key_without_expiry_keeps_working(tenant: Tenant, clock: TestClock) -> None:
    r = tenant.owner.post("/api-keys", json={"name": unique("k"), "preset": "read"})
    assert r.status_code == 201 and r.json()["expiresAt"] is None
    clock.advance(days=3650)
    assert Api(tenant.client, r.json()["key"]).get("/members").status_code == 200


def test_the_native_face_creates_a_key_with_an_expiry_and_lists_it(
    tenant: Tenant, clock: TestClock
) -> None:
    when = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    r = tenant.owner.post(
        "/api-keys",
        json={"name": unique("k"), "preset": "read", "expiresAt": when.isoformat()},
    )
    assert r.status_code == 201, r.text
    created = r.json()
    expected = when.isoformat().replace("+00:00", ".000Z")
    assert created["expiresAt"] == expected
    one = tenant.owner.get(f"/api-keys/{created['id']}").json()
    assert one["expiresAt"] == expected
    listed = tenant.owner.get("/api-keys", params={"limit": 200}).json()["apiKeys"]
    assert next(k for k in listed if k["id"] == created["id"])["expiresAt"] == expected
    key = Api(tenant.client, created["key"])
    assert key.get("/members").status_code == 200
    clock.advance(days=31)
    assert key.get("/members").status_code == 401


@pytest.mark.parametrize(
    "value",
    [
        "2020-01-01T00:00:00Z",  # in the past
        "not a date",
        12345,
        "",
        "2100-01-01",  # a date, not a date-time
        "9999-12-31T23:59:59-05:00",  # past the last UTC instant
        "0001-01-01T00:00:00+05:00",  # before the first
        "2100-01-01T00:00:00+25:00",
    ],
)
def test_a_bad_expires_at_is_a_400_naming_it_and_creates_no_key(
    tenant: Tenant, value: object
) -> None:
    before = tenant.owner.get("/api-keys").json()["total"]
    r = tenant.owner.post("/api-keys", json={"name": unique("k"), "expiresAt": value})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "expiresAt", r.text
    assert tenant.owner.get("/api-keys").json()["total"] == before


def test_the_present_instant_is_already_expired(tenant: Tenant, clock: TestClock) -> None:
    at = clock.freeze()
    r = tenant.owner.post("/api-keys", json={"name": unique("k"), "expiresAt": at.isoformat()})
    assert r.status_code == 400 and r.json()["error"]["field"] == "expiresAt", r.text
