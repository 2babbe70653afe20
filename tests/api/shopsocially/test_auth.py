"""`partner-id` + `api-key`: 401 "authentication failure" unless both are right and
belong together; 403 without the scope; every route declares its scope; the face's
own OpenAPI document and error envelope."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.shopsocially.conftest import BASE, Loyalty, make_user, ok, refused
from tests.factories import Tenant


def test_both_headers_resolve_to_the_tenant(ss: Loyalty) -> None:
    assert ok(ss.get("/activities"))[0]["merchant_id"] == ss.partner_id


@pytest.mark.parametrize("drop", ["partner-id", "api-key"])
def test_a_missing_header_is_401(ss: Loyalty, drop: str) -> None:
    headers = {k: v for k, v in ss.headers.items() if k != drop}
    r = ss.client.get(f"{BASE}/activities", headers=headers)
    refused(r, 401, "authentication failure")


def test_a_wrong_api_key_is_401(ss: Loyalty) -> None:
    r = ss.client.get(
        f"{BASE}/activities", headers={"partner-id": ss.partner_id, "api-key": "fl_live_nope"}
    )
    refused(r, 401, "authentication failure")


def test_a_wrong_partner_id_is_401(ss: Loyalty) -> None:
    r = ss.client.get(
        f"{BASE}/activities", headers={"partner-id": "pt_nope", "api-key": ss.api_key}
    )
    refused(r, 401, "authentication failure")


def test_another_tenants_partner_id_with_this_key_is_401(ss: Loyalty, other_ss: Loyalty) -> None:
    r = ss.client.get(
        f"{BASE}/activities", headers={"partner-id": other_ss.partner_id, "api-key": ss.api_key}
    )
    refused(r, 401, "authentication failure")


def test_a_session_token_is_not_an_api_key(ss: Loyalty, tenant: Tenant) -> None:
    r = ss.client.get(
        f"{BASE}/activities", headers={"partner-id": ss.partner_id, "api-key": tenant.owner.token}
    )
    refused(r, 401, "authentication failure")


def test_a_revoked_key_is_401(ss: Loyalty, tenant: Tenant) -> None:
    key = tenant.key("points:read")
    keys = tenant.owner.get("/api-keys").json()["apiKeys"]
    kid = next(k["id"] for k in keys if key.token.startswith(k["prefix"]))
    assert tenant.owner.delete(f"/api-keys/{kid}").status_code == 204
    r = ss.client.get(
        f"{BASE}/activities", headers={"partner-id": ss.partner_id, "api-key": key.token}
    )
    refused(r, 401, "authentication failure")


def test_a_key_without_the_scope_is_403(ss: Loyalty, tenant: Tenant) -> None:
    user = make_user(ss)
    weak = Loyalty(ss.client, ss.partner_id, tenant.key_without("points:write").token)
    r = weak.post("/deduct", {"user_email": user["user_email"], "reason": "x", "points_passed": 1})
    assert "points:write" in refused(r, 403)
    reader = Loyalty(ss.client, ss.partner_id, tenant.key("points:read").token)
    ok(reader.get("/activities"))


def _operations(client: TestClient) -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
    doc = client.get(f"{BASE}/openapi.json").json()
    return {(m.upper(), p): op for p, ops in doc["paths"].items() for m, op in ops.items()}


FUNCTIONS = """
POST /v2/loyalty/award
POST /v2/loyalty/redeem
POST /v2/loyalty/deduct
GET /v2/loyalty/transactions
GET /v2/loyalty/transactions/{transaction_id}
PUT /v2/loyalty/transactions/{transaction_id}
GET /v2/loyalty/users
GET /v2/loyalty/users/{user_email}
POST /v2/loyalty/users
PUT /v2/loyalty/users/{uid}
GET /v2/loyalty/users/{user_email}/transactions
GET /v2/loyalty/activities
POST /v2/loyalty/activities
GET /v2/loyalty/activities/{activity_id}
PUT /v2/loyalty/activities/{activity_id}
GET /v2/loyalty/redemptions
POST /v2/loyalty/redemptions
GET /v2/loyalty/redemptions/{redemption_id}
PUT /v2/loyalty/redemptions/{redemption_id}
GET /v2/loyalty/levels
POST /v2/loyalty/levels
PUT /v2/loyalty/levels/{level_id}
GET /v2/loyalty/levels/{level_id}
POST /v2/loyalty/transaction/return
"""


def test_the_24_functions_are_served_and_documented(client: TestClient) -> None:
    ops = _operations(client)
    wanted = {tuple(line.split(" ", 1)) for line in FUNCTIONS.strip().splitlines()}
    assert len(wanted) == 24
    assert set(ops) == wanted
    doc = client.get(f"{BASE}/openapi.json").json()
    assert doc["components"]["schemas"]["Error"]["required"] == ["reason", "success"]
    assert set(doc["components"]["securitySchemes"]) == {"PartnerId", "ApiKey"}
    for key, op in ops.items():
        assert op.get("summary"), key
        assert op.get("x-required-scope"), key
        assert op["security"] == [{"PartnerId": [], "ApiKey": []}], key
        assert {"401", "403"} <= set(op["responses"]), key
        if key[0] in ("POST", "PUT"):
            content = op["requestBody"]["content"]
            assert {"application/x-www-form-urlencoded", "application/json"} <= set(content)


def test_every_function_refuses_a_missing_credential(client: TestClient) -> None:
    for method, path in _operations(client):
        r = client.request(method, path.replace("{", "").replace("}", ""), data={})
        refused(r, 401, "authentication failure")


def test_the_native_document_does_not_list_the_face(client: TestClient) -> None:
    paths = client.get("/api/v2/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(BASE)]


def test_swagger_ui_is_served(client: TestClient) -> None:
    r = client.get(f"{BASE}/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()


def test_an_unknown_path_answers_in_the_face_envelope(ss: Loyalty) -> None:
    refused(ss.get("/no-such-function"), 404)
    refused(ss.client.delete(f"{BASE}/activities", headers=ss.headers), 405)
