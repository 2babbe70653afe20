"""Feedback boards (native extension): /api/v2/feedback/boards, /feedback/ideas."""

from __future__ import annotations

from tests.factories import Tenant
from tests.tracking.factories import make_member


def board(t: Tenant, name: str = "Roadmap", **kw: object) -> dict:
    r = t.api.post("/feedback/boards", json={"name": name, **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())


def idea(t: Tenant, board_id: str, member: str, title: str = "Oat milk", **kw: object) -> dict:
    r = t.api.post(
        f"/feedback/boards/{board_id}/ideas", json={"title": title, "memberId": member, **kw}
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_boards_are_created_and_listed_with_their_idea_counts(tenant: Tenant) -> None:
    b = board(tenant, "Roadmap", description="What next")
    assert b["id"].startswith("fbb_") and b["ideaCount"] == 0
    assert b["description"] == "What next" and b["createdAt"].endswith("Z")
    idea(tenant, b["id"], make_member(tenant)["id"])
    listed = tenant.api.get("/feedback/boards").json()
    assert listed["total"] == 1 and listed["limit"] == 50 and listed["offset"] == 0
    assert listed["boards"] == [{**b, "ideaCount": 1}]
    assert tenant.api.get(f"/feedback/boards/{b['id']}").json() == {**b, "ideaCount": 1}


def test_an_idea_is_posted_open_and_moved_between_statuses(tenant: Tenant) -> None:
    b, member = board(tenant), make_member(tenant)["id"]
    i = idea(tenant, b["id"], member, body="Please")
    assert i["id"].startswith("idea_") and i["boardId"] == b["id"]
    assert (i["memberId"], i["title"], i["body"], i["status"], i["voteCount"]) == (
        member,
        "Oat milk",
        "Please",
        "open",
        0,
    )
    r = tenant.api.patch(f"/feedback/ideas/{i['id']}", json={"status": "in_progress"})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert tenant.api.get(f"/feedback/ideas/{i['id']}").json()["status"] == "in_progress"
    r = tenant.api.patch(f"/feedback/ideas/{i['id']}", json={"status": "someday"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "status"


def test_a_vote_is_201_then_200_and_counts_once(tenant: Tenant) -> None:
    b, member = board(tenant), make_member(tenant)["id"]
    i = idea(tenant, b["id"], member)
    r = tenant.api.post(f"/feedback/ideas/{i['id']}/votes", json={"memberId": member})
    assert r.status_code == 201, r.text
    vote = r.json()
    assert vote["id"].startswith("vote_") and vote["ideaId"] == i["id"]
    assert vote["memberId"] == member and vote["voteCount"] == 1
    r = tenant.api.post(f"/feedback/ideas/{i['id']}/votes", json={"memberId": member})
    assert r.status_code == 200 and r.json() == vote
    assert tenant.api.get(f"/feedback/ideas/{i['id']}").json()["voteCount"] == 1
    r = tenant.api.delete(f"/feedback/ideas/{i['id']}/votes/{member}")
    assert r.status_code == 200 and r.json()["voteCount"] == 0
    r = tenant.api.delete(f"/feedback/ideas/{i['id']}/votes/{member}")
    assert r.status_code == 200 and r.json()["voteCount"] == 0


def test_the_vote_route_documents_both_answers(tenant: Tenant) -> None:
    doc = tenant.client.get("/api/v2/openapi.json").json()
    answers = doc["paths"]["/api/v2/feedback/ideas/{id}/votes"]["post"]["responses"]
    assert {"200", "201"} <= set(answers)


def test_ideas_sort_and_filter(tenant: Tenant) -> None:
    b = board(tenant)
    fans = [make_member(tenant)["id"] for _ in range(2)]
    old = idea(tenant, b["id"], fans[0], "old")["id"]
    tenant.db.clock.advance(seconds=1)
    new = idea(tenant, b["id"], fans[0], "new")["id"]
    for m in fans:
        tenant.api.post(f"/feedback/ideas/{old}/votes", json={"memberId": m})
    tenant.api.patch(f"/feedback/ideas/{new}", json={"status": "planned"})

    def ids(**params: object) -> tuple[list[str], int]:
        r = tenant.api.get(f"/feedback/boards/{b['id']}/ideas", params=params)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["ideas"]], r.json()["total"]

    assert ids() == ([old, new], 2)
    assert ids(sort="votes") == ([old, new], 2)
    assert ids(sort="newest") == ([new, old], 2)
    assert ids(status="planned") == ([new], 1)
    assert ids(limit=1, offset=1) == ([new], 2)
    for params, field in (({"sort": "oldest"}, "sort"), ({"status": "x"}, "status")):
        r = tenant.api.get(f"/feedback/boards/{b['id']}/ideas", params=params)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text


def test_bad_input_is_400_naming_the_field(tenant: Tenant) -> None:
    b, member = board(tenant), make_member(tenant)["id"]
    for payload, field in (({}, "name"), ({"name": ""}, "name"), ({"name": 5}, "name")):
        r = tenant.api.post("/feedback/boards", json=payload)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text
    for payload, field in (
        ({"memberId": member}, "title"),
        ({"title": "x"}, "memberId"),
        ({"title": "x" * 201, "memberId": member}, "title"),
    ):
        r = tenant.api.post(f"/feedback/boards/{b['id']}/ideas", json=payload)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text


def test_another_tenants_ids_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    b = board(other_tenant)
    theirs = make_member(other_tenant)["id"]
    i = idea(other_tenant, b["id"], theirs)["id"]
    mine = make_member(tenant)["id"]
    assert tenant.api.get(f"/feedback/boards/{b['id']}").status_code == 404
    assert tenant.api.get(f"/feedback/boards/{b['id']}/ideas").status_code == 404
    r = tenant.api.post(f"/feedback/boards/{b['id']}/ideas", json={"title": "x", "memberId": mine})
    assert r.status_code == 404
    assert tenant.api.get(f"/feedback/ideas/{i}").status_code == 404
    assert tenant.api.patch(f"/feedback/ideas/{i}", json={"status": "done"}).status_code == 404
    r = tenant.api.post(f"/feedback/ideas/{i}/votes", json={"memberId": mine})
    assert r.status_code == 404
    # Their member cannot vote on my idea either.
    my_idea = idea(tenant, board(tenant)["id"], mine)["id"]
    r = tenant.api.post(f"/feedback/ideas/{my_idea}/votes", json={"memberId": theirs})
    assert r.status_code == 404 and r.json()["error"]["field"] == "memberId"
    assert tenant.api.get("/feedback/boards").json()["total"] == 1


def test_the_community_scope_is_required(tenant: Tenant) -> None:
    b, member = board(tenant), make_member(tenant)["id"]
    i = idea(tenant, b["id"], member)["id"]
    reader = tenant.key("community:read")
    assert reader.get("/feedback/boards").status_code == 200
    assert reader.get(f"/feedback/boards/{b['id']}/ideas").status_code == 200
    assert reader.post("/feedback/boards", json={"name": "x"}).status_code == 403
    assert reader.patch(f"/feedback/ideas/{i}", json={"status": "done"}).status_code == 403
    r = reader.post(f"/feedback/ideas/{i}/votes", json={"memberId": member})
    assert r.status_code == 403
    assert tenant.key_without("community:read").get("/feedback/boards").status_code == 403
    assert tenant.client.get("/api/v2/feedback/boards").status_code == 401
