"""The scopes matrix, generated from each operation's ``x-required-scope``.

- Every operation that needs a scope, called with a key that has every scope but that
  one, answers 403 (``INSUFFICIENT_SCOPE`` on the native face).
- Every operation that needs a user session, called with an all-scopes API key,
  answers 403; the ones for owners and admins also refuse a viewer's session.
- A read-only key (preset ``read``) calling every write of every face changes nothing
  in the tenant's data: every one is refused with 403.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import Tenant
from tests.reliability.conftest import SecretScanner, report, session_token
from tests.reliability.openapi import FACES, Operation, operations
from tests.reliability.requests import body_for, diff, send, snapshot
from tests.reliability.seed import Seeded


def _headers(t: Tenant, op: Operation, token: str) -> dict[str, str]:
    if op.face == "shopsocially":
        return {"partner-id": t.partner_id, "api-key": token}
    return {"Authorization": f"Bearer {token}"}


def _refusal_code(op: Operation, body: dict) -> str | None:
    return body.get("error", {}).get("code") if op.face in _ERROR_OBJECT else None


# Faces whose error object is ``{"error": {"code", ...}}`` (its 403 says INSUFFICIENT_SCOPE).
_ERROR_OBJECT = ("native", "advocate")


@pytest.mark.parametrize("face", sorted(FACES))
def test_a_key_without_the_scope_is_refused_on_every_operation(
    request: pytest.FixtureRequest,
    face: str,
    client: TestClient,
    fresh: Seeded,
    scanner: SecretScanner,
) -> None:
    t = fresh.tenant
    ids = fresh.path_ids()
    ops = [op for op in operations(face) if op.scope and op.scope not in SESSION_ONLY]
    keys = {scope: t.key_without(scope).token for scope in {str(op.scope) for op in ops}}
    scanner.known(*keys.values())
    wrong: list[str] = []
    before = snapshot(t.db, t.id)
    for op in ops:
        assert op.scope is not None
        r = send(client, scanner, op, _headers(t, op, keys[op.scope]), ids, body_for(op, fresh))
        code = _refusal_code(op, r.json()) if r.content else None
        if r.status_code != 403 or (face in _ERROR_OBJECT and code != "INSUFFICIENT_SCOPE"):
            wrong.append(f"{op.label} without {op.scope}: {r.status_code} {r.text[:150]}")
    report(
        request,
        f"scopes {face}: {len(ops) - len(wrong)}/{len(ops)} scoped operations refused a key "
        f"without their scope (403)",
    )
    assert not wrong, wrong
    assert not diff(before, snapshot(t.db, t.id))


SESSION_ONLY = ("session", "admin-session")


def test_operations_for_users_refuse_api_keys_and_viewers(
    request: pytest.FixtureRequest, client: TestClient, fresh: Seeded, scanner: SecretScanner
) -> None:
    t = fresh.tenant
    ids = fresh.path_ids()
    viewer = _viewer_session(t)
    scanner.known(viewer)
    ops = [op for op in operations("native") if op.scope in SESSION_ONLY]
    wrong = []
    for op in ops:
        r = send(client, scanner, op, _headers(t, op, t.api.token), ids, body_for(op, fresh))
        if r.status_code != 403:
            wrong.append(f"{op.label} with an API key: {r.status_code} {r.text[:150]}")
        if op.scope == "admin-session":
            r = send(client, scanner, op, _headers(t, op, viewer), ids, body_for(op, fresh))
            if r.status_code != 403:
                wrong.append(f"{op.label} as a viewer: {r.status_code} {r.text[:150]}")
    report(request, f"scopes native: {len(ops)} user-only operations refused API keys")
    assert ops
    assert not wrong, wrong


def _viewer_session(t: Tenant) -> str:

    from punchcard.identity.users import open_session
    from punchcard.kit.crypto import hash_password
    from punchcard.kit.ids import new_id
    from punchcard.models import User
    from tests.factories import unique

    with t.db.transaction() as s:
        at = t.db.clock.now()
        user = User(
            id=new_id(),
            tenant_id=t.id,
            email=f"{unique('viewer')}@example.com",
            name="Viewer",
            role="viewer",
            password_hash=hash_password("a viewer's password"),
            created_at=at,
            updated_at=at,
        )
        s.add(user)
        s.flush()
        token, _ = open_session(s, user, ttl_seconds=86_400)
    return token


def test_a_read_only_key_changes_nothing(
    request: pytest.FixtureRequest, client: TestClient, fresh: Seeded, scanner: SecretScanner
) -> None:
    t = fresh.tenant
    ids = fresh.path_ids()
    read_only = t.key(preset="read").token
    scanner.known(read_only, session_token(t))
    writes = [op for face in FACES for op in operations(face) if op.writes and op.scope is not None]
    before = snapshot(t.db, t.id)
    wrong = []
    for op in writes:
        r = send(client, scanner, op, _headers(t, op, read_only), ids, body_for(op, fresh))
        if r.status_code != 403:
            wrong.append(f"{op.label}: {r.status_code} {r.text[:150]}")
    changed = diff(before, snapshot(t.db, t.id))
    report(
        request,
        f"read-only key: {len(writes) - len(wrong)}/{len(writes)} writes refused, "
        f"{len(changed)} tables changed",
    )
    assert not wrong, wrong
    assert not changed, changed
