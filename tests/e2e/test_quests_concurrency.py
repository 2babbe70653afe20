"""Quest completions raced from two real server processes on one database (SQLite or
PostgreSQL, as the suite runs): the member lock makes each task award once, and the
quest's reward be granted once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from punchcard.models import OutboxEvent, QuestCompletion, QuestTaskCompletion
from tests.e2e.conftest import Server
from tests.factories import Tenant, insert_member, verify_tenant


def _headers(t: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {t.api.token}"}


def _quest(server: Server, t: Tenant, points: list[int], reward: int) -> dict[str, Any]:
    body = {
        "title": "Race week",
        "tasks": [{"title": f"Task {i}", "points": p} for i, p in enumerate(points)],
        "reward": {"points": reward},
    }
    r = httpx.post(server.url + "/api/v1/quests", json=body, headers=_headers(t), timeout=60)
    assert r.status_code == 201, r.text
    return dict(r.json()["quest"])


def _count(t: Tenant, model: Any, *where: Any) -> int:
    with t.db.transaction(write=False) as s:
        stmt = select(func.count()).select_from(model).where(model.tenant_id == t.id, *where)
        return int(s.scalar(stmt) or 0)


def _balance(server: Server, t: Tenant, advocate: str) -> int:
    r = httpx.get(server.url + f"/api/v1/advocates/{advocate}", headers=_headers(t))
    assert r.status_code == 200, r.text
    return int(r.json()["advocate"]["points"])


def test_parallel_completions_of_one_task_award_once(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    a, b = two_servers
    quest = _quest(a, tenant, [10], reward=100)
    advocate = insert_member(tenant)
    body = {"advocateId": advocate, "taskId": quest["tasks"][0]["id"]}

    def post(i: int) -> tuple[int, int]:
        url = (a if i % 2 else b).url + f"/api/v1/quests/{quest['id']}/complete"
        r = httpx.post(url, json=body, headers=_headers(tenant), timeout=60)
        return r.status_code, r.json().get("pointsAwarded", -1)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(post, range(20)))
    assert all(status == 200 for status, _ in results), results
    awarded = sorted(points for _, points in results)
    # One completion awarded the task (10) and, being the last task, the reward (100).
    assert awarded == [0] * 19 + [110], results
    assert _balance(a, tenant, advocate) == 110
    assert _count(tenant, QuestTaskCompletion) == 1
    assert _count(tenant, QuestCompletion) == 1
    assert _count(tenant, OutboxEvent, OutboxEvent.type == "quest.completed") == 1
    verify_tenant(tenant)


def test_parallel_completions_of_every_task_grant_the_reward_once(
    two_servers: tuple[Server, Server], tenant: Tenant
) -> None:
    """Twenty different tasks at once: whichever runs last under the lock finishes the
    quest; none of the others may think it did."""
    a, b = two_servers
    quest = _quest(a, tenant, [i + 1 for i in range(20)], reward=1000)
    advocate = insert_member(tenant)

    def post(i: int) -> tuple[int, bool]:
        url = (a if i % 2 else b).url + f"/api/v1/quests/{quest['id']}/complete"
        body = {"advocateId": advocate, "taskId": quest["tasks"][i]["id"]}
        r = httpx.post(url, json=body, headers=_headers(tenant), timeout=60)
        return r.status_code, bool(r.json().get("completion", {}).get("questCompleted"))

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(post, range(20)))
    assert all(status == 200 for status, _ in results), results
    assert sum(done for _, done in results) == 1, results
    assert _balance(a, tenant, advocate) == sum(range(1, 21)) + 1000
    assert _count(tenant, QuestTaskCompletion) == 20
    assert _count(tenant, QuestCompletion) == 1
    verify_tenant(tenant)
