"""The document's SSO group as ``/api/v1/openapi.json`` publishes it: every endpoint,
its body or parameters, and its statuses; and each documented status answered."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Tenant

# From seeds/002 "Single sign-on for seamless widget personalization".
DOCUMENT = {
    ("post", "/api/v1/sso/recognize"): (
        {"businessId", "externalCustomerId", "timestamp", "signature"},
        set(),
        "200",
    ),
    ("get", "/api/v1/sso/mappings"): (set(), {"page", "limit"}, "200"),
    ("post", "/api/v1/sso/mappings"): (
        {"advocateId", "externalCustomerId", "externalEmail", "externalName"},
        set(),
        "201",
    ),
}


def _doc(client: TestClient) -> dict[str, Any]:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _schema(doc: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    name = ref["$ref"].rsplit("/", 1)[-1]
    return dict(doc["components"]["schemas"][name])


def test_every_sso_endpoint_of_the_document_is_published(client: TestClient) -> None:
    doc = _doc(client)
    for (method, path), (body, params, ok) in DOCUMENT.items():
        op = doc["paths"][path][method]
        assert {ok, "400", "401", "403"} <= set(op["responses"]), (method, path)
        assert op["x-required-scope"].startswith("members:"), (method, path)
        query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        assert query == params, (method, path, query)
        if body:
            schema = _schema(doc, op["requestBody"]["content"]["application/json"]["schema"])
            assert set(schema["properties"]) == body, (method, path)


def test_recognize_requires_every_field(client: TestClient) -> None:
    doc = _doc(client)
    op = doc["paths"]["/api/v1/sso/recognize"]["post"]
    schema = _schema(doc, op["requestBody"]["content"]["application/json"]["schema"])
    assert set(schema["required"]) == DOCUMENT[("post", "/api/v1/sso/recognize")][0]


def test_the_documented_responses_have_the_documented_shapes(tenant: Tenant) -> None:
    h = tenant.api.headers
    c = tenant.client
    member = tenant.api.post("/members", json={"email": "contract@example.com"}).json()["id"]
    created = c.post(
        "/api/v1/sso/mappings",
        json={
            "advocateId": member,
            "externalCustomerId": "contract-1",
            "externalEmail": "c@example.com",
            "externalName": "C",
        },
        headers=h,
    )
    assert created.status_code == 201 and list(created.json()) == ["mapping"], created.text
    listed = c.get("/api/v1/sso/mappings", params={"page": 1, "limit": 10}, headers=h)
    assert listed.status_code == 200 and list(listed.json()) == ["mappings"], listed.text
    # Each documented error status, in the document's error object.
    answers = {
        400: c.post("/api/v1/sso/mappings", json={}, headers=h),
        401: c.get("/api/v1/sso/mappings"),
        403: c.get("/api/v1/sso/mappings", headers=tenant.key("points:read").headers),
        404: c.post(
            "/api/v1/sso/mappings",
            json={"advocateId": "mem_" + "f" * 32, "externalCustomerId": "x"},
            headers=h,
        ),
    }
    for status, r in answers.items():
        assert r.status_code == status, (status, r.text)
        assert set(r.json()["error"]) == {"code", "message", "field"}, r.text
