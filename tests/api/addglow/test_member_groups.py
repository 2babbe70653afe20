"""The document's Member Groups group: ``GET/POST /member-groups``, ``GET/PATCH/DELETE
/member-groups/{id}``; a group's badge is stored as given and returned as it was."""

from __future__ import annotations

from typing import Any

from tests.api.addglow.conftest import NIL, ag, native_member, refused, uuid_of, without
from tests.factories import Api, Tenant

BADGE = {"label": "VIP", "color": "#ff8800", "iconUrl": "https://cdn.example.com/vip.png"}


def make_group(api: Api, name: str = "Group A", badge: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name}
    if badge is not None:
        body["brandMemberBadge"] = badge
    r = api.post("/member-groups", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json()["data"])


def test_create_answers_201_with_the_group_and_its_badge_as_given(api: Api) -> None:
    badge = {**BADGE, "nested": {"tiers": [1, 2.5, None, True]}, "ünïcode": "★"}
    group = make_group(api, "Group A", badge)
    assert set(group) == {"id", "name", "brandMemberBadge", "createdAt", "updatedAt"}
    assert group["name"] == "Group A" and group["brandMemberBadge"] == badge
    assert len(group["id"]) == 36 and group["createdAt"].endswith("Z")
    r = api.get(f"/member-groups/{group['id']}")
    assert r.status_code == 200, r.text
    assert r.json() == {"data": group}


def test_a_group_without_a_badge_has_null(api: Api) -> None:
    assert make_group(api)["brandMemberBadge"] is None
    r = api.post("/member-groups", json={"name": "B", "brandMemberBadge": None})
    assert r.status_code == 201 and r.json()["data"]["brandMemberBadge"] is None


def test_name_is_required_non_blank_and_at_most_200(api: Api) -> None:
    for body in ({}, {"name": None}, {"name": ""}, {"name": "   "}, {"name": 5},
                 {"name": "x" * 201}, {"name": "a\u0000b"}):  # fmt: skip
        refused(api.post("/member-groups", json=body), 400, "VALIDATION_ERROR", "name")
    assert make_group(api, "x" * 200)["name"] == "x" * 200


def test_the_badge_must_be_a_bounded_json_object(api: Api) -> None:
    for badge in ("VIP", [1, 2], 3, True, {"label": "x" * 5000}, {"a": "nul\u0000"}):
        r = api.post("/member-groups", json={"name": "G", "brandMemberBadge": badge})
        refused(r, 400, "VALIDATION_ERROR", "brandMemberBadge")
    r = api.post("/member-groups", json={"name": "G", "other": 1})
    refused(r, 400, "VALIDATION_ERROR", "other")
    assert api.get("/member-groups").json()["data"] == []


def test_patch_renames_replaces_or_clears_the_badge_and_keeps_what_is_absent(api: Api) -> None:
    group = make_group(api, "Group A", BADGE)
    r = api.patch(f"/member-groups/{group['id']}", json={"name": "Group B"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["name"] == "Group B" and r.json()["data"]["brandMemberBadge"] == BADGE
    r = api.patch(f"/member-groups/{group['id']}", json={"brandMemberBadge": {"label": "Gold"}})
    assert r.json()["data"] == {**r.json()["data"], "name": "Group B",
                                "brandMemberBadge": {"label": "Gold"}}  # fmt: skip
    r = api.patch(f"/member-groups/{group['id']}", json={"brandMemberBadge": None})
    assert r.json()["data"]["brandMemberBadge"] is None
    assert api.get(f"/member-groups/{group['id']}").json()["data"]["name"] == "Group B"


def test_patch_refuses_a_null_blank_or_long_name_and_a_bad_badge(api: Api) -> None:
    group = make_group(api, "Keep", BADGE)
    cases = [
        ({"name": None}, "name"),
        ({"name": " "}, "name"),
        ({"name": "y" * 201}, "name"),
        ({"brandMemberBadge": []}, "brandMemberBadge"),
        ({"id": NIL}, "id"),
    ]
    for body, field in cases:
        refused(api.patch(f"/member-groups/{group['id']}", json=body), 400, "VALIDATION_ERROR",
                field)  # fmt: skip
    assert api.get(f"/member-groups/{group['id']}").json()["data"] == group


def test_delete_answers_success_and_removes_the_group_from_its_members(
    tenant: Tenant, api: Api
) -> None:
    keep, gone = make_group(api, "Keep"), make_group(api, "Gone")
    member = uuid_of(native_member(tenant)["id"])
    r = api.patch(f"/members/{member}", json={"groupIds": [keep["id"], gone["id"]]})
    assert r.status_code == 200, r.text
    r = api.delete(f"/member-groups/{gone['id']}")
    assert r.status_code == 200 and r.json() == {"success": True}
    refused(api.get(f"/member-groups/{gone['id']}"), 404, "NOT_FOUND")
    refused(api.delete(f"/member-groups/{gone['id']}"), 404, "NOT_FOUND")
    assert api.get(f"/members/{member}").json()["data"]["groupIds"] == [keep["id"]]
    assert api.get("/members", params={"group_id": gone["id"]}).json()["data"] == []


def test_list_pages_oldest_first_with_has_more_and_after(api: Api) -> None:
    made = [make_group(api, f"G{i}") for i in range(5)]
    first = api.get("/member-groups", params={"limit": 2}).json()
    assert first["hasMore"] is True and [g["id"] for g in first["data"]] == [
        g["id"] for g in made[:2]
    ]
    seen = [g["id"] for g in first["data"]]
    after = seen[-1]
    while True:
        page = api.get("/member-groups", params={"limit": 2, "after": after}).json()
        seen += [g["id"] for g in page["data"]]
        if not page["hasMore"]:
            break
        after = page["data"][-1]["id"]
    assert seen == [g["id"] for g in made]
    default = api.get("/member-groups").json()
    assert len(default["data"]) == 5 and default["hasMore"] is False


def test_list_refuses_a_bad_limit_and_an_unknown_or_malformed_after(
    other_tenant: Tenant, api: Api
) -> None:
    theirs = make_group(ag(other_tenant))
    for limit in (0, 101, "x"):
        refused(api.get("/member-groups", params={"limit": limit}), 400, "VALIDATION_ERROR",
                "limit")  # fmt: skip
    for after in (NIL, "nope", theirs["id"]):
        refused(api.get("/member-groups", params={"after": after}), 400, "VALIDATION_ERROR",
                "after")  # fmt: skip


def test_unknown_malformed_or_other_tenants_group_is_404(other_tenant: Tenant, api: Api) -> None:
    theirs = make_group(ag(other_tenant), "Theirs", BADGE)
    for id_ in (NIL, "not-a-uuid", theirs["id"]):
        refused(api.get(f"/member-groups/{id_}"), 404, "NOT_FOUND")
        refused(api.patch(f"/member-groups/{id_}", json={"name": "Mine"}), 404, "NOT_FOUND")
        refused(api.delete(f"/member-groups/{id_}"), 404, "NOT_FOUND")
    assert ag(other_tenant).get(f"/member-groups/{theirs['id']}").json()["data"] == theirs


def test_scopes_members_read_and_write_and_a_key_is_required(tenant: Tenant, api: Api) -> None:
    group = make_group(api)
    reader, writer = without(tenant, "members:write"), without(tenant, "members:read")
    assert reader.get(f"/member-groups/{group['id']}").status_code == 200
    assert reader.get("/member-groups").status_code == 200
    refused(reader.post("/member-groups", json={"name": "X"}), 403, "INSUFFICIENT_SCOPE")
    refused(reader.patch(f"/member-groups/{group['id']}", json={"name": "X"}), 403,
            "INSUFFICIENT_SCOPE")  # fmt: skip
    refused(reader.delete(f"/member-groups/{group['id']}"), 403, "INSUFFICIENT_SCOPE")
    refused(writer.get("/member-groups"), 403, "INSUFFICIENT_SCOPE")
    refused(writer.get(f"/member-groups/{group['id']}"), 403, "INSUFFICIENT_SCOPE")
    refused(tenant.client.get("/addglow/v1/member-groups"), 401, "UNAUTHORIZED")
    refused(tenant.client.post("/addglow/v1/member-groups", json={"name": "X"}), 401,
            "UNAUTHORIZED")  # fmt: skip
    assert api.get(f"/member-groups/{group['id']}").json()["data"] == group


def test_the_group_is_the_native_faces_group(tenant: Tenant, api: Api) -> None:
    group = make_group(api, "Shared", BADGE)
    native = tenant.api.get(f"/member-groups/grp_{group['id'].replace('-', '')}")
    assert native.status_code == 200, native.text
    assert native.json()["name"] == "Shared" and native.json()["brandMemberBadge"] == BADGE


def test_openapi_documents_the_group_and_201_on_create(tenant: Tenant) -> None:
    doc = tenant.client.get("/addglow/v1/openapi.json").json()
    post = doc["paths"]["/addglow/v1/member-groups"]["post"]
    assert "201" in post["responses"] and "400" in post["responses"]
    assert "brandMemberBadge" in str(doc["components"]["schemas"])
    assert doc["paths"]["/addglow/v1/member-groups/{id}"]["delete"]["responses"]["200"]
