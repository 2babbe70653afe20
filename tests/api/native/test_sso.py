"""Native SSO customer mappings: ``GET|POST /api/v2/sso/mappings``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Tenant, unique


def _member(t: Tenant) -> str:
    r = t.api.post("/members", json={"email": f"{unique('m')}@example.com"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_create_and_list_mappings(tenant: Tenant) -> None:
    member = _member(tenant)
    made = []
    for i in range(3):
        r = tenant.api.post(
            "/sso/mappings",
            json={"memberId": member, "externalCustomerId": f"c{i}", "externalName": "Ada"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["memberId"] == member and r.json()["externalName"] == "Ada"
        made.append(r.json()["id"])
    r = tenant.api.get("/sso/mappings", params={"limit": 2, "offset": 1})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 1
    assert [m["id"] for m in page["mappings"]] == made[1:]


def test_a_mapping_made_here_is_listed_on_the_advocate_face(tenant: Tenant) -> None:
    member = _member(tenant)
    r = tenant.api.post("/sso/mappings", json={"memberId": member, "externalCustomerId": "x1"})
    assert r.status_code == 201, r.text
    v1 = tenant.client.get("/api/v1/sso/mappings", headers=tenant.api.headers).json()
    assert [m["id"] for m in v1["mappings"]] == [r.json()["id"]]
    assert v1["mappings"][0]["advocateId"] == member


def test_a_duplicate_is_409_naming_external_customer_id(tenant: Tenant) -> None:
    body = {"memberId": _member(tenant), "externalCustomerId": unique("c")}
    assert tenant.api.post("/sso/mappings", json=body).status_code == 201
    r = tenant.api.post("/sso/mappings", json=body)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "DUPLICATE_MAPPING"
    assert r.json()["error"]["field"] == "externalCustomerId"


def test_another_tenants_member_is_404_naming_member_id(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = _member(other_tenant)
    r = tenant.api.post("/sso/mappings", json={"memberId": theirs, "externalCustomerId": "c"})
    assert r.status_code == 404, r.text
    assert r.json()["error"]["field"] == "memberId"
    assert tenant.api.get("/sso/mappings").json()["total"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("memberId", None),
        ("memberId", 1),
        ("externalCustomerId", None),
        ("externalCustomerId", 42),
        ("externalCustomerId", " "),
        ("externalCustomerId", "x" * 256),
        ("externalEmail", "nope"),
        ("externalName", "n" * 201),
        ("extra", 1),
    ],
)
def test_bad_fields_are_400_naming_them(tenant: Tenant, field: str, value: Any) -> None:
    body: dict[str, Any] = {"memberId": _member(tenant), "externalCustomerId": unique("c")}
    if value is None:
        del body[field]
    else:
        body[field] = value
    r = tenant.api.post("/sso/mappings", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_mappings_need_the_members_scopes(tenant: Tenant) -> None:
    body = {"memberId": _member(tenant), "externalCustomerId": unique("c")}
    assert tenant.key_without("members:read").get("/sso/mappings").status_code == 403
    assert tenant.key("members:read").post("/sso/mappings", json=body).status_code == 403
    assert tenant.key("members:write").post("/sso/mappings", json=body).status_code == 201
    assert tenant.client.get("/api/v2/sso/mappings").status_code == 401
