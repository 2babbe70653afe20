"""Member groups on the native face: ``/member-groups`` (``grp_…`` ids) and a member's
groups, ``GET/PUT /members/{id}/groups`` (PUT replaces the set)."""

from __future__ import annotations

from typing import Any

from tests.factories import Api, Tenant, insert_member

NIL_GROUP = "grp_" + "0" * 32
BADGE = {"label": "VIP", "color": "#ff8800"}


def group(api: Api, name: str = "Group", badge: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name}
    if badge is not None:
        body["brandMemberBadge"] = badge
    r = api.post("/member-groups", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def error(r: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    if field is not None:
        assert err["field"] == field, err
    return dict(err)


def test_create_read_list_update_delete(tenant: Tenant) -> None:
    api = tenant.api
    g = group(api, "Gold", BADGE)
    assert g["id"].startswith("grp_") and g["brandMemberBadge"] == BADGE
    assert api.get(f"/member-groups/{g['id']}").json() == g
    second = group(api, "Silver")
    listed = api.get("/member-groups", params={"limit": 1}).json()
    assert listed["total"] == 2 and [x["id"] for x in listed["groups"]] == [g["id"]]
    page2 = api.get("/member-groups", params={"limit": 1, "offset": 1}).json()
    assert [x["id"] for x in page2["groups"]] == [second["id"]]
    r = api.patch(f"/member-groups/{g['id']}", json={"name": "Platinum", "brandMemberBadge": None})
    assert r.status_code == 200 and r.json()["name"] == "Platinum"
    assert r.json()["brandMemberBadge"] is None
    assert api.delete(f"/member-groups/{g['id']}").status_code == 204
    error(api.get(f"/member-groups/{g['id']}"), 404)
    assert api.get("/member-groups").json()["total"] == 1


def test_bad_names_and_badges_are_400_naming_the_field(tenant: Tenant) -> None:
    api = tenant.api
    for body, field in (
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "z" * 201}, "name"),
        ({"name": "G", "brandMemberBadge": "VIP"}, "brandMemberBadge"),
        ({"name": "G", "brandMemberBadge": {"x": "y" * 5000}}, "brandMemberBadge"),
    ):
        error(api.post("/member-groups", json=body), 400, field)
    g = group(api)
    error(api.patch(f"/member-groups/{g['id']}", json={"name": None}), 400, "name")
    assert api.get("/member-groups").json()["total"] == 1


def test_put_replaces_a_members_groups_and_get_reads_them(tenant: Tenant) -> None:
    api = tenant.api
    a, b, c = (group(api, n)["id"] for n in "ABC")
    member = insert_member(tenant)
    r = api.put(f"/members/{member}/groups", json={"groupIds": [a, b, a]})
    assert r.status_code == 200 and r.json() == {"groupIds": [a, b]}
    r = api.put(f"/members/{member}/groups", json={"groupIds": [c]})
    assert r.json() == {"groupIds": [c]}
    assert api.get(f"/members/{member}/groups").json() == {"groupIds": [c]}
    api.delete(f"/member-groups/{c}")
    assert api.get(f"/members/{member}/groups").json() == {"groupIds": []}


def test_an_unknown_group_is_400_naming_its_index_and_writes_nothing(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    api = tenant.api
    a = group(api)["id"]
    theirs = group(other_tenant.api)["id"]
    member = insert_member(tenant)
    api.put(f"/members/{member}/groups", json={"groupIds": [a]})
    for ids_, field in (([a, NIL_GROUP], "groupIds[1]"), ([theirs], "groupIds[0]"),
                        (["junk"], "groupIds[0]")):  # fmt: skip
        error(api.put(f"/members/{member}/groups", json={"groupIds": ids_}), 400, field)
    assert api.get(f"/members/{member}/groups").json() == {"groupIds": [a]}


def test_other_tenants_and_unknown_ids_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = group(other_tenant.api)["id"]
    their_member = insert_member(other_tenant)
    for id_ in (theirs, NIL_GROUP, "nope"):
        error(tenant.api.get(f"/member-groups/{id_}"), 404)
        error(tenant.api.patch(f"/member-groups/{id_}", json={"name": "X"}), 404)
        error(tenant.api.delete(f"/member-groups/{id_}"), 404)
    error(tenant.api.get(f"/members/{their_member}/groups"), 404)
    error(tenant.api.put(f"/members/{their_member}/groups", json={"groupIds": []}), 404)
    assert other_tenant.api.get(f"/member-groups/{theirs}").status_code == 200


def test_scopes(tenant: Tenant) -> None:
    g = group(tenant.api)
    member = insert_member(tenant)
    reader = tenant.key_without("members:write")
    assert reader.get(f"/member-groups/{g['id']}").status_code == 200
    assert reader.get(f"/members/{member}/groups").status_code == 200
    error(reader.post("/member-groups", json={"name": "X"}), 403)
    error(reader.delete(f"/member-groups/{g['id']}"), 403)
    error(reader.put(f"/members/{member}/groups", json={"groupIds": []}), 403)
    error(tenant.key_without("members:read").get("/member-groups"), 403)
    assert tenant.client.get("/api/v2/member-groups").status_code == 401
