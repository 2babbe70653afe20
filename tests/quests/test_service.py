"""The quests core (``quests.service``), called as a face calls it: creation rules,
one award per task and member, the reward granted once with the last task, and
refusals that write nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from punchcard.errors import NotFound, ValidationFailed
from punchcard.events.service import lane
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.ids import parse
from punchcard.kit.paging import Page
from punchcard.models import (
    OutboxEvent,
    PointsEntry,
    QuestCompletion,
    QuestTaskCompletion,
    Reward,
)
from punchcard.quests import service as quests
from punchcard.quests.schemas import NewQuest, NewTask, QuestStatus
from punchcard.quests.views import QuestView
from punchcard.rewards.service import OutOfStock
from tests.factories import Tenant, balance, insert_member, unique, verify_tenant


@contextmanager
def unit(t: Tenant) -> Iterator[tuple[Session, Principal]]:
    with t.db.transaction() as s:
        yield s, Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES))


def uid(prefix: str, value: str) -> uuid.UUID:
    parsed = parse(prefix, value)
    assert parsed is not None
    return parsed


def new(*points: int, **kw: Any) -> NewQuest:
    tasks = tuple(NewTask(title=f"T{i}", points=p) for i, p in enumerate(points))
    return NewQuest(title=unique("Q"), tasks=tasks, **kw)


def create(t: Tenant, data: NewQuest) -> QuestView:
    with unit(t) as (s, p):
        return quests.create(s, p, data=data)


def complete(t: Tenant, view: QuestView, task: int, member: str) -> quests.Completed:
    with unit(t) as (s, p):
        return quests.complete(
            s,
            p,
            quest_id=view.quest.id,
            task_id=view.tasks[task].id,
            member_id=uid("mem", member),
        )


def count(t: Tenant, model: Any, *where: Any) -> int:
    with t.db.transaction(write=False) as s:
        stmt = select(func.count()).select_from(model).where(model.tenant_id == t.id, *where)
        return int(s.scalar(stmt) or 0)


def test_tasks_keep_the_order_they_were_given(tenant: Tenant) -> None:
    view = create(tenant, new(3, 1, 2))
    assert [(t.title, t.points, t.position) for t in view.tasks] == [
        ("T0", 3, 0),
        ("T1", 1, 1),
        ("T2", 2, 2),
    ]
    with unit(tenant) as (s, p):
        again = quests.read(s, p, quest_id=view.quest.id)
        assert [t.id for t in again.tasks] == [t.id for t in view.tasks]
        assert again.total_points == 6


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (new(), "tasks"),
        (new(*([1] * 51)), "tasks"),
        (new(1, reward_points=5, reward_id="some_reward"), "reward"),
        (new(1, reward_id="no_such_reward"), "reward.rewardId"),
    ],
)
def test_creation_refuses_bad_input_naming_the_field(
    tenant: Tenant, data: NewQuest, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused, unit(tenant) as (s, p):
        quests.create(s, p, data=data)
    assert refused.value.field == field


def test_each_task_awards_once_per_member(tenant: Tenant) -> None:
    view = create(tenant, new(10, 20))
    a, b = insert_member(tenant), insert_member(tenant)
    first = complete(tenant, view, 0, a)
    assert (first.created, first.points_awarded) == (True, 10)
    repeat = complete(tenant, view, 0, a)
    assert (repeat.created, repeat.points_awarded) == (False, 0)
    assert repeat.completion.id == first.completion.id
    # Another member does the same task for themselves.
    assert complete(tenant, view, 0, b).points_awarded == 10
    assert (balance(tenant, a), balance(tenant, b)) == (10, 10)
    assert count(tenant, QuestTaskCompletion) == 2
    verify_tenant(tenant)


def test_a_task_worth_nothing_completes_without_a_journal_entry(tenant: Tenant) -> None:
    view = create(tenant, new(0, 5))
    m = insert_member(tenant)
    done = complete(tenant, view, 0, m)
    assert done.created and done.points_awarded == 0 and done.completion.entry_id is None
    assert count(tenant, PointsEntry) == 0


def test_the_quest_completes_once_with_its_reward_and_one_event(tenant: Tenant) -> None:
    view = create(tenant, new(10, 20, reward_points=100))
    m = insert_member(tenant)
    assert complete(tenant, view, 0, m).quest_completion is None
    last = complete(tenant, view, 1, m)
    assert last.quest_completion is not None and last.points_awarded == 120
    assert last.quest_completion.reward_points == 100
    assert complete(tenant, view, 1, m).quest_completion is None
    assert count(tenant, QuestCompletion) == 1
    assert count(tenant, OutboxEvent, OutboxEvent.type == "quest.completed") == 1
    with tenant.db.transaction(write=False) as s:
        event = s.scalars(
            select(OutboxEvent).where(
                OutboxEvent.tenant_id == tenant.id, OutboxEvent.type == "quest.completed"
            )
        ).one()
    assert event.resource_id == lane("mem", uid("mem", m))
    assert event.payload["member_id"] == str(uid("mem", m))
    assert event.payload["quest"]["id"] == str(view.quest.id)
    assert [t["points"] for t in event.payload["tasks"]] == [10, 20]
    assert event.payload["balance"] == 130
    assert balance(tenant, m) == 130
    verify_tenant(tenant)


def test_a_quest_without_a_reward_still_completes(tenant: Tenant) -> None:
    view = create(tenant, new(4))
    m = insert_member(tenant)
    done = complete(tenant, view, 0, m)
    assert done.quest_completion is not None and done.points_awarded == 4
    assert done.quest_completion.entry_id is None and done.quest_completion.reward_id is None


def test_a_reward_that_cannot_be_granted_refuses_and_writes_nothing(tenant: Tenant) -> None:
    reward = tenant.api.post(
        "/rewards", json={"name": unique("R"), "pointsCost": 5, "stock": 0}
    ).json()
    view = create(tenant, new(10, reward_id=uid("rwd", reward["id"])))
    m = insert_member(tenant)
    with pytest.raises(OutOfStock) as refused:
        complete(tenant, view, 0, m)
    assert refused.value.field == "id"
    assert balance(tenant, m) == 0
    assert count(tenant, QuestTaskCompletion) == 0 and count(tenant, QuestCompletion) == 0
    assert count(tenant, OutboxEvent, OutboxEvent.type.in_(["points.awarded"])) == 0


def test_only_an_active_quest_takes_completions(tenant: Tenant) -> None:
    m = insert_member(tenant)
    for status in (QuestStatus.draft, QuestStatus.archived):
        view = create(tenant, new(5, status=status))
        with pytest.raises(quests.QuestNotActive):
            complete(tenant, view, 0, m)
    assert balance(tenant, m) == 0


def test_a_task_must_belong_to_the_quest(tenant: Tenant) -> None:
    view, other = create(tenant, new(5)), create(tenant, new(5))
    m = insert_member(tenant)
    with pytest.raises(NotFound) as refused, unit(tenant) as (s, p):
        quests.complete(
            s,
            p,
            quest_id=view.quest.id,
            task_id=other.tasks[0].id,
            member_id=uid("mem", m),
        )
    assert refused.value.field == "taskId"


def test_the_member_field_is_named_as_the_face_names_it(tenant: Tenant) -> None:
    view = create(tenant, new(5))
    with pytest.raises(NotFound) as refused, unit(tenant) as (s, p):
        quests.complete(
            s,
            p,
            quest_id=view.quest.id,
            task_id=view.tasks[0].id,
            member_id=view.quest.id,
            member_field="advocateId",
        )
    assert refused.value.field == "advocateId"


def test_the_list_filters_by_status_oldest_first(tenant: Tenant) -> None:
    a = create(tenant, new(1))
    create(tenant, new(1, status=QuestStatus.draft))
    c = create(tenant, new(1, 2))
    with unit(tenant) as (s, p):
        rows, total = quests.list_quests(s, p, page=Page(limit=10), status=QuestStatus.active)
    assert total == 2
    assert [(v.quest.id, len(v.tasks)) for v in rows] == [(a.quest.id, 1), (c.quest.id, 2)]


def test_reward_ids_are_checked_within_the_tenant(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = other_tenant.api.post("/rewards", json={"name": "R", "pointsCost": 5}).json()
    with pytest.raises(ValidationFailed) as refused, unit(tenant) as (s, p):
        quests.create(s, p, data=new(1, reward_id=uid("rwd", theirs["id"])))
    assert refused.value.field == "reward.rewardId"
    with tenant.db.transaction(write=False) as s:
        assert s.get(Reward, (other_tenant.id, parse("rwd", theirs["id"]))) is not None
