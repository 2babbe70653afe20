"""The document's Members group: ``GET /members`` (``limit``, ``after``, ``group_id``)
and ``PATCH /members/{id}`` (``isBanned``, ``isEmailVerified``, ``groupIds``)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from punchcard.errors import Forbidden
from tests.api.addglow.conftest import (
    NIL,
    ag,
    events,
    native_id,
    native_member,
    refused,
    uuid_of,
    without,
)
from tests.api.addglow.test_member_groups import make_group
from tests.factories import Api, Tenant
from tests.identity.support import sign_in


def member(t: Tenant, **body: Any) -> str:
    return uuid_of(native_member(t, **body)["id"])


def groups_of(api: Api, member_id: str) -> list[str]:
    r = api.get(f"/members/{member_id}")
    assert r.status_code == 200, r.text
    return list(r.json()["data"]["groupIds"])


def patch(api: Api, member_id: str, body: dict[str, Any]) -> dict[str, Any]:
    r = api.patch(f"/members/{member_id}", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json()["data"])


# GET /members ------------------------------------------------------------------------


def test_list_pages_every_member_oldest_first_with_has_more_and_after(
    tenant: Tenant, api: Api
) -> None:
    made = [member(tenant) for _ in range(5)]
    first = api.get("/members", params={"limit": 2}).json()
    assert first["hasMore"] is True
    assert [m["id"] for m in first["data"]] == made[:2]
    seen = [m["id"] for m in first["data"]]
    while True:
        page = api.get("/members", params={"limit": 2, "after": seen[-1]}).json()
        seen += [m["id"] for m in page["data"]]
        if not page["hasMore"]:
            break
    assert seen == made
    whole = api.get("/members").json()
    assert whole["hasMore"] is False and [m["id"] for m in whole["data"]] == made
    assert set(whole["data"][0]) >= {"id", "email", "isBanned", "groupIds", "createdAt"}


def test_list_shows_each_members_groups(tenant: Tenant, api: Api) -> None:
    a, b = make_group(api, "A"), make_group(api, "B")
    one, two, three = member(tenant), member(tenant), member(tenant)
    patch(api, one, {"groupIds": [a["id"], b["id"]]})
    patch(api, two, {"groupIds": [b["id"]]})
    rows = {m["id"]: m["groupIds"] for m in api.get("/members").json()["data"]}
    assert rows == {one: [a["id"], b["id"]], two: [b["id"]], three: []}


def test_group_id_filters_and_pages_a_groups_members(tenant: Tenant, api: Api) -> None:
    group, other = make_group(api, "In"), make_group(api, "Out")
    ins = []
    for i in range(5):
        m = member(tenant)
        if i % 2 == 0:
            ins.append(m)
            patch(api, m, {"groupIds": [group["id"]]})
        else:
            patch(api, m, {"groupIds": [other["id"]]})
    page = api.get("/members", params={"group_id": group["id"], "limit": 2}).json()
    assert page["hasMore"] is True and [m["id"] for m in page["data"]] == ins[:2]
    rest = api.get("/members", params={"group_id": group["id"], "after": ins[1]}).json()
    assert rest["hasMore"] is False and [m["id"] for m in rest["data"]] == ins[2:]
    assert api.get("/members", params={"group_id": NIL}).json() == {"hasMore": False, "data": []}


def test_list_refuses_a_malformed_group_id_bad_limit_and_unknown_after(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    member(tenant)
    theirs = member(other_tenant)
    refused(api.get("/members", params={"group_id": "grp-1"}), 400, "VALIDATION_ERROR", "group_id")
    for limit in (0, 101, "ten"):
        refused(api.get("/members", params={"limit": limit}), 400, "VALIDATION_ERROR", "limit")
    for after in (NIL, "x", theirs):
        refused(api.get("/members", params={"after": after}), 400, "VALIDATION_ERROR", "after")
    assert len(api.get("/members", params={"limit": 100}).json()["data"]) == 1


def test_list_needs_members_read_and_a_key(tenant: Tenant) -> None:
    refused(without(tenant, "members:read").get("/members"), 403, "INSUFFICIENT_SCOPE")
    refused(tenant.client.get("/addglow/v1/members"), 401, "UNAUTHORIZED")


# PATCH /members/{id}: groupIds -------------------------------------------------------


def test_group_ids_replace_the_set_deduplicated(tenant: Tenant, api: Api) -> None:
    a, b, c = (make_group(api, n)["id"] for n in "ABC")
    m = member(tenant)
    assert patch(api, m, {"groupIds": [a, b]})["groupIds"] == [a, b]
    assert patch(api, m, {"groupIds": [c, b, c]})["groupIds"] == [b, c]
    assert groups_of(api, m) == [b, c]
    assert patch(api, m, {"isBanned": False})["groupIds"] == [b, c]  # absent: kept
    assert patch(api, m, {"groupIds": []})["groupIds"] == []
    assert groups_of(api, m) == []


def test_an_unknown_group_id_is_400_naming_it_and_nothing_is_written(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    a, b = make_group(api, "A")["id"], make_group(api, "B")["id"]
    theirs = make_group(ag(other_tenant), "Theirs")["id"]
    m = member(tenant)
    patch(api, m, {"groupIds": [a]})
    before = api.get(f"/members/{m}").json()["data"]
    for ids_, field in (([b, NIL], "groupIds[1]"), ([theirs], "groupIds[0]"),
                        ([b, b, "nope"], "groupIds[2]"), ([5], "groupIds[0]"),
                        ([None], "groupIds[0]")):  # fmt: skip
        r = api.patch(f"/members/{m}", json={"isBanned": True, "groupIds": ids_})
        refused(r, 400, "VALIDATION_ERROR", field)
    refused(api.patch(f"/members/{m}", json={"groupIds": "A"}), 400, "VALIDATION_ERROR",
            "groupIds")  # fmt: skip
    refused(api.patch(f"/members/{m}", json={"groupIds": [a] * 101}), 400, "VALIDATION_ERROR",
            "groupIds")  # fmt: skip
    assert api.get(f"/members/{m}").json()["data"] == before


def test_changing_groups_emits_member_updated_once_and_touches_updated_at(
    tenant: Tenant, api: Api
) -> None:
    a = make_group(api, "A")["id"]
    m = member(tenant)
    before = api.get(f"/members/{m}").json()["data"]
    count = len(events(tenant, "member.updated"))
    after = patch(api, m, {"groupIds": [a]})
    assert after["updatedAt"] >= before["updatedAt"]
    assert len(events(tenant, "member.updated")) == count + 1
    patch(api, m, {"groupIds": [a]})  # the same set: no change, no event
    assert len(events(tenant, "member.updated")) == count + 1


# PATCH /members/{id}: isBanned, isEmailVerified -----------------------------------


def test_is_banned_bans_through_the_core_and_lifts_the_ban(tenant: Tenant, api: Api) -> None:
    made = native_member(tenant)
    m = uuid_of(made["id"])
    count = len(events(tenant, "member.updated"))
    assert patch(api, m, {"isBanned": True})["isBanned"] is True
    assert tenant.api.get(f"/members/{made['id']}").json()["status"] == "banned"
    banned = events(tenant, "member.updated")
    assert len(banned) == count + 1 and banned[-1].payload["member"]["status"] == "banned"
    assert patch(api, m, {"isBanned": True})["isBanned"] is True  # no change
    assert len(events(tenant, "member.updated")) == count + 1
    assert patch(api, m, {"isBanned": False})["isBanned"] is False
    assert tenant.api.get(f"/members/{made['id']}").json()["status"] == "active"


def test_is_banned_false_leaves_an_inactive_member_inactive(tenant: Tenant, api: Api) -> None:
    made = native_member(tenant)
    r = tenant.api.patch(f"/members/{made['id']}", json={"status": "inactive"})
    assert r.status_code == 200, r.text
    assert patch(api, uuid_of(made["id"]), {"isBanned": False})["isBanned"] is False
    assert tenant.api.get(f"/members/{made['id']}").json()["status"] == "inactive"


def test_a_ban_ends_the_members_sessions_and_refuses_sign_in(tenant: Tenant, api: Api) -> None:
    made = native_member(tenant)
    member_id = uuid.UUID(uuid_of(made["id"]))
    token = sign_in(tenant, member_id).token
    me = tenant.client.get("/api/v2/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    patch(api, str(member_id), {"isBanned": True})
    me = tenant.client.get("/api/v2/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401, me.text
    with pytest.raises(Forbidden):
        sign_in(tenant, member_id)


def test_is_email_verified_only_for_custom_auth_tenants(tenant: Tenant, api: Api) -> None:
    m = member(tenant)
    r = api.patch(f"/members/{m}", json={"isEmailVerified": True})
    refused(r, 400, "VALIDATION_ERROR", "isEmailVerified")
    assert api.get(f"/members/{m}").json()["data"]["isEmailVerified"] is False
    r = tenant.api.patch("/settings", json={"customAuthEnabled": True})
    assert r.status_code == 200, r.text
    assert patch(api, m, {"isEmailVerified": True})["isEmailVerified"] is True
    assert patch(api, m, {"isEmailVerified": False})["isEmailVerified"] is False


def test_fields_refuse_null_wrong_types_and_unknown_names(tenant: Tenant, api: Api) -> None:
    m = member(tenant)
    cases = [
        ({"isBanned": None}, "isBanned"),
        ({"isBanned": "yes"}, "isBanned"),
        ({"isBanned": 1}, "isBanned"),
        ({"isEmailVerified": None}, "isEmailVerified"),
        ({"isEmailVerified": "true"}, "isEmailVerified"),
        ({"groupIds": None}, "groupIds"),
        ({"email": "x@example.com"}, "email"),
    ]
    for body, field in cases:
        refused(api.patch(f"/members/{m}", json=body), 400, "VALIDATION_ERROR", field)
    assert api.get(f"/members/{m}").json()["data"]["isBanned"] is False


def test_patch_unknown_malformed_or_other_tenants_member_is_404(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    theirs = member(other_tenant)
    for id_ in (NIL, "nope", theirs):
        refused(api.patch(f"/members/{id_}", json={"isBanned": True}), 404, "NOT_FOUND")
    assert ag(other_tenant).get(f"/members/{theirs}").json()["data"]["isBanned"] is False


def test_patch_needs_members_write_and_a_key(tenant: Tenant, api: Api) -> None:
    m = member(tenant)
    refused(without(tenant, "members:write").patch(f"/members/{m}", json={"isBanned": True}),
            403, "INSUFFICIENT_SCOPE")  # fmt: skip
    r = tenant.client.patch(f"/addglow/v1/members/{m}", json={"isBanned": True})
    refused(r, 401, "UNAUTHORIZED")
    assert api.get(f"/members/{m}").json()["data"]["isBanned"] is False


def test_the_same_member_and_groups_natively(tenant: Tenant, api: Api) -> None:
    a = make_group(api, "A")["id"]
    made = native_member(tenant)
    patch(api, uuid_of(made["id"]), {"groupIds": [a], "isBanned": True})
    r = tenant.api.get(f"/members/{made['id']}/groups")
    assert r.status_code == 200, r.text
    assert r.json() == {"groupIds": [native_id("grp", a)]}
    assert tenant.api.get(f"/members/{made['id']}").json()["status"] == "banned"
