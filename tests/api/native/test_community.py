"""The brand community (native extension): /api/v2/rooms, /posts, /comments: creating,
reading and listing, likes 201 then 200, moderation with who and when, bans, scopes,
other tenants' ids."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Tenant
from tests.tracking.factories import make_member


def _ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return dict(r.json())


def room(t: Tenant, name: str = "General") -> dict[str, Any]:
    return _ok(t.api.post("/rooms", json={"name": name}), 201)


def post(t: Tenant, room_id: str, member: str, content: str = "Hello") -> dict[str, Any]:
    body = {"roomId": room_id, "memberId": member, "content": content}
    return _ok(t.api.post("/posts", json=body), 201)


def comment(t: Tenant, post_id: str, member: str, content: str = "Nice") -> dict[str, Any]:
    body = {"memberId": member, "content": content}
    return _ok(t.api.post(f"/posts/{post_id}/comments", json=body), 201)


def _error(r: Any, status: int, code: str, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code, error
    if field is not None:
        assert error["field"] == field, error


def test_rooms_are_created_read_and_listed(tenant: Tenant) -> None:
    made = room(tenant, "General")
    assert made["id"].startswith("room_") and made["name"] == "General"
    assert made["createdAt"].endswith("Z")
    assert _ok(tenant.api.get(f"/rooms/{made['id']}")) == made
    listed = _ok(tenant.api.get("/rooms"))
    assert listed == {"rooms": [made], "total": 1, "limit": 50, "offset": 0}


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 201}, {"name": 5}])
def test_a_bad_room_name_is_400_naming_name(tenant: Tenant, body: dict[str, Any]) -> None:
    _error(tenant.api.post("/rooms", json=body), 400, "VALIDATION_ERROR", "name")


def test_a_post_is_created_read_and_listed_with_filters(tenant: Tenant) -> None:
    general, launches = room(tenant), room(tenant, "Launches")
    ada, bob = make_member(tenant)["id"], make_member(tenant)["id"]
    first = post(tenant, general["id"], ada, "Hi")
    assert first["id"].startswith("post_") and first["roomId"] == general["id"]
    assert (first["memberId"], first["content"], first["status"]) == (ada, "Hi", "visible")
    assert (first["likeCount"], first["commentCount"], first["moderatedBy"]) == (0, 0, None)
    assert _ok(tenant.api.get(f"/posts/{first['id']}")) == first
    tenant.db.clock.advance(seconds=1)
    second = post(tenant, launches["id"], bob)
    listed = _ok(tenant.api.get("/posts"))
    assert listed["total"] == 2 and [p["id"] for p in listed["posts"]] == [
        second["id"],
        first["id"],
    ]
    by_room = _ok(tenant.api.get("/posts", params={"roomId": general["id"]}))
    assert [p["id"] for p in by_room["posts"]] == [first["id"]]
    by_member = _ok(tenant.api.get("/posts", params={"memberId": bob}))
    assert [p["id"] for p in by_member["posts"]] == [second["id"]]


def test_malformed_list_filters_are_400_naming_them(tenant: Tenant) -> None:
    for name in ("roomId", "memberId"):
        _error(tenant.api.get("/posts", params={name: "nope"}), 400, "VALIDATION_ERROR", name)
    _error(tenant.api.get("/posts", params={"status": "gone"}), 400, "VALIDATION_ERROR", "status")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "x" * 10_001}, "content"),
        ({"content": None}, "content"),
        ({"roomId": None}, "roomId"),
        ({"memberId": 12}, "memberId"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_post_body_is_400_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    valid = {"roomId": room(tenant)["id"], "memberId": make_member(tenant)["id"], "content": "x"}
    r = tenant.api.post("/posts", json=valid | body)
    _error(r, 400, "VALIDATION_ERROR", field)
    assert _ok(tenant.api.get("/posts"))["total"] == 0


def test_an_unknown_or_other_tenants_room_or_member_is_404_naming_it(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    mine_room, mine_member = room(tenant)["id"], make_member(tenant)["id"]
    their_room, their_member = room(other_tenant)["id"], make_member(other_tenant)["id"]
    for room_id, member, field in (
        (their_room, mine_member, "roomId"),
        ("room_" + "0" * 32, mine_member, "roomId"),
        (mine_room, their_member, "memberId"),
        (mine_room, "not-an-id", "memberId"),
    ):
        body = {"roomId": room_id, "memberId": member, "content": "x"}
        _error(tenant.api.post("/posts", json=body), 404, "NOT_FOUND", field)


def test_other_tenants_posts_rooms_and_comments_are_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    author = make_member(other_tenant)["id"]
    r = room(other_tenant)
    p = post(other_tenant, r["id"], author)
    c = comment(other_tenant, p["id"], author)
    mine = make_member(tenant)["id"]
    for method, path, body in (
        ("get", f"/rooms/{r['id']}", None),
        ("get", f"/posts/{p['id']}", None),
        ("get", f"/posts/{p['id']}/comments", None),
        ("get", f"/comments/{c['id']}", None),
        ("post", f"/posts/{p['id']}/comments", {"memberId": mine, "content": "x"}),
        ("post", f"/posts/{p['id']}/likes", {"memberId": mine}),
        ("post", f"/comments/{c['id']}/likes", {"memberId": mine}),
        ("post", f"/posts/{p['id']}/hide", None),
        ("post", f"/comments/{c['id']}/restore", None),
        ("delete", f"/posts/{p['id']}", None),
        ("delete", f"/comments/{c['id']}", None),
    ):
        kw = {"json": body} if body is not None else {}
        _error(getattr(tenant.api, method)(path, **kw), 404, "NOT_FOUND")
    assert _ok(other_tenant.api.get(f"/posts/{p['id']}"))["status"] == "visible"


def test_comments_are_created_and_listed_oldest_first(tenant: Tenant) -> None:
    author = make_member(tenant)["id"]
    p = post(tenant, room(tenant)["id"], author)
    first = comment(tenant, p["id"], author, "First")
    assert first["id"].startswith("cmt_") and first["postId"] == p["id"]
    assert (first["content"], first["status"], first["likeCount"]) == ("First", "visible", 0)
    tenant.db.clock.advance(seconds=1)
    second = comment(tenant, p["id"], make_member(tenant)["id"], "Second")
    listed = _ok(tenant.api.get(f"/posts/{p['id']}/comments"))
    assert listed["total"] == 2 and listed["comments"] == [first, second]
    assert _ok(tenant.api.get(f"/comments/{first['id']}")) == first
    assert _ok(tenant.api.get(f"/posts/{p['id']}"))["commentCount"] == 2


def test_a_like_is_201_then_200_with_the_same_like(tenant: Tenant) -> None:
    author, fan = make_member(tenant)["id"], make_member(tenant)["id"]
    p = post(tenant, room(tenant)["id"], author)
    c = comment(tenant, p["id"], author)
    for path, target in ((f"/posts/{p['id']}/likes", None), (f"/comments/{c['id']}/likes", c)):
        made = _ok(tenant.api.post(path, json={"memberId": fan}), 201)
        assert made["id"].startswith("like_") and made["postId"] == p["id"]
        assert made["commentId"] == (target["id"] if target else None)
        assert (made["memberId"], made["likeCount"]) == (fan, 1)
        again = _ok(tenant.api.post(path, json={"memberId": fan}), 200)
        assert again == made
    assert _ok(tenant.api.get(f"/posts/{p['id']}"))["likeCount"] == 1
    assert _ok(tenant.api.get(f"/comments/{c['id']}"))["likeCount"] == 1


def test_a_banned_member_is_403_member_banned(tenant: Tenant) -> None:
    author, banned = make_member(tenant)["id"], make_member(tenant)["id"]
    r = room(tenant)
    p = post(tenant, r["id"], author)
    c = comment(tenant, p["id"], author)
    _ok(tenant.api.patch(f"/members/{banned}", json={"status": "banned"}))
    for path, body in (
        ("/posts", {"roomId": r["id"], "content": "x"}),
        (f"/posts/{p['id']}/comments", {"content": "x"}),
        (f"/posts/{p['id']}/likes", {}),
        (f"/comments/{c['id']}/likes", {}),
    ):
        r2 = tenant.api.post(path, json={"memberId": banned, **body})
        _error(r2, 403, "MEMBER_BANNED", "memberId")
    assert _ok(tenant.api.get(f"/posts/{p['id']}"))["likeCount"] == 0


def test_moderation_hides_restores_and_deletes_with_who_and_when(tenant: Tenant) -> None:
    author = make_member(tenant)["id"]
    p = post(tenant, room(tenant)["id"], author)
    hidden = _ok(tenant.api.post(f"/posts/{p['id']}/hide"))
    assert hidden["status"] == "hidden" and hidden["moderatedBy"].startswith("key_")
    assert hidden["moderatedAt"].endswith("Z")
    assert _ok(tenant.api.get("/posts"))["total"] == 1  # the moderation queue keeps it
    _error(
        tenant.api.post(f"/posts/{p['id']}/comments", json={"memberId": author, "content": "x"}),
        404,
        "NOT_FOUND",
    )
    assert _ok(tenant.api.post(f"/posts/{p['id']}/restore"))["status"] == "visible"
    deleted = _ok(tenant.owner.delete(f"/posts/{p['id']}"))
    assert deleted["status"] == "deleted" and deleted["moderatedBy"].startswith("usr_")
    assert _ok(tenant.api.get("/posts"))["total"] == 0
    gone = _ok(tenant.api.get("/posts", params={"status": "deleted"}))
    assert [x["id"] for x in gone["posts"]] == [p["id"]]
    assert _ok(tenant.api.get(f"/posts/{p['id']}"))["status"] == "deleted"
    _error(tenant.api.post(f"/posts/{p['id']}/restore"), 422, "INVALID_STATUS_TRANSITION", "status")


def test_comment_moderation_moves_the_posts_comment_count(tenant: Tenant) -> None:
    author = make_member(tenant)["id"]
    p = post(tenant, room(tenant)["id"], author)
    c = comment(tenant, p["id"], author)
    assert _ok(tenant.api.post(f"/comments/{c['id']}/hide"))["status"] == "hidden"
    assert _ok(tenant.api.get(f"/posts/{p['id']}"))["commentCount"] == 0
    assert _ok(tenant.api.post(f"/comments/{c['id']}/restore"))["status"] == "visible"
    assert _ok(tenant.api.get(f"/posts/{p['id']}"))["commentCount"] == 1
    assert _ok(tenant.api.delete(f"/comments/{c['id']}"))["status"] == "deleted"
    assert _ok(tenant.api.get(f"/posts/{p['id']}"))["commentCount"] == 0
    listed = _ok(tenant.api.get(f"/posts/{p['id']}/comments"))
    assert listed["total"] == 0
    deleted = _ok(tenant.api.get(f"/posts/{p['id']}/comments", params={"status": "deleted"}))
    assert [x["id"] for x in deleted["comments"]] == [c["id"]]


def test_reads_need_community_read_writes_community_write(tenant: Tenant) -> None:
    author = make_member(tenant)["id"]
    p = post(tenant, room(tenant)["id"], author)
    reader = tenant.key("community:read")
    no_community = tenant.key_without("community:read")
    assert reader.get("/posts").status_code == 200
    _error(no_community.get("/posts"), 403, "INSUFFICIENT_SCOPE")
    _error(no_community.get("/rooms"), 403, "INSUFFICIENT_SCOPE")
    _error(reader.post("/rooms", json={"name": "x"}), 403, "INSUFFICIENT_SCOPE")
    _error(reader.post(f"/posts/{p['id']}/hide"), 403, "INSUFFICIENT_SCOPE")
    _error(
        reader.post(f"/posts/{p['id']}/likes", json={"memberId": author}),
        403,
        "INSUFFICIENT_SCOPE",
    )
    r = tenant.client.get("/api/v2/posts")
    assert r.status_code == 401
