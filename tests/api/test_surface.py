"""The API surface: every route declares its auth, the OpenAPI document is complete,
health endpoints answer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Tenant

# Routes that deliberately need no credentials.
PUBLIC = {
    ("POST", "/api/v2/auth/register"),
    ("POST", "/api/v2/auth/login"),
    ("POST", "/api/v2/auth/forgot-password"),
    ("POST", "/api/v2/auth/reset-password"),
}

SEED_ENDPOINTS = """
GET /api/v2/stores
GET /api/v2/stores/{id}
POST /api/v2/stores
PUT /api/v2/stores/{id}
GET /api/v2/members
POST /api/v2/members
POST /api/v2/members/batch
GET /api/v2/members/{id}
PATCH /api/v2/members/{id}
GET /api/v2/members/{id}/points
POST /api/v2/members/{id}/points
GET /api/v2/members/{id}/tier
GET /api/v2/members/{id}/coupons
GET /api/v2/members/{id}/receipts
POST /api/v2/members/{id}/redeem-coupon
GET /api/v2/orders
POST /api/v2/orders
POST /api/v2/orders/batch
POST /api/v2/orders/{externalOrderId}/refund
GET /api/v2/products
GET /api/v2/products/{id}
GET /api/v2/categories
GET /api/v2/brands
POST /api/v2/catalog/import
GET /api/v2/tags
GET /api/v2/members/{id}/tags
POST /api/v2/members/{id}/tags
DELETE /api/v2/members/{id}/tags/{tagKey}
GET /api/v2/captures
GET /api/v2/coupons
GET /api/v2/coupons/pools
POST /api/v2/coupons/issue
POST /api/v2/coupons/{id}/redeem
GET /api/v2/ambassador/candidates
GET /api/v2/ambassador/metrics
POST /api/v2/ambassador/members/{id}/issue-code
GET /api/v2/tracking/stats
POST /api/v2/tracking/events
GET /api/v2/api-keys
POST /api/v2/api-keys
DELETE /api/v2/api-keys/{id}
POST /api/v2/auth/register
POST /api/v2/auth/login
GET /api/v2/auth/profile
PATCH /api/v2/auth/profile
POST /api/v2/auth/change-password
POST /api/v2/auth/forgot-password
POST /api/v2/auth/reset-password
"""


def _operations(client: TestClient) -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
    doc = client.get("/api/v2/openapi.json").json()
    return {(m.upper(), p): op for p, ops in doc["paths"].items() for m, op in ops.items()}


def test_all_48_seed_endpoints_are_served(client: TestClient) -> None:
    ops = _operations(client)
    wanted = {tuple(line.split(" ", 1)) for line in SEED_ENDPOINTS.strip().splitlines()}
    assert len(wanted) == 48
    missing = sorted(wanted - set(ops))
    assert not missing, missing


def test_every_route_declares_auth_or_is_public(client: TestClient) -> None:
    for key, op in _operations(client).items():
        scope = op.get("x-required-scope")
        if key in PUBLIC:
            assert scope is None, key
        else:
            assert scope, f"{key} has no auth requirement and is not on the public list"


def test_every_protected_route_refuses_a_missing_credential(client: TestClient) -> None:
    for (method, path), _op in _operations(client).items():
        if (method, path) in PUBLIC:
            continue
        url = path.replace("{", "").replace("}", "")
        r = client.request(method, url, json={})
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert r.json()["error"]["code"] == "UNAUTHORIZED"


def test_openapi_documents_errors_and_scopes(client: TestClient) -> None:
    doc = client.get("/api/v2/openapi.json").json()
    assert "Error" in doc["components"]["schemas"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for (method, path), op in _operations(client).items():
        assert op.get("summary"), (method, path)
        assert "400" in op["responses"], (method, path)
        if (method, path) not in PUBLIC:
            assert {"401", "403"} <= set(op["responses"]), (method, path)


def test_swagger_ui_is_served(client: TestClient) -> None:
    r = client.get("/api/v2/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["database"] == "ok"


def test_unknown_route_gets_the_error_envelope(tenant: Tenant) -> None:
    r = tenant.api.get("/no-such-thing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_nul_characters_are_400_everywhere(tenant: Tenant) -> None:
    r = tenant.api.get("/coupons", params={"code": "A\x00B"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "code"
    r = tenant.api.post("/coupons/A%00B/redeem")
    assert r.status_code == 400
    r = tenant.api.post("/stores", json={"code": "X\x00", "name": "n"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "code"
    r = tenant.api.post(
        "/coupons/pools",
        json={"name": "p", "discountType": "amount", "discountValue": "1", "codes": ["A\x00"]},
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "codes"
