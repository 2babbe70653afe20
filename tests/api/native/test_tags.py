"""Member tags: /api/v2/tags and /api/v2/members/{id}/tags."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.native.test_members import body, events, make_member
from tests.factories import Tenant


def add(t: Tenant, member_id: str, *keys: str) -> list[dict[str, Any]]:
    r = t.api.post(f"/members/{member_id}/tags", json={"tags": list(keys)})
    assert r.status_code == 200, r.text
    return list(r.json()["tags"])


def test_add_tags_returns_the_members_tags(tenant: Tenant) -> None:
    m = make_member(tenant)
    tags = add(tenant, m["id"], "vip", "early_bird")
    assert [t["key"] for t in tags] == ["vip", "early_bird"]
    assert all(t["source"] == "manual" and t["addedAt"].endswith("Z") for t in tags)
    assert tags[0]["name"] == "vip"
    assert tenant.api.get(f"/members/{m['id']}").json()["tags"] == ["early_bird", "vip"]


def test_adding_tags_is_idempotent(tenant: Tenant) -> None:
    m = make_member(tenant)
    first = add(tenant, m["id"], "vip")
    again = add(tenant, m["id"], "vip", "VIP", " vip ")
    assert again == first
    assert tenant.api.get("/tags").json()["tags"] == [
        {"key": "vip", "name": "vip", "memberCount": 1}
    ]


def test_adding_tags_emits_member_updated_only_on_change(tenant: Tenant) -> None:
    m = make_member(tenant)
    add(tenant, m["id"], "vip")
    add(tenant, m["id"], "vip")
    [event] = events(tenant, "member.updated")
    assert body(event)["tags"] == ["vip"]


@pytest.mark.parametrize(
    "body",
    [
        {"tags": ["has space"]},
        {"tags": ["émoji"]},
        {"tags": ["x" * 65]},
        {"tags": [""]},
        {"tags": []},
        {"tags": "vip"},
        {"tags": ["ok", "no/slash"]},
        {},
    ],
)
def test_invalid_tag_keys_are_400_naming_tags(tenant: Tenant, body: dict[str, Any]) -> None:
    m = make_member(tenant)
    r = tenant.api.post(f"/members/{m['id']}/tags", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"].split(".")[0] == "tags"
    assert tenant.api.get(f"/members/{m['id']}/tags").json()["tags"] == []


def test_get_member_tags(tenant: Tenant) -> None:
    m = make_member(tenant)
    add(tenant, m["id"], "a", "b")
    r = tenant.api.get(f"/members/{m['id']}/tags")
    assert r.status_code == 200
    assert [t["key"] for t in r.json()["tags"]] == ["a", "b"]


def test_list_tags_counts_members(tenant: Tenant) -> None:
    a, b = make_member(tenant), make_member(tenant)
    add(tenant, a["id"], "vip", "gold")
    add(tenant, b["id"], "vip")
    tenant.api.delete(f"/members/{a['id']}/tags/gold")
    r = tenant.api.get("/tags")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 2
    assert body["tags"] == [
        {"key": "gold", "name": "gold", "memberCount": 0},
        {"key": "vip", "name": "vip", "memberCount": 2},
    ]


def test_list_tags_pages(tenant: Tenant) -> None:
    m = make_member(tenant)
    add(tenant, m["id"], "a", "b", "c")
    body = tenant.api.get("/tags", params={"limit": 2, "offset": 1}).json()
    assert [t["key"] for t in body["tags"]] == ["b", "c"]
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 1)
    r = tenant.api.get("/tags", params={"limit": 500})
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"


def test_delete_tag_from_member(tenant: Tenant) -> None:
    m = make_member(tenant)
    add(tenant, m["id"], "vip", "gold")
    r = tenant.api.delete(f"/members/{m['id']}/tags/vip")
    assert r.status_code == 204 and r.content == b""
    assert [t["key"] for t in tenant.api.get(f"/members/{m['id']}/tags").json()["tags"]] == ["gold"]
    assert body(events(tenant, "member.updated")[-1])["tags"] == ["gold"]


@pytest.mark.parametrize("key", ["vip", "never-made", "Not A Key"])
def test_delete_a_tag_the_member_lacks_is_404(tenant: Tenant, key: str) -> None:
    m, other = make_member(tenant), make_member(tenant)
    add(tenant, other["id"], "vip")
    r = tenant.api.delete(f"/members/{m['id']}/tags/{key}")
    assert r.status_code == 404 and r.json()["error"]["field"] == "tagKey"


def test_tags_need_credentials(tenant: Tenant) -> None:
    m = make_member(tenant)
    c = tenant.client
    assert c.get("/api/v2/tags").status_code == 401
    assert c.get(f"/api/v2/members/{m['id']}/tags").status_code == 401
    assert c.post(f"/api/v2/members/{m['id']}/tags", json={"tags": ["a"]}).status_code == 401
    assert c.delete(f"/api/v2/members/{m['id']}/tags/a").status_code == 401


def test_tags_need_their_scope(tenant: Tenant) -> None:
    m = make_member(tenant)
    add(tenant, m["id"], "vip")
    no_read = tenant.key_without("tags:read")
    assert no_read.get("/tags").status_code == 403
    assert no_read.get(f"/members/{m['id']}/tags").status_code == 403
    no_write = tenant.key_without("tags:write")
    r = no_write.post(f"/members/{m['id']}/tags", json={"tags": ["x"]})
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert no_write.delete(f"/members/{m['id']}/tags/vip").status_code == 403
    assert no_write.get("/tags").status_code == 200


def test_another_tenants_member_is_404_for_tags(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_member(other_tenant)
    add(other_tenant, theirs["id"], "vip")
    assert tenant.api.get(f"/members/{theirs['id']}/tags").status_code == 404
    r = tenant.api.post(f"/members/{theirs['id']}/tags", json={"tags": ["x"]})
    assert r.status_code == 404
    assert tenant.api.delete(f"/members/{theirs['id']}/tags/vip").status_code == 404
    assert tenant.api.get("/tags").json() == {"tags": [], "total": 0, "limit": 50, "offset": 0}
    their_tags = other_tenant.api.get(f"/members/{theirs['id']}/tags").json()["tags"]
    assert [t["key"] for t in their_tags] == ["vip"]


def test_unknown_member_is_404_for_tags(tenant: Tenant) -> None:
    assert tenant.api.get("/members/mem_nope/tags").status_code == 404
    assert tenant.api.post("/members/mem_nope/tags", json={"tags": ["a"]}).status_code == 404
