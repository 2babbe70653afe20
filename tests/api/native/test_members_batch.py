"""Members batch upsert: /api/v2/members/batch."""

from __future__ import annotations

from typing import Any

from tests.api.native.test_members import events, make_member
from tests.factories import Tenant


def batch(t: Tenant, rows: list[Any]) -> dict[str, Any]:
    r = t.api.post("/members/batch", json={"members": rows})
    assert r.status_code == 200, r.text
    return r.json()


def test_batch_creates_members(tenant: Tenant) -> None:
    body = batch(
        tenant,
        [{"externalId": "E-1", "email": "one@example.com"}, {"phone": "+15550100301"}],
    )
    assert (body["created"], body["updated"], body["failed"]) == (2, 0, 0)
    assert [r["index"] for r in body["results"]] == [0, 1]
    assert all(r["status"] == "created" and r["id"].startswith("mem_") for r in body["results"])
    assert "error" not in body["results"][0]
    m = tenant.api.get(f"/members/{body['results'][0]['id']}").json()
    assert (m["externalId"], m["email"]) == ("E-1", "one@example.com")
    assert m["referralCode"]
    assert len(events(tenant, "member.created")) == 2
    assert tenant.api.get("/captures").json()["total"] == 2


def test_batch_upserts_by_external_id_first(tenant: Tenant) -> None:
    m = make_member(tenant, externalId="E-2", email="old@example.com", firstName="Old")
    body = batch(tenant, [{"externalId": "E-2", "email": "New@example.com", "firstName": "New"}])
    assert body["results"] == [{"index": 0, "status": "updated", "id": m["id"]}]
    got = tenant.api.get(f"/members/{m['id']}").json()
    assert (got["email"], got["firstName"]) == ("new@example.com", "New")
    assert len(events(tenant, "member.updated")) == 1


def test_batch_upserts_by_email_when_external_id_is_unknown(tenant: Tenant) -> None:
    m = make_member(tenant, email="match@example.com")
    body = batch(tenant, [{"externalId": "E-3", "email": "MATCH@example.com", "lastName": "L"}])
    assert body["results"][0] == {"index": 0, "status": "updated", "id": m["id"]}
    got = tenant.api.get(f"/members/{m['id']}").json()
    assert (got["externalId"], got["lastName"]) == ("E-3", "L")


def test_batch_null_leaves_a_field_unchanged(tenant: Tenant) -> None:
    m = make_member(tenant, externalId="E-4", phone="+15550100404", firstName="Keep")
    batch(tenant, [{"externalId": "E-4", "phone": None, "firstName": None, "lastName": "Set"}])
    got = tenant.api.get(f"/members/{m['id']}").json()
    assert (got["phone"], got["firstName"], got["lastName"]) == ("+15550100404", "Keep", "Set")


def test_batch_mixed_results_one_bad_row_does_not_fail_the_batch(tenant: Tenant) -> None:
    existing = make_member(tenant, email="exists@example.com")
    taken = make_member(tenant, phone="+15550100500")
    body = batch(
        tenant,
        [
            {"email": "fresh@example.com"},  # created
            {"email": "exists@example.com", "firstName": "Upd"},  # updated
            {"email": "not-an-email"},  # invalid
            {"firstName": "no identity"},  # invalid
            {"email": "clash@example.com", "phone": "+1 555 010 0500"},  # duplicate phone
            "not an object",
            {"email": "ok@example.com", "unknownField": 1},  # invalid
            {"externalId": "E-5", "storeId": "NO-SUCH-STORE"},  # invalid store
        ],
    )
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [
        "created",
        "updated",
        "error",
        "error",
        "error",
        "error",
        "error",
        "error",
    ]
    assert (body["created"], body["updated"], body["failed"]) == (1, 1, 6)
    errors = {r["index"]: r["error"] for r in body["results"] if r["status"] == "error"}
    assert errors[2]["code"] == "VALIDATION_ERROR" and errors[2]["field"] == "email"
    assert errors[3]["field"] == "email"
    assert errors[4]["code"] == "DUPLICATE_MEMBER" and errors[4]["field"] == "phone"
    assert errors[4]["existingId"] == taken["id"]
    assert errors[5]["code"] == "VALIDATION_ERROR"
    assert errors[6]["field"] == "unknownField"
    assert errors[7]["field"] == "storeId"
    assert all("id" not in r for r in body["results"] if r["status"] == "error")
    assert body["results"][1]["id"] == existing["id"]
    # Failed rows left nothing behind: 2 made before + 1 created.
    assert tenant.api.get("/members").json()["total"] == 3
    assert len(events(tenant, "member.created")) == 3
    assert tenant.api.get("/members", params={"email": "clash@example.com"}).json()["total"] == 0


def test_batch_email_of_a_member_with_another_external_id_is_refused(tenant: Tenant) -> None:
    m = make_member(tenant, email="shared@example.com", externalId="E-6")
    body = batch(tenant, [{"externalId": "E-7", "email": "shared@example.com"}])
    [row] = body["results"]
    assert row["status"] == "error"
    assert row["error"]["code"] == "DUPLICATE_MEMBER"
    assert (row["error"]["field"], row["error"]["existingId"]) == ("email", m["id"])
    assert tenant.api.get(f"/members/{m['id']}").json()["externalId"] == "E-6"


def test_batch_rows_see_earlier_rows(tenant: Tenant) -> None:
    body = batch(
        tenant,
        [
            {"externalId": "E-8", "email": "twice@example.com"},
            {"externalId": "E-8", "firstName": "Second"},
        ],
    )
    assert [r["status"] for r in body["results"]] == ["created", "updated"]
    assert body["results"][0]["id"] == body["results"][1]["id"]


def test_batch_size_limits_name_members(tenant: Tenant) -> None:
    for rows in ([], [{"email": f"u{i}@example.com"} for i in range(501)]):
        r = tenant.api.post("/members/batch", json={"members": rows})
        assert r.status_code == 400
        assert r.json()["error"]["field"] == "members"
    r = tenant.api.post("/members/batch", json={})
    assert r.status_code == 400 and r.json()["error"]["field"] == "members"
    assert tenant.api.get("/members").json()["total"] == 0


def test_batch_of_500_is_accepted(tenant: Tenant) -> None:
    body = batch(tenant, [{"externalId": f"BULK-{i}"} for i in range(500)])
    assert (body["created"], body["failed"]) == (500, 0)


def test_batch_needs_credentials_and_scope(tenant: Tenant) -> None:
    rows = {"members": [{"email": "x@example.com"}]}
    assert tenant.client.post("/api/v2/members/batch", json=rows).status_code == 401
    r = tenant.key_without("members:write").post("/members/batch", json=rows)
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_batch_never_touches_another_tenants_members(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_member(other_tenant, email="theirs@example.com", externalId="T-1")
    body = batch(tenant, [{"externalId": "T-1", "email": "theirs@example.com", "firstName": "X"}])
    assert body["results"][0]["status"] == "created"
    assert body["results"][0]["id"] != theirs["id"]
    assert other_tenant.api.get(f"/members/{theirs['id']}").json()["firstName"] is None
