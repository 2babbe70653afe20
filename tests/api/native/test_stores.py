"""Stores: /api/v2/stores."""

from __future__ import annotations

from tests.factories import Tenant, unique


def make_store(t: Tenant, **kw: object) -> dict:
    body = {"code": unique("ST-"), "name": "Downtown", **kw}
    r = t.api.post("/stores", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_create_store_returns_it_with_a_prefixed_id(tenant: Tenant) -> None:
    r = tenant.api.post(
        "/stores", json={"code": "ST-NYC-01", "name": "NYC", "timezone": "America/New_York"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"].startswith("st_")
    assert body["code"] == "ST-NYC-01"
    assert body["status"] == "active"
    assert body["createdAt"].endswith("Z")


def test_duplicate_store_code_is_409(tenant: Tenant) -> None:
    s = make_store(tenant)
    r = tenant.api.post("/stores", json={"code": s["code"], "name": "again"})
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "code"


def test_list_stores_pages_with_total(tenant: Tenant) -> None:
    for _ in range(3):
        make_store(tenant)
    r = tenant.api.get("/stores", params={"limit": 2, "offset": 0})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 3 and body["limit"] == 2 and body["offset"] == 0
    assert len(body["stores"]) == 2


def test_get_and_put_store(tenant: Tenant) -> None:
    s = make_store(tenant)
    r = tenant.api.put(f"/stores/{s['id']}", json={"name": "Uptown", "status": "inactive"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Uptown" and r.json()["status"] == "inactive"
    assert tenant.api.get(f"/stores/{s['id']}").json()["name"] == "Uptown"


def test_store_validation_names_the_field(tenant: Tenant) -> None:
    r = tenant.api.post("/stores", json={"name": "no code"})
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": "code is required",
        "field": "code",
    }
    r = tenant.api.post("/stores", json={"code": "X", "name": "Y", "timezone": "Mars/Olympus"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "timezone"
    r = tenant.api.get("/stores", params={"limit": 0})
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"
    r = tenant.api.get("/stores", params={"limit": 201})
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"


def test_malformed_json_is_400(tenant: Tenant) -> None:
    r = tenant.client.post(
        "/api/v2/stores",
        content=b"{not json",
        headers={**tenant.api.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"


def test_stores_need_credentials(tenant: Tenant) -> None:
    assert tenant.client.get("/api/v2/stores").status_code == 401
    r = tenant.client.get("/api/v2/stores", headers={"Authorization": "Bearer fl_live_nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"


def test_stores_need_their_scope(tenant: Tenant) -> None:
    assert tenant.key_without("stores:read").get("/stores").status_code == 403
    r = tenant.key("stores:read").post("/stores", json={"code": "A", "name": "B"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_another_tenants_store_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    s = make_store(other_tenant)
    assert tenant.api.get(f"/stores/{s['id']}").status_code == 404
    assert tenant.api.put(f"/stores/{s['id']}", json={"name": "hijack"}).status_code == 404
    assert tenant.api.get("/stores").json()["total"] == 0


def test_a_malformed_store_id_is_404_like_an_unknown_one(tenant: Tenant) -> None:
    unknown = tenant.api.get("/stores/st_0190f3c2a4b87c4e9a1b2c3d4e5f6a7b")
    malformed = tenant.api.get("/stores/st_nothex")
    assert unknown.status_code == malformed.status_code == 404
    assert malformed.json() == unknown.json()


def test_a_check_in_finds_a_store_whose_code_is_a_uuid(tenant: Tenant) -> None:
    code = "0190f3c2-a4b8-7c4e-9a1b-2c3d4e5f6a7b"
    store = make_store(tenant, code=code)
    member = tenant.api.post("/members", json={"externalId": unique("C-")}).json()
    r = tenant.api.post(f"/members/{member['id']}/checkins", json={"storeId": code})
    assert r.status_code == 201, r.text
    assert r.json()["storeId"] == store["id"]
