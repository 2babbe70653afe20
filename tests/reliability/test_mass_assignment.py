"""Mass assignment and secrets.

Every write of every face gets, on top of a body the tenant would accept, the fields
a client must never set (balances, ids, tenancy, roles, statuses where not writable,
hashes), with values found nowhere else. Refusing them (400: the native input schemas
forbid unknown fields) is fine; accepting the request is fine too, as long as none of
those values shows up in the answer or anywhere in the tenant's data.

Secrets: every response of the suite goes through ``SecretScanner``; the tests below
add the places where a secret is shown once (creation) and must not be shown again.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.reliability.conftest import SecretScanner, report, session_token
from tests.reliability.openapi import FACES, Operation, document, operations
from tests.reliability.requests import Credentials, body_for, send, snapshot
from tests.reliability.seed import Seeded

NUMBER = 987_654_321
TEXT = "zz-mass-assigned-zz"
UUID_ = "5a5a5a5a-5a5a-4a5a-8a5a-5a5a5a5a5a5a"
MARKS = (str(NUMBER), TEXT, UUID_, UUID_.replace("-", ""))

PRIVILEGED: dict[str, Any] = {
    # native (camelCase)
    "id": UUID_,
    "tenantId": UUID_,
    "teamId": UUID_,
    "partnerId": TEXT,
    "balance": NUMBER,
    "pointsBalance": NUMBER,
    "pendingPoints": NUMBER,
    "lifetimePoints": NUMBER,
    "pointsDebt": NUMBER,
    "pointsAwarded": NUMBER,
    "role": TEXT,
    "status": TEXT,
    "createdAt": "2001-01-01T00:00:00Z",
    "keyHash": TEXT,
    "passwordHash": TEXT,
    "secret": TEXT,
    # ShopSocially (snake_case)
    "tenant_id": UUID_,
    "merchant_id": TEXT,
    "points_balance": NUMBER,
    "total_points": NUMBER,
    "lifetime_points": NUMBER,
    "pending_points": NUMBER,
    "user_id": UUID_,
}


def _inject(op: Operation, body: dict[str, Any] | None) -> dict[str, Any] | None:
    schema = op.body_schema(document(op.face))
    if schema is None or body is None:
        return None
    writable = set(schema.get("properties", {}))
    extra = {k: v for k, v in PRIVILEGED.items() if k not in writable and k not in body}
    return {**body, **extra}


@pytest.mark.parametrize("face", sorted(FACES))
def test_privileged_fields_in_a_write_change_nothing(
    request: pytest.FixtureRequest,
    face: str,
    client: TestClient,
    fresh: Seeded,
    scanner: SecretScanner,
) -> None:
    t = fresh.tenant
    ids = fresh.path_ids()
    creds = Credentials(t, t.api.token, session_token(t))
    scanner.known(creds.session, t.api.token)
    writes = [op for op in operations(face) if op.writes and op.scope and op.label != LOGOUT]
    tried, refused, landed = 0, 0, []
    for op in writes:
        body = _inject(op, body_for(op, fresh))
        if body is None:
            continue
        tried += 1
        r = send(client, scanner, op, creds.headers(op), ids, body)
        if r.status_code == 400:
            refused += 1
            continue
        stored = json.dumps(snapshot(t.db, t.id))
        for mark in MARKS:
            if mark in r.text or mark in stored:
                landed.append(f"{op.label} -> {r.status_code}: {mark} stored or echoed")
    report(
        request,
        f"mass assignment {face}: {tried} writes with privileged fields, {refused} refused "
        f"(400), {tried - refused} accepted without taking them, {len(landed)} took them",
    )
    assert tried
    assert not landed, landed


LOGOUT = "POST /api/v2/auth/logout"


def test_an_api_keys_plaintext_is_shown_once(client: TestClient, fresh: Seeded) -> None:
    t = fresh.tenant
    owner = {"Authorization": f"Bearer {session_token(t)}", "Idempotency-Key": "new-key-1"}
    created = client.post("/api/v2/api-keys", json={"name": "once"}, headers=owner)
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith("fl_live_")
    replay = client.post("/api/v2/api-keys", json={"name": "once"}, headers=owner)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert key not in replay.text
    listed = client.get("/api/v2/api-keys", headers=owner)
    one = client.get(f"/api/v2/api-keys/{created.json()['id']}", headers=owner)
    for r in (listed, one):
        assert r.status_code == 200
        assert key not in r.text  # only the display prefix, `fl_live_` + 6 characters
        assert created.json()["prefix"] in r.text


def test_secrets_are_shown_only_when_made(client: TestClient, fresh: Seeded) -> None:
    t = fresh.tenant
    h = {"Authorization": f"Bearer {t.api.token}"}
    sso = client.post("/api/v2/settings/sso-secret", headers={**h, "Idempotency-Key": "sso-1"})
    assert sso.status_code == 200, sso.text
    secret = sso.json()["ssoSecret"]
    again = client.post("/api/v2/settings/sso-secret", headers={**h, "Idempotency-Key": "sso-1"})
    assert secret not in again.text
    assert secret not in client.get("/api/v2/settings", headers=h).text

    hook = client.post(
        "/api/v2/webhooks",
        json={"url": "http://127.0.0.1:9/h", "events": ["points.awarded"]},
        headers={**h, "Idempotency-Key": "hook-1"},
    )
    assert hook.status_code == 201, hook.text
    whsec = hook.json()["secret"]
    replay = client.post(
        "/api/v2/webhooks",
        json={"url": "http://127.0.0.1:9/h", "events": ["points.awarded"]},
        headers={**h, "Idempotency-Key": "hook-1"},
    )
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json()["secret"] is None
    assert whsec not in replay.text
    for path in ("/api/v2/webhooks", f"/api/v2/webhooks/{hook.json()['id']}"):
        assert whsec not in client.get(path, headers=h).text


def test_the_scanner_catches_what_it_must(scanner: SecretScanner) -> None:
    """A guard on the guard: a leaked key or hash fails, a key at creation passes."""
    probe = SecretScanner(scanner.db)
    probe.known("fl_live_" + "a" * 43)
    with pytest.raises(AssertionError):
        probe.check("GET", "/api/v2/stores", 200, '{"key": "fl_live_' + "a" * 43 + '"}')
    with pytest.raises(AssertionError):
        probe.check("GET", "/api/v2/auth/profile", 200, '{"hash": "$argon2id$v=19$m=1"}')
    probe.check("POST", "/api/v2/api-keys", 201, '{"key": "fl_live_' + "b" * 43 + '"}')
