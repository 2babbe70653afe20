"""Quests on the native face (``/api/v2/quests``): create, list, get, complete; scope
``community``; each task completes once per member; the last one grants the reward
and emits ``quest.completed`` (its webhook body is the quest as ``GET`` renders it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from punchcard.api.native.events import RENDERERS
from punchcard.kit.ids import parse
from punchcard.models import Coupon, OutboxEvent
from tests.factories import Tenant, balance, insert_member, unique, verify_tenant


def make_quest(t: Tenant, *points: int, **kw: Any) -> dict[str, Any]:
    body = {
        "title": unique("Quest"),
        "description": "Do it all",
        "tasks": [{"title": f"Task {i}", "points": p} for i, p in enumerate(points or (10, 20))],
        **kw,
    }
    r = t.api.post("/quests", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def complete(t: Tenant, quest: dict[str, Any], task: int, member: str) -> Any:
    body = {"memberId": member, "taskId": quest["tasks"][task]["id"]}
    return t.api.post(f"/quests/{quest['id']}/complete", json=body)


def events(t: Tenant, type_: str) -> list[OutboxEvent]:
    with t.db.transaction(write=False) as s:
        return list(
            s.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.tenant_id == t.id, OutboxEvent.type == type_)
                .order_by(OutboxEvent.created_at, OutboxEvent.id)
            )
        )


def test_a_created_quest_renders_its_tasks_in_order(tenant: Tenant) -> None:
    q = make_quest(tenant, 5, 0, 7, reward={"points": 50})
    assert q["id"].startswith("qst_") and q["status"] == "active"
    assert [t["points"] for t in q["tasks"]] == [5, 0, 7]
    assert [t["position"] for t in q["tasks"]] == [0, 1, 2]
    assert all(t["id"].startswith("qtk_") for t in q["tasks"])
    assert q["reward"] == {"points": 50, "rewardId": None}
    assert q["totalPoints"] == 12
    assert tenant.api.get(f"/quests/{q['id']}").json() == q


def test_the_list_pages_and_filters_by_status(tenant: Tenant) -> None:
    a = make_quest(tenant)
    b = make_quest(tenant, status="draft")
    c = make_quest(tenant)
    body = tenant.api.get("/quests", params={"limit": 2}).json()
    assert [q["id"] for q in body["quests"]] == [a["id"], b["id"]]
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 0)
    assert tenant.api.get("/quests", params={"offset": 2}).json()["quests"] == [c]
    drafts = tenant.api.get("/quests", params={"status": "draft"}).json()
    assert [q["id"] for q in drafts["quests"]] == [b["id"]] and drafts["total"] == 1
    r = tenant.api.get("/quests", params={"status": "over"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "status"


def test_completing_a_task_awards_its_points_through_the_ledger(tenant: Tenant) -> None:
    q = make_quest(tenant, 10, 20)
    m = insert_member(tenant)
    r = complete(tenant, q, 0, m)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["pointsAwarded"] == 10 and body["balance"] == 10
    assert body["created"] is True and body["questCompleted"] is False
    assert body["completion"]["taskId"] == q["tasks"][0]["id"]
    assert body["completion"]["memberId"] == m and body["completion"]["id"].startswith("qcp_")
    history = tenant.api.get(f"/members/{m}/points").json()["transactions"]
    assert [(e["amount"], e["description"]) for e in history] == [(10, "Quest task: Task 0")]
    verify_tenant(tenant)


def test_a_repeat_completion_answers_200_with_the_same_completion_and_no_points(
    tenant: Tenant,
) -> None:
    q = make_quest(tenant, 10, 20)
    m = insert_member(tenant)
    first = complete(tenant, q, 0, m).json()
    r = complete(tenant, q, 0, m)
    assert r.status_code == 200, r.text
    again = r.json()
    assert again["completion"] == first["completion"]
    assert (again["pointsAwarded"], again["created"], again["balance"]) == (0, False, 10)
    assert balance(tenant, m) == 10


def test_the_last_task_grants_the_points_reward_and_emits_quest_completed(
    tenant: Tenant,
) -> None:
    q = make_quest(tenant, 10, 20, reward={"points": 100})
    m = insert_member(tenant)
    assert complete(tenant, q, 1, m).json()["questCompleted"] is False
    assert events(tenant, "quest.completed") == []
    body = complete(tenant, q, 0, m).json()
    assert body["questCompleted"] is True
    assert body["pointsAwarded"] == 110 and body["balance"] == 130
    (event,) = events(tenant, "quest.completed")
    rendered = RENDERERS["quest.completed"](event.payload)
    assert rendered["quest"] == tenant.api.get(f"/quests/{q['id']}").json()
    assert rendered["memberId"] == m and rendered["rewardPoints"] == 100
    assert rendered["balance"] == 130 and rendered["transactionId"].startswith("txn_")
    # Done is done: repeating a task neither completes the quest again nor awards.
    assert complete(tenant, q, 0, m).json()["pointsAwarded"] == 0
    assert len(events(tenant, "quest.completed")) == 1 and balance(tenant, m) == 130
    verify_tenant(tenant)


def test_a_reward_option_is_handed_out_without_charging_points(tenant: Tenant) -> None:
    reward = tenant.api.post(
        "/rewards", json={"name": unique("Mug"), "pointsCost": 500, "stock": 3, "codes": ["MUG-1"]}
    ).json()
    q = make_quest(tenant, 10, reward={"rewardId": reward["id"]})
    assert q["reward"] == {"points": None, "rewardId": reward["id"]}
    m = insert_member(tenant)
    body = complete(tenant, q, 0, m).json()
    assert body["questCompleted"] is True and body["couponCode"] == "MUG-1"
    assert body["pointsAwarded"] == 10 and body["balance"] == 10
    after = tenant.api.get(f"/rewards/{reward['id']}").json()
    assert after["stock"] == 2 and after["availableCodes"] == 0
    with tenant.db.transaction(write=False) as s:
        coupon = s.scalars(
            select(Coupon).where(Coupon.tenant_id == tenant.id, Coupon.code == "MUG-1")
        ).one()
        assert (coupon.status, coupon.member_id) == ("issued", parse("mem", m))
    rendered = RENDERERS["quest.completed"](events(tenant, "quest.completed")[0].payload)
    assert rendered["rewardId"] == reward["id"] and rendered["couponCode"] == "MUG-1"


def test_a_reward_out_of_stock_refuses_the_last_completion_and_writes_nothing(
    tenant: Tenant,
) -> None:
    reward = tenant.api.post(
        "/rewards", json={"name": unique("Mug"), "pointsCost": 5, "stock": 0}
    ).json()
    q = make_quest(tenant, 10, 20, reward={"rewardId": reward["id"]})
    m = insert_member(tenant)
    assert complete(tenant, q, 0, m).status_code == 201
    r = complete(tenant, q, 1, m)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "OUT_OF_STOCK" and r.json()["error"]["field"] == "id"
    assert balance(tenant, m) == 10
    assert events(tenant, "quest.completed") == []
    # The task is still to do: with stock back, the same completion goes through.
    tenant.api.patch(f"/rewards/{reward['id']}", json={"stock": 1})
    assert complete(tenant, q, 1, m).json()["questCompleted"] is True
    verify_tenant(tenant)


def test_an_inactive_quest_cannot_be_completed(tenant: Tenant) -> None:
    m = insert_member(tenant)
    for status in ("draft", "archived"):
        q = make_quest(tenant, status=status)
        r = complete(tenant, q, 0, m)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "QUEST_NOT_ACTIVE"
        assert r.json()["error"]["field"] == "id"
    assert balance(tenant, m) == 0


def test_a_task_of_another_quest_is_not_found_naming_task_id(tenant: Tenant) -> None:
    q, other = make_quest(tenant), make_quest(tenant)
    m = insert_member(tenant)
    body = {"memberId": m, "taskId": other["tasks"][0]["id"]}
    r = tenant.api.post(f"/quests/{q['id']}/complete", json=body)
    assert r.status_code == 404 and r.json()["error"]["field"] == "taskId"
    r = tenant.api.post(f"/quests/{q['id']}/complete", json=body | {"taskId": "qtk_nope"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "taskId"


def test_an_unknown_member_is_not_found_naming_member_id(tenant: Tenant) -> None:
    q = make_quest(tenant)
    body = {"memberId": "mem_0000", "taskId": q["tasks"][0]["id"]}
    r = tenant.api.post(f"/quests/{q['id']}/complete", json=body)
    assert r.status_code == 404 and r.json()["error"]["field"] == "memberId"


def test_bad_bodies_are_400_naming_the_field(tenant: Tenant) -> None:
    def field(body: dict[str, Any]) -> str:
        r = tenant.api.post("/quests", json=body)
        assert r.status_code == 400, r.text
        return str(r.json()["error"]["field"])

    task = {"title": "T", "points": 1}
    assert field({"tasks": [task]}) == "title"
    assert field({"title": "Q", "tasks": []}) == "tasks"
    assert field({"title": "Q", "tasks": [{"title": "T", "points": -1}]}) == "tasks.0.points"
    assert field({"title": "Q", "tasks": [{"title": "T", "points": "5"}]}) == "tasks.0.points"
    assert field({"title": "Q", "tasks": [task], "reward": {}}) == "reward"
    both = {"points": 5, "rewardId": "rwd_x"}
    assert field({"title": "Q", "tasks": [task], "reward": both}) == "reward"
    missing = {"title": "Q", "tasks": [task], "reward": {"rewardId": "rwd_0000"}}
    assert field(missing) == "reward.rewardId"
    assert field({"title": "Q", "tasks": [task], "status": "done"}) == "status"
    assert tenant.api.get("/quests").json()["total"] == 0


def test_the_routes_need_the_community_scope(tenant: Tenant) -> None:
    q = make_quest(tenant)
    m = insert_member(tenant)
    reader = tenant.key("community:read")
    assert reader.get("/quests").status_code == 200
    assert reader.get(f"/quests/{q['id']}").status_code == 200
    assert reader.post("/quests", json={"title": "Q", "tasks": []}).status_code == 403
    no_read = tenant.key_without("community:read")
    assert no_read.get("/quests").status_code == 403
    assert no_read.get(f"/quests/{q['id']}").status_code == 403
    body = {"memberId": m, "taskId": q["tasks"][0]["id"]}
    r = tenant.key_without("community:write").post(f"/quests/{q['id']}/complete", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert tenant.client.get("/api/v2/quests").status_code == 401


def test_another_tenants_quest_task_and_member_are_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = make_quest(other_tenant)
    mine = make_quest(tenant)
    m = insert_member(tenant)
    their_member = insert_member(other_tenant)
    assert tenant.api.get(f"/quests/{theirs['id']}").status_code == 404
    r = complete(tenant, theirs, 0, m)
    assert r.status_code == 404 and r.json()["error"]["field"] == "id"
    body = {"memberId": m, "taskId": theirs["tasks"][0]["id"]}
    assert tenant.api.post(f"/quests/{mine['id']}/complete", json=body).status_code == 404
    r = complete(tenant, mine, 0, their_member)
    assert r.status_code == 404 and r.json()["error"]["field"] == "memberId"
    assert balance(other_tenant, their_member) == 0
