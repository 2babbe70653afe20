"""The document's Feedback group at /api/v1, to the letter:

| GET   | /api/v1/feedback/boards                          | 200: { boards: [] } |
| GET   | /api/v1/feedback/boards/:id/ideas  Params: status, sort | 200: { ideas: [], total } |
| PATCH | /api/v1/feedback/ideas/:id  Body: { status }     | 200: { idea } | 404: Not found |

plus the face's rules: page/limit, `sort` `votes|newest`, 400 naming the field, 401,
403 without `community`, 404 for another tenant's id.
"""

from __future__ import annotations

from tests.factories import Api, Tenant
from tests.tracking.factories import make_member


def v1(t: Tenant, key: Api | None = None) -> Api:
    return Api(t.client, (key or t.api).token, base="/api/v1")


def board(t: Tenant, name: str = "Roadmap") -> str:
    r = t.api.post("/feedback/boards", json={"name": name})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def idea(t: Tenant, board_id: str, title: str = "Oat milk", member: str | None = None) -> str:
    member = member or make_member(t)["id"]
    r = t.api.post(f"/feedback/boards/{board_id}/ideas", json={"title": title, "memberId": member})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def vote(t: Tenant, idea_id: str, member: str) -> None:
    r = t.api.post(f"/feedback/ideas/{idea_id}/votes", json={"memberId": member})
    assert r.status_code == 201, r.text


def test_list_boards_answers_boards(tenant: Tenant) -> None:
    first = board(tenant, "Roadmap")
    tenant.db.clock.advance(seconds=1)
    second = board(tenant, "Menu")
    idea(tenant, second)
    r = v1(tenant).get("/feedback/boards")
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"boards"}
    boards = r.json()["boards"]
    assert [b["id"] for b in boards] == [first, second]
    assert [b["name"] for b in boards] == ["Roadmap", "Menu"]
    assert [b["ideaCount"] for b in boards] == [0, 1]


def test_boards_page_with_page_and_limit(tenant: Tenant) -> None:
    made = []
    for i in range(3):
        made.append(board(tenant, f"B{i}"))
        tenant.db.clock.advance(seconds=1)
    r = v1(tenant).get("/feedback/boards", params={"page": 2, "limit": 2})
    assert r.status_code == 200 and [b["id"] for b in r.json()["boards"]] == made[2:]
    for params, field in (({"page": 0}, "page"), ({"limit": 101}, "limit")):
        r = v1(tenant).get("/feedback/boards", params=params)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text


def test_list_ideas_answers_ideas_and_total_sorted_by_votes_or_newest(tenant: Tenant) -> None:
    b = board(tenant)
    fans = [make_member(tenant)["id"] for _ in range(2)]
    popular = idea(tenant, b, "popular", member=fans[0])
    tenant.db.clock.advance(seconds=1)
    quiet = idea(tenant, b, "quiet")
    tenant.db.clock.advance(seconds=1)
    newest = idea(tenant, b, "newest")
    for m in fans:
        vote(tenant, popular, m)
    vote(tenant, quiet, fans[0])

    def listed(**params: object) -> tuple[list[str], int]:
        r = v1(tenant).get(f"/feedback/boards/{b}/ideas", params=params)
        assert r.status_code == 200, r.text
        assert set(r.json()) == {"ideas", "total"}
        return [x["id"] for x in r.json()["ideas"]], r.json()["total"]

    assert listed() == ([popular, quiet, newest], 3)
    assert listed(sort="votes") == ([popular, quiet, newest], 3)
    assert listed(sort="newest") == ([newest, quiet, popular], 3)
    assert listed(sort="votes", page=2, limit=2) == ([newest], 3)
    first = v1(tenant).get(f"/feedback/boards/{b}/ideas").json()["ideas"][0]
    assert first["voteCount"] == 2 and first["advocateId"] == fans[0]
    assert first["boardId"] == b and first["title"] == "popular" and first["status"] == "open"


def test_ideas_filter_by_status(tenant: Tenant) -> None:
    b = board(tenant)
    planned, other = idea(tenant, b), idea(tenant, b)
    assert (
        v1(tenant).patch(f"/feedback/ideas/{planned}", json={"status": "planned"}).status_code
        == 200
    )
    r = v1(tenant).get(f"/feedback/boards/{b}/ideas", params={"status": "planned"})
    assert [x["id"] for x in r.json()["ideas"]] == [planned] and r.json()["total"] == 1
    r = v1(tenant).get(f"/feedback/boards/{b}/ideas", params={"status": "open"})
    assert [x["id"] for x in r.json()["ideas"]] == [other]


def test_bad_list_parameters_are_400_naming_the_field(tenant: Tenant) -> None:
    b = board(tenant)
    for params, field in (
        ({"sort": "oldest"}, "sort"),
        ({"status": "maybe"}, "status"),
        ({"page": 0}, "page"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
    ):
        r = v1(tenant).get(f"/feedback/boards/{b}/ideas", params=params)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["error"]["field"] == field, (params, r.text)


def test_patch_updates_the_status_and_answers_idea(tenant: Tenant) -> None:
    i = idea(tenant, board(tenant))
    for status in ("planned", "in_progress", "done", "declined", "open"):
        r = v1(tenant).patch(f"/feedback/ideas/{i}", json={"status": status})
        assert r.status_code == 200, r.text
        assert set(r.json()) == {"idea"}
        assert r.json()["idea"]["id"] == i and r.json()["idea"]["status"] == status
    for payload in ({"status": "shipped"}, {}, {"status": 3}):
        r = v1(tenant).patch(f"/feedback/ideas/{i}", json=payload)
        assert r.status_code == 400 and r.json()["error"]["field"] == "status", r.text


def test_unknown_or_another_tenants_ids_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    their_board = board(other_tenant)
    their_idea = idea(other_tenant, their_board)
    for b in (their_board, "fbb_00000000000000000000000000000000", "nope"):
        r = v1(tenant).get(f"/feedback/boards/{b}/ideas")
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", r.text
    for i in (their_idea, "idea_00000000000000000000000000000000"):
        r = v1(tenant).patch(f"/feedback/ideas/{i}", json={"status": "done"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", r.text
    assert v1(tenant).get("/feedback/boards").json() == {"boards": []}


def test_no_key_is_401_and_a_key_without_community_is_403(tenant: Tenant) -> None:
    b = board(tenant)
    i = idea(tenant, b)
    for path in ("/api/v1/feedback/boards", f"/api/v1/feedback/boards/{b}/ideas"):
        assert tenant.client.get(path).status_code == 401
    r = tenant.client.patch(f"/api/v1/feedback/ideas/{i}", json={"status": "done"})
    assert r.status_code == 401
    no_read = v1(tenant, tenant.key_without("community:read"))
    assert no_read.get("/feedback/boards").status_code == 403
    assert no_read.get(f"/feedback/boards/{b}/ideas").status_code == 403
    reader = v1(tenant, tenant.key("community:read"))
    assert reader.get(f"/feedback/boards/{b}/ideas").status_code == 200
    r = reader.patch(f"/feedback/ideas/{i}", json={"status": "done"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
