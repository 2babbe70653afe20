"""API keys: /api/v2/api-keys — owner/admin sessions only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from punchcard.identity.scopes import ALL_SCOPES, READ_SCOPES
from punchcard.kit.ids import parse
from punchcard.models import ApiKey
from tests.factories import PASSWORD, Api, Tenant, new_user, unique


def make_user(t: Tenant, role: str) -> Api:
    """A dashboard user of ``t`` with ``role``, logged in through the API."""
    _, email = new_user(t, role)
    r = t.client.post("/api/v2/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return Api(t.client, r.json()["token"])


def create_key(t: Tenant, **kw: Any) -> dict[str, Any]:
    r = t.owner.post("/api-keys", json={"name": unique("key"), **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())


# create ----------------------------------------------------------------------------


def test_create_key_returns_the_plaintext_once(tenant: Tenant) -> None:
    r = tenant.owner.post("/api-keys", json={"name": "POS", "scopes": ["points:write"]})
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "name", "prefix", "scopes", "createdAt", "expiresAt", "key"}
    assert body["id"].startswith("key_")
    assert body["key"].startswith("fl_live_") and len(body["key"]) >= len("fl_live_") + 32
    assert body["key"].startswith(body["prefix"])
    assert body["scopes"] == ["points:read", "points:write"]
    assert body["createdAt"].endswith("Z")


def test_a_new_key_works_with_exactly_its_scopes(tenant: Tenant) -> None:
    key = Api(tenant.client, create_key(tenant, scopes=["stores:read"])["key"])
    assert key.get("/stores").status_code == 200
    r = key.post("/stores", json={"code": "S1", "name": "Main"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_presets_expand_to_their_scopes(tenant: Tenant) -> None:
    assert create_key(tenant, preset="read")["scopes"] == sorted(READ_SCOPES)
    assert create_key(tenant, preset="write")["scopes"] == sorted(ALL_SCOPES)
    assert create_key(tenant)["scopes"] == sorted(ALL_SCOPES)


def test_create_key_refuses_an_unknown_scope(tenant: Tenant) -> None:
    r = tenant.owner.post("/api-keys", json={"name": "k", "scopes": ["points:steal"]})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "scopes"
    r = tenant.owner.post("/api-keys", json={"name": "k", "scopes": []})
    assert r.status_code == 400 and r.json()["error"]["field"] == "scopes"


def test_create_key_refuses_an_unknown_preset(tenant: Tenant) -> None:
    r = tenant.owner.post("/api-keys", json={"name": "k", "preset": "admin"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "preset"


def test_create_key_needs_a_name(tenant: Tenant) -> None:
    r = tenant.owner.post("/api-keys", json={"scopes": ["stores:read"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "name"
    r = tenant.owner.post("/api-keys", json={"name": ""})
    assert r.status_code == 400 and r.json()["error"]["field"] == "name"


def test_only_a_hash_of_the_key_is_stored(tenant: Tenant) -> None:
    created = create_key(tenant)
    with tenant.db.transaction(write=False) as s:
        row = s.scalars(select(ApiKey).where(ApiKey.id == parse("key", created["id"]))).one()
        assert row.key_hash != created["key"]
        assert created["key"] not in row.key_hash
        assert len(row.key_hash) == 64


# list / get ------------------------------------------------------------------------


def test_list_keys_never_shows_the_plaintext(tenant: Tenant) -> None:
    created = create_key(tenant, name="ERP sync", preset="read")
    r = tenant.owner.get("/api-keys")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2  # the fixture's key and this one
    assert created["key"] not in r.text
    listed = {k["id"]: k for k in body["apiKeys"]}[created["id"]]
    assert set(listed) == {
        "id",
        "name",
        "prefix",
        "scopes",
        "createdAt",
        "lastUsedAt",
        "revokedAt",
        "expiresAt",
    }
    assert listed["name"] == "ERP sync" and listed["revokedAt"] is None
    one = tenant.owner.get(f"/api-keys/{created['id']}")
    assert one.status_code == 200 and created["key"] not in one.text


def test_list_keys_pages(tenant: Tenant) -> None:
    for _ in range(2):
        create_key(tenant)
    body = tenant.owner.get("/api-keys", params={"limit": 2, "offset": 1}).json()
    assert body["total"] == 3 and body["limit"] == 2 and body["offset"] == 1
    assert len(body["apiKeys"]) == 2
    r = tenant.owner.get("/api-keys", params={"limit": 0})
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"


def test_list_keys_shows_when_a_key_was_last_used(tenant: Tenant) -> None:
    created = create_key(tenant)
    assert Api(tenant.client, created["key"]).get("/stores").status_code == 200
    tenant.client.app.state.audit.flush()  # type: ignore[attr-defined]
    listed = tenant.owner.get(f"/api-keys/{created['id']}").json()
    assert listed["lastUsedAt"] is not None and listed["lastUsedAt"].endswith("Z")


# revoke ----------------------------------------------------------------------------


def test_a_revoked_key_gets_401_on_its_next_request(tenant: Tenant) -> None:
    created = create_key(tenant)
    key = Api(tenant.client, created["key"])
    assert key.get("/stores").status_code == 200
    r = tenant.owner.delete(f"/api-keys/{created['id']}")
    assert r.status_code == 204 and r.content == b""
    r = key.get("/stores")
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    listed = tenant.owner.get(f"/api-keys/{created['id']}").json()
    assert listed["revokedAt"] is not None


def test_revoking_twice_keeps_the_first_revocation(tenant: Tenant) -> None:
    created = create_key(tenant)
    assert tenant.owner.delete(f"/api-keys/{created['id']}").status_code == 204
    first = tenant.owner.get(f"/api-keys/{created['id']}").json()["revokedAt"]
    assert tenant.owner.delete(f"/api-keys/{created['id']}").status_code == 204
    assert tenant.owner.get(f"/api-keys/{created['id']}").json()["revokedAt"] == first


def test_unknown_key_ids_are_404(tenant: Tenant) -> None:
    for bad in ("key_" + "0" * 32, "nonsense"):
        assert tenant.owner.delete(f"/api-keys/{bad}").status_code == 404
        assert tenant.owner.get(f"/api-keys/{bad}").status_code == 404


def test_another_tenants_key_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = create_key(other_tenant)
    assert tenant.owner.get(f"/api-keys/{theirs['id']}").status_code == 404
    assert tenant.owner.delete(f"/api-keys/{theirs['id']}").status_code == 404
    assert tenant.owner.get(f"/api-keys/{theirs['id']}/activity").status_code == 404
    assert theirs["id"] not in tenant.owner.get("/api-keys").text
    assert Api(other_tenant.client, theirs["key"]).get("/stores").status_code == 200


# who may manage keys ---------------------------------------------------------------


def test_key_management_needs_credentials(tenant: Tenant) -> None:
    assert tenant.client.get("/api/v2/api-keys").status_code == 401
    bad = Api(tenant.client, "fl_live_" + "x" * 43)
    assert bad.get("/api-keys").status_code == 401
    assert bad.post("/api-keys", json={"name": "k"}).status_code == 401
    assert bad.delete("/api-keys/key_" + "0" * 32).status_code == 401


def test_api_keys_cannot_manage_keys(tenant: Tenant) -> None:
    created = create_key(tenant)
    assert tenant.api.get("/api-keys").status_code == 403
    assert tenant.api.post("/api-keys", json={"name": "k"}).status_code == 403
    assert tenant.api.delete(f"/api-keys/{created['id']}").status_code == 403
    assert tenant.api.get(f"/api-keys/{created['id']}/activity").status_code == 403


def test_viewers_cannot_manage_keys(tenant: Tenant) -> None:
    viewer = make_user(tenant, "viewer")
    assert viewer.get("/api-keys").status_code == 403
    r = viewer.post("/api-keys", json={"name": "k"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"


def test_admins_can_manage_keys(tenant: Tenant) -> None:
    admin = make_user(tenant, "admin")
    r = admin.post("/api-keys", json={"name": "by admin", "preset": "read"})
    assert r.status_code == 201, r.text
    assert admin.delete(f"/api-keys/{r.json()['id']}").status_code == 204


# activity --------------------------------------------------------------------------


def test_key_activity_lists_the_keys_calls_newest_first(tenant: Tenant) -> None:
    created = create_key(tenant, scopes=["stores:read"])
    key = Api(tenant.client, created["key"])
    key.get("/stores")
    key.post("/stores", json={"code": "X", "name": "Y"})  # 403: still recorded
    r = tenant.owner.get(f"/api-keys/{created['id']}/activity")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2 and body["limit"] == 50 and body["offset"] == 0
    newest, oldest = body["activity"]
    assert (newest["method"], newest["path"], newest["status"]) == ("POST", "/api/v2/stores", 403)
    assert (oldest["method"], oldest["path"], oldest["status"]) == ("GET", "/api/v2/stores", 200)
    assert set(newest) == {"method", "path", "status", "latencyMs", "clientIp", "createdAt"}
    assert newest["latencyMs"] >= 0 and newest["createdAt"].endswith("Z")


def test_key_activity_leaves_out_other_keys_calls(tenant: Tenant) -> None:
    created = create_key(tenant)
    tenant.api.get("/stores")
    body = tenant.owner.get(f"/api-keys/{created['id']}/activity").json()
    assert body["total"] == 0 and body["activity"] == []


def test_idempotent_replay_of_key_creation_never_stores_the_plaintext(tenant: Tenant) -> None:
    from sqlalchemy import select

    from punchcard.models import IdempotencyRecord

    h = {"Idempotency-Key": "make-key-1"}
    first = tenant.owner.post("/api-keys", json={"name": "pos", "preset": "read"}, headers=h)
    assert first.status_code == 201 and first.json()["key"].startswith("fl_live_")
    replay = tenant.owner.post("/api-keys", json={"name": "pos", "preset": "read"}, headers=h)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"] and replay.json()["key"] is None
    with tenant.db.transaction(write=False) as s:
        stored = s.scalars(
            select(IdempotencyRecord).where(IdempotencyRecord.tenant_id == tenant.id)
        ).all()
        assert stored and all(
            first.json()["key"].encode() not in (r.response_body or b"") for r in stored
        )


def test_every_call_is_in_the_audit_log_after_a_flush(tenant: Tenant) -> None:
    from sqlalchemy import select

    from punchcard.models import AuditRecord

    created = create_key(tenant)
    key = Api(tenant.client, created["key"])
    assert key.get("/stores").status_code == 200
    assert key.get("/members/mem_00000000000000000000000000000000").status_code == 404
    tenant.client.app.state.audit.flush()  # type: ignore[attr-defined]
    with tenant.db.transaction(write=False) as s:
        rows = s.scalars(
            select(AuditRecord)
            .where(AuditRecord.tenant_id == tenant.id, AuditRecord.api_key_id.is_not(None))
            .order_by(AuditRecord.created_at, AuditRecord.id)
        ).all()
        seen = [
            (r.method, r.path, r.status) for r in rows if str(r.api_key_id.hex) in created["id"]
        ]
    assert seen == [
        ("GET", "/api/v2/stores", 200),
        ("GET", "/api/v2/members/mem_00000000000000000000000000000000", 404),
    ]
