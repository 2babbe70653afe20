"""``GET /posts`` (the document's Posts group): the posts members see, in creation
order, ``{"hasMore", "data"}`` paged by ``limit`` and ``after``, filtered by ``roomId``
and ``createdAtAfter`` (exclusive); bare UUIDs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from punchcard.kit.clock import iso_z
from tests.api.addglow.conftest import NIL, native_member, refused, uuid_of, without
from tests.factories import Api, Tenant


def _room(t: Tenant, name: str = "General") -> str:
    r = t.api.post("/rooms", json={"name": name})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _post(t: Tenant, room: str, member: str, content: str = "Hello") -> dict[str, Any]:
    r = t.api.post("/posts", json={"roomId": room, "memberId": member, "content": content})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _listed(api: Api, **params: Any) -> dict[str, Any]:
    r = api.get("/posts", params=params)
    assert r.status_code == 200, r.text
    body = dict(r.json())
    assert set(body) == {"hasMore", "data"}
    return body


def test_a_post_is_listed_in_the_documents_naming_with_bare_uuids(tenant: Tenant, api: Api) -> None:
    room, member = _room(tenant), native_member(tenant)["id"]
    made = _post(tenant, room, member, "Hi all")
    tenant.api.post(f"/posts/{made['id']}/likes", json={"memberId": member})
    tenant.api.post(f"/posts/{made['id']}/comments", json={"memberId": member, "content": "x"})
    body = _listed(api)
    assert body["hasMore"] is False
    assert body["data"] == [
        {
            "id": uuid_of(made["id"]),
            "roomId": uuid_of(room),
            "memberId": uuid_of(member),
            "content": "Hi all",
            "likeCount": 1,
            "commentCount": 1,
            "createdAt": made["createdAt"],
            "updatedAt": made["updatedAt"],
        }
    ]


def test_pages_walk_every_post_once_in_creation_order(tenant: Tenant, api: Api) -> None:
    room, member = _room(tenant), native_member(tenant)["id"]
    made = []
    for i in range(25):
        made.append(uuid_of(_post(tenant, room, member, f"post {i}")["id"]))
        if i % 3 == 0:  # some share a creation time: the id orders them
            tenant.db.clock.advance(seconds=1)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 10} | ({"after": after} if after else {})
        body = _listed(api, **params)
        pages += 1
        seen += [p["id"] for p in body["data"]]
        if not body["hasMore"]:
            break
        after = body["data"][-1]["id"]
    assert pages == 3 and seen == made
    first = _listed(api)
    assert len(first["data"]) == 10 and first["hasMore"] is True  # the default limit


def test_paging_is_stable_while_posts_are_added(tenant: Tenant, api: Api) -> None:
    room, member = _room(tenant), native_member(tenant)["id"]
    made = [uuid_of(_post(tenant, room, member)["id"]) for _ in range(3)]
    first = _listed(api, limit=2)
    made.append(uuid_of(_post(tenant, room, member)["id"]))
    rest = _listed(api, limit=2, after=first["data"][-1]["id"])
    assert [p["id"] for p in first["data"] + rest["data"]] == made


def test_created_at_after_is_exclusive(tenant: Tenant, api: Api) -> None:
    room, member = _room(tenant), native_member(tenant)["id"]
    # Whole milliseconds: the parameter is written as the API writes times.
    tenant.db.clock.freeze(tenant.db.clock.now().replace(microsecond=0))
    _post(tenant, room, member)
    at = tenant.db.clock.advance(seconds=1)
    on_the_dot = _post(tenant, room, member)
    tenant.db.clock.advance(seconds=1)
    later = _post(tenant, room, member)
    body = _listed(api, createdAtAfter=iso_z(at))
    assert [p["id"] for p in body["data"]] == [uuid_of(later["id"])]
    earlier = iso_z(at - timedelta(milliseconds=1)).replace("Z", "+00:00")
    body = _listed(api, createdAtAfter=earlier)
    assert [p["id"] for p in body["data"]] == [uuid_of(on_the_dot["id"]), uuid_of(later["id"])]


def test_room_id_keeps_that_rooms_posts(tenant: Tenant, api: Api) -> None:
    general, launches = _room(tenant), _room(tenant, "Launches")
    member = native_member(tenant)["id"]
    mine = _post(tenant, general, member)
    _post(tenant, launches, member)
    body = _listed(api, roomId=uuid_of(general))
    assert [p["id"] for p in body["data"]] == [uuid_of(mine["id"])]


def test_hidden_and_deleted_posts_are_not_listed(tenant: Tenant, api: Api) -> None:
    room, member = _room(tenant), native_member(tenant)["id"]
    shown, hidden, deleted = (_post(tenant, room, member) for _ in range(3))
    assert tenant.api.post(f"/posts/{hidden['id']}/hide").status_code == 200
    assert tenant.api.delete(f"/posts/{deleted['id']}").status_code == 200
    assert [p["id"] for p in _listed(api)["data"]] == [uuid_of(shown["id"])]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"roomId": "not-a-uuid"}, "roomId"),
        ({"roomId": "575afa13cf79439d8be82751615dc0f5"}, "roomId"),
        ({"createdAtAfter": "yesterday"}, "createdAtAfter"),
        ({"createdAtAfter": "1700000000"}, "createdAtAfter"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"after": "nope"}, "after"),
        ({"after": NIL}, "after"),
    ],
)
def test_bad_parameters_are_400_naming_them(api: Api, params: dict[str, Any], field: str) -> None:
    refused(api.get("/posts", params=params), 400, "VALIDATION_ERROR", field)


def test_an_after_from_another_tenant_is_400(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    theirs = _post(other_tenant, _room(other_tenant), native_member(other_tenant)["id"])
    refused(api.get("/posts", params={"after": uuid_of(theirs["id"])}), 400, "VALIDATION_ERROR",
            "after")  # fmt: skip


def test_an_unknown_or_other_tenants_room_is_404_naming_room_id(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    theirs = _room(other_tenant)
    for room in (NIL, uuid_of(theirs)):
        refused(api.get("/posts", params={"roomId": room}), 404, "NOT_FOUND", "roomId")


def test_without_community_read_is_403_and_without_a_key_401(tenant: Tenant) -> None:
    refused(without(tenant, "community:read").get("/posts"), 403, "INSUFFICIENT_SCOPE")
    refused(tenant.client.get("/addglow/v1/posts"), 401, "UNAUTHORIZED")
    r = tenant.client.get("/addglow/v1/posts", headers={"Authorization": "Bearer fl_live_nope"})
    refused(r, 401, "UNAUTHORIZED")
