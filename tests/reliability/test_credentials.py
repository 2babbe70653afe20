"""Credentials: repeated failed logins are throttled, and passwords are hashed with
argon2id at or above OWASP's recommended parameters."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from argon2 import Type, extract_parameters
from fastapi.testclient import TestClient

from punchcard.identity.throttle import LOGIN_ATTEMPTS, LOGIN_WINDOW_MINUTES
from punchcard.kit.crypto import PASSWORD_HASHER, hash_password
from tests.factories import PASSWORD, Tenant, unique

LOGIN = "/api/v2/auth/login"

# OWASP Password Storage Cheat Sheet: argon2id, at least 19 MiB, 2 passes, 1 lane.
OWASP_MEMORY_KIB = 19 * 1024
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


def test_the_limit_is_at_most_10_attempts_per_15_minutes() -> None:
    assert LOGIN_ATTEMPTS <= 10
    assert LOGIN_WINDOW_MINUTES >= 15


def test_failed_logins_on_an_account_are_throttled_after_10(
    client: TestClient, tenant: Tenant
) -> None:
    bad = {"email": tenant.owner_email, "password": "not the password"}
    statuses = [client.post(LOGIN, json=bad).status_code for _ in range(LOGIN_ATTEMPTS)]
    assert statuses == [401] * LOGIN_ATTEMPTS
    refused = client.post(LOGIN, json=bad)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "TOO_MANY_LOGIN_ATTEMPTS"
    assert set(refused.json()) == {"error"}  # the native error envelope
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= LOGIN_WINDOW_MINUTES * 60
    # While throttled, the right password is refused too: guessing cannot go on.
    good = client.post(LOGIN, json={"email": tenant.owner_email, "password": PASSWORD})
    assert good.status_code == 429


def test_the_email_is_compared_normalised(client: TestClient, tenant: Tenant) -> None:
    variants = [tenant.owner_email.upper(), f"  {tenant.owner_email}  "]
    for i in range(LOGIN_ATTEMPTS):
        client.post(LOGIN, json={"email": variants[i % 2], "password": "wrong password"})
    r = client.post(LOGIN, json={"email": tenant.owner_email, "password": "wrong password"})
    assert r.status_code == 429


def test_an_unknown_email_is_throttled_like_a_known_one(client: TestClient) -> None:
    """The 429 reveals nothing about whether the account exists."""
    bad = {"email": f"{unique('nobody')}@example.com", "password": "whatever it is"}
    statuses = [client.post(LOGIN, json=bad).status_code for _ in range(LOGIN_ATTEMPTS + 1)]
    assert statuses == [401] * LOGIN_ATTEMPTS + [429]


def test_parallel_guesses_cannot_overtake_the_count(client: TestClient, tenant: Tenant) -> None:
    bad = {"email": tenant.owner_email, "password": "parallel guess"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: client.post(LOGIN, json=bad).status_code, range(30)))
    assert statuses.count(401) == LOGIN_ATTEMPTS  # exactly 10 passwords were checked
    assert statuses.count(429) == 30 - LOGIN_ATTEMPTS


def test_a_successful_login_resets_the_count(client: TestClient, tenant: Tenant) -> None:
    bad = {"email": tenant.owner_email, "password": "typo typo typo"}
    for _ in range(LOGIN_ATTEMPTS - 1):
        assert client.post(LOGIN, json=bad).status_code == 401
    good = client.post(LOGIN, json={"email": tenant.owner_email, "password": PASSWORD})
    assert good.status_code == 200, good.text
    assert client.post(LOGIN, json=bad).status_code == 401  # a fresh count


def test_throttling_one_account_leaves_others_alone(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    bad = {"email": tenant.owner_email, "password": "not the password"}
    for _ in range(LOGIN_ATTEMPTS + 1):
        client.post(LOGIN, json=bad)
    other = client.post(LOGIN, json={"email": other_tenant.owner_email, "password": PASSWORD})
    assert other.status_code == 200, other.text


def test_the_429_is_documented(client: TestClient) -> None:
    doc = client.get("/api/v2/openapi.json").json()
    responses = doc["paths"][LOGIN]["post"]["responses"]
    assert "429" in responses
    assert "Retry-After" in responses["429"]["headers"]


def test_argon2id_parameters_meet_owasp() -> None:
    hasher = PASSWORD_HASHER
    assert hasher.type is Type.ID
    assert hasher.memory_cost >= OWASP_MEMORY_KIB
    assert hasher.time_cost >= OWASP_TIME_COST
    assert hasher.parallelism >= OWASP_PARALLELISM
    # ...and the stored hashes carry them (what verification will use).
    stored = extract_parameters(hash_password("a long enough password"))
    assert stored.type is Type.ID
    assert stored.memory_cost >= OWASP_MEMORY_KIB
    assert stored.time_cost >= OWASP_TIME_COST
    assert stored.parallelism >= OWASP_PARALLELISM
    assert stored.salt_len >= 16
