"""The advocate document's Quests group (``seeds/002_…``), on ``/api/v1``:

| GET /quests (status) | 200 {quests: []} |
| GET /quests/:id | 200 {quest, tasks: []} · 404 |
| POST /quests {title, description, tasks, reward} | 201 {quest} · 400 |
| POST /quests/:id/complete {advocateId, taskId} | 200 {completion, pointsAwarded} |

plus page/limit, 401 without a key, 403 without the ``community`` scope, and another
tenant's ids answering 404. Errors are ``{"error": {code, message, field}}``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Api, Tenant, balance, insert_member, unique, verify_tenant

V1 = "/api/v1"


def v1(t: Tenant, api: Api | None = None) -> Api:
    return Api(t.client, (api or t.api).token, base=V1)


def make_quest(t: Tenant, *points: int, **kw: Any) -> dict[str, Any]:
    body = {
        "title": unique("Launch week"),
        "description": "Share, review, refer",
        "tasks": [{"title": f"Task {i}", "points": p} for i, p in enumerate(points or (10, 20))],
        **kw,
    }
    r = v1(t).post("/quests", json=body)
    assert r.status_code == 201, r.text
    assert set(r.json()) == {"quest"}
    return dict(r.json()["quest"])


def complete(t: Tenant, quest: dict[str, Any], task: int, advocate: str) -> Any:
    body = {"advocateId": advocate, "taskId": quest["tasks"][task]["id"]}
    return v1(t).post(f"/quests/{quest['id']}/complete", json=body)


def error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    return dict(body["error"])


# --- POST /quests -----------------------------------------------------------------------


def test_create_answers_201_with_the_quest_and_its_task_ids(tenant: Tenant) -> None:
    q = make_quest(tenant, 10, 20, reward={"points": 100})
    assert q["id"].startswith("qst_") and q["status"] == "active"
    assert q["description"] == "Share, review, refer"
    assert [(t["title"], t["points"]) for t in q["tasks"]] == [("Task 0", 10), ("Task 1", 20)]
    assert q["reward"] == {"points": 100, "rewardId": None}
    assert q["totalPoints"] == 30 and "createdAt" in q


def test_create_takes_a_reward_by_reward_id(tenant: Tenant) -> None:
    reward = tenant.api.post("/rewards", json={"name": unique("Mug"), "pointsCost": 5}).json()
    q = make_quest(tenant, 10, reward={"rewardId": reward["id"]})
    assert q["reward"] == {"points": None, "rewardId": reward["id"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tasks": [{"title": "T", "points": 1}]}, "title"),
        ({"title": "Q"}, "tasks"),
        ({"title": "Q", "tasks": []}, "tasks"),
        ({"title": "Q", "tasks": [{"points": 1}]}, "tasks.0.title"),
        ({"title": "Q", "tasks": [{"title": "T", "points": -5}]}, "tasks.0.points"),
        ({"title": "Q", "tasks": [{"title": "T", "points": 1}], "reward": {}}, "reward"),
        (
            {"title": "Q", "tasks": [{"title": "T", "points": 1}], "reward": {"rewardId": "x"}},
            "reward.rewardId",
        ),
        ({"title": "Q", "tasks": [{"title": "T", "points": 1}], "colour": "red"}, "colour"),
    ],
)
def test_create_refuses_a_bad_body_with_400_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    e = error(v1(tenant).post("/quests", json=body), 400)
    assert e["code"] == "VALIDATION_ERROR" and e["field"] == field
    assert v1(tenant).get("/quests").json() == {"quests": []}


# --- GET /quests, GET /quests/:id --------------------------------------------------------


def test_list_answers_the_quests_filtered_by_status_and_paged(tenant: Tenant) -> None:
    a = make_quest(tenant)
    b = make_quest(tenant, status="draft")
    c = make_quest(tenant)
    api = v1(tenant)
    body = api.get("/quests").json()
    assert set(body) == {"quests"}
    assert [q["id"] for q in body["quests"]] == [a["id"], b["id"], c["id"]]
    active = api.get("/quests", params={"status": "active"}).json()["quests"]
    assert [q["id"] for q in active] == [a["id"], c["id"]]
    assert api.get("/quests", params={"status": "archived"}).json() == {"quests": []}
    assert [q["id"] for q in api.get("/quests", params={"limit": 2}).json()["quests"]] == [
        a["id"],
        b["id"],
    ]
    second = api.get("/quests", params={"limit": 2, "page": 2}).json()["quests"]
    assert [q["id"] for q in second] == [c["id"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "finished"}, "status"), ({"page": 0}, "page"), ({"limit": 101}, "limit")],
)
def test_list_refuses_a_bad_parameter_with_400_naming_it(
    tenant: Tenant, params: dict[str, Any], field: str
) -> None:
    e = error(v1(tenant).get("/quests", params=params), 400)
    assert e["field"] == field


def test_get_answers_the_quest_with_its_tasks(tenant: Tenant) -> None:
    q = make_quest(tenant, 5, 6, 7)
    body = v1(tenant).get(f"/quests/{q['id']}").json()
    assert set(body) == {"quest", "tasks"}
    assert body["quest"] == q
    assert [t["points"] for t in body["tasks"]] == [5, 6, 7]
    assert body["tasks"] == q["tasks"]


def test_get_an_unknown_quest_is_404(tenant: Tenant) -> None:
    e = error(v1(tenant).get("/quests/qst_0000"), 404)
    assert e["code"] == "NOT_FOUND" and e["field"] == "id"


# --- POST /quests/:id/complete -----------------------------------------------------------


def test_complete_answers_200_with_the_completion_and_points_awarded(tenant: Tenant) -> None:
    q = make_quest(tenant, 10, 20)
    advocate = insert_member(tenant)
    r = complete(tenant, q, 0, advocate)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"completion", "pointsAwarded"}
    assert body["pointsAwarded"] == 10
    c = body["completion"]
    assert (c["questId"], c["taskId"], c["advocateId"]) == (q["id"], q["tasks"][0]["id"], advocate)
    assert c["points"] == 10 and c["questCompleted"] is False
    advocate_now = v1(tenant).get(f"/advocates/{advocate}").json()["advocate"]
    assert advocate_now["points"] == 10


def test_a_repeat_completion_awards_nothing(tenant: Tenant) -> None:
    q = make_quest(tenant, 10, 20)
    advocate = insert_member(tenant)
    first = complete(tenant, q, 0, advocate).json()
    r = complete(tenant, q, 0, advocate)
    assert r.status_code == 200
    assert r.json() == {"completion": first["completion"], "pointsAwarded": 0}
    assert balance(tenant, advocate) == 10


def test_the_last_task_completes_the_quest_with_its_reward(tenant: Tenant) -> None:
    q = make_quest(tenant, 10, 20, reward={"points": 100})
    advocate = insert_member(tenant)
    complete(tenant, q, 0, advocate)
    body = complete(tenant, q, 1, advocate).json()
    assert body["pointsAwarded"] == 120 and body["completion"]["questCompleted"] is True
    assert balance(tenant, advocate) == 130
    verify_tenant(tenant)


def test_complete_refuses_a_reward_out_of_stock_with_400(tenant: Tenant) -> None:
    reward = tenant.api.post(
        "/rewards", json={"name": unique("Mug"), "pointsCost": 5, "stock": 0}
    ).json()
    q = make_quest(tenant, 10, reward={"rewardId": reward["id"]})
    advocate = insert_member(tenant)
    e = error(complete(tenant, q, 0, advocate), 400)
    assert e["code"] == "OUT_OF_STOCK" and e["field"] == "id"
    assert balance(tenant, advocate) == 0


def test_complete_an_inactive_quest_is_400_naming_it(tenant: Tenant) -> None:
    q = make_quest(tenant, status="archived")
    e = error(complete(tenant, q, 0, insert_member(tenant)), 400)
    assert e["code"] == "QUEST_NOT_ACTIVE" and e["field"] == "id"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"taskId": "qtk_x"}, "advocateId"),
        ({"advocateId": "mem_x"}, "taskId"),
        ({"advocateId": 5, "taskId": "qtk_x"}, "advocateId"),
        ({"advocateId": "mem_x", "taskId": "qtk_x", "memberId": "mem_x"}, "memberId"),
    ],
)
def test_complete_refuses_a_bad_body_with_400_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    q = make_quest(tenant)
    e = error(v1(tenant).post(f"/quests/{q['id']}/complete", json=body), 400)
    assert e["field"] == field


def test_complete_unknown_quest_task_or_advocate_is_404_naming_it(tenant: Tenant) -> None:
    q, other = make_quest(tenant), make_quest(tenant)
    advocate = insert_member(tenant)
    task = q["tasks"][0]["id"]
    api = v1(tenant)
    body = {"advocateId": advocate, "taskId": task}
    assert error(api.post("/quests/qst_0000/complete", json=body), 404)["field"] == "id"
    wrong_task = body | {"taskId": other["tasks"][0]["id"]}
    assert error(api.post(f"/quests/{q['id']}/complete", json=wrong_task), 404)["field"] == (
        "taskId"
    )
    nobody = body | {"advocateId": "mem_0000"}
    assert error(api.post(f"/quests/{q['id']}/complete", json=nobody), 404)["field"] == (
        "advocateId"
    )


# --- auth and tenants --------------------------------------------------------------------


def test_every_quest_route_needs_a_key(tenant: Tenant) -> None:
    q = make_quest(tenant)
    for method, path in (
        ("GET", "/quests"),
        ("GET", f"/quests/{q['id']}"),
        ("POST", "/quests"),
        ("POST", f"/quests/{q['id']}/complete"),
    ):
        r = tenant.client.request(method, V1 + path, json={})
        assert error(r, 401)["code"] == "UNAUTHORIZED", path
        r = tenant.client.request(
            method, V1 + path, json={}, headers={"Authorization": "Bearer sk_live_nope"}
        )
        assert r.status_code == 401, path


def test_reads_need_community_read_and_writes_community_write(tenant: Tenant) -> None:
    q = make_quest(tenant)
    advocate = insert_member(tenant)
    no_read = v1(tenant, tenant.key_without("community:read"))
    assert error(no_read.get("/quests"), 403)["code"] == "INSUFFICIENT_SCOPE"
    assert error(no_read.get(f"/quests/{q['id']}"), 403)["code"] == "INSUFFICIENT_SCOPE"
    reader = v1(tenant, tenant.key("community:read"))
    assert reader.get("/quests").status_code == 200
    body = {"title": "Q", "tasks": [{"title": "T", "points": 1}]}
    assert error(reader.post("/quests", json=body), 403)["code"] == "INSUFFICIENT_SCOPE"
    done = {"advocateId": advocate, "taskId": q["tasks"][0]["id"]}
    r = reader.post(f"/quests/{q['id']}/complete", json=done)
    assert error(r, 403)["code"] == "INSUFFICIENT_SCOPE"
    assert balance(tenant, advocate) == 0


def test_another_tenants_ids_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_quest(other_tenant)
    mine = make_quest(tenant)
    advocate = insert_member(tenant)
    their_advocate = insert_member(other_tenant)
    api = v1(tenant)
    assert error(api.get(f"/quests/{theirs['id']}"), 404)["field"] == "id"
    assert error(complete(tenant, theirs, 0, advocate), 404)["field"] == "id"
    body = {"advocateId": advocate, "taskId": theirs["tasks"][0]["id"]}
    r = api.post(f"/quests/{mine['id']}/complete", json=body)
    assert error(r, 404)["field"] == "taskId"
    assert error(complete(tenant, mine, 0, their_advocate), 404)["field"] == "advocateId"
    assert api.get("/quests").json()["quests"] == [mine]
    reward = other_tenant.api.post("/rewards", json={"name": "Theirs", "pointsCost": 5}).json()
    r = api.post(
        "/quests",
        json={
            "title": "Q",
            "tasks": [{"title": "T", "points": 1}],
            "reward": {"rewardId": reward["id"]},
        },
    )
    assert error(r, 400)["field"] == "reward.rewardId"
