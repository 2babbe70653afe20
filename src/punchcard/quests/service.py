"""Quests: tasks worth points, each completed once per member, and a reward for doing
them all.

Completing a task locks the member first (``members.lock``), so one member's
completions run one at a time from any number of processes: the repeat check sees
every earlier completion, and the unique key (tenant, task, member) is the backstop.
A repeat changes nothing and answers the existing completion with 0 points awarded.
The completion that finishes the quest grants its reward (points through the ledger,
or a redemption option handed out without charging points) and emits
``quest.completed``, all in the same transaction: a reward that cannot be granted
(out of stock, no code left) refuses the completion itself, and nothing is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import NotFound, RewardNotFound, ValidationFailed
from punchcard.events.service import emit, lane
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.ledger import service as ledger
from punchcard.members import service as members
from punchcard.models import Member, Quest, QuestCompletion, QuestTask, QuestTaskCompletion
from punchcard.quests import data
from punchcard.quests.repository import CompletionRepository, QuestRepository, TaskRepository
from punchcard.quests.schemas import MAX_TASKS, NewQuest, QuestStatus
from punchcard.quests.views import QuestView, views_of
from punchcard.rewards import service as rewards


class QuestNotActive(ValidationFailed):
    code = "QUEST_NOT_ACTIVE"
    default_message = "This quest is not active: its tasks cannot be completed"


@dataclass(frozen=True)
class Completed:
    """A task completion. ``created``: this call completed it (else it was done
    before, and nothing changed). ``points_awarded``: what this call credited, the
    task's points plus the quest's points reward if it finished the quest.
    ``quest_completion``: set when this call finished the quest."""

    completion: QuestTaskCompletion
    member: Member
    created: bool
    points_awarded: int
    quest_completion: QuestCompletion | None = None
    coupon_code: str | None = None


def get(session: Session, principal: Principal, *, quest_id: uuid.UUID, field: str = "id") -> Quest:
    """The quest, or NotFound (also for another tenant's id)."""
    quest = QuestRepository(session, principal.tenant_id).get(quest_id)
    if quest is None:
        raise NotFound("Quest not found", field=field)
    return quest


def read(session: Session, principal: Principal, *, quest_id: uuid.UUID) -> QuestView:
    return views_of(session, principal, [get(session, principal, quest_id=quest_id)])[0]


def list_quests(
    session: Session, principal: Principal, *, page: Page, status: QuestStatus | None = None
) -> tuple[list[QuestView], int]:
    """A page of quests, oldest first, with their tasks (two queries and the count)."""
    rows, total = QuestRepository(session, principal.tenant_id).list_page(
        page, status=status.value if status is not None else None
    )
    return views_of(session, principal, rows), total


def done_tasks(
    session: Session, principal: Principal, *, member_id: uuid.UUID, quest_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """The ids of the tasks of ``quest_ids`` the member has completed (its progress);
    another member's id is NotFound for a member principal, as everywhere."""
    member = members.get(session, principal, member_id=member_id, field="memberId")
    return CompletionRepository(session, principal.tenant_id).done_by(member.id, quest_ids)


def create(session: Session, principal: Principal, *, data: NewQuest) -> QuestView:
    if not data.tasks:
        raise ValidationFailed("A quest needs at least one task", field="tasks")
    if len(data.tasks) > MAX_TASKS:
        raise ValidationFailed(f"A quest has at most {MAX_TASKS} tasks", field="tasks")
    if data.reward_points is not None and data.reward_id is not None:
        raise ValidationFailed("Give the reward points or a rewardId, not both", field="reward")
    reward_id = None
    if data.reward_id is not None:
        try:
            reward_id = rewards.get(session, principal, reward_id=data.reward_id).id
        except RewardNotFound:
            # A reference in the body, not the resource asked for: bad input (400).
            raise ValidationFailed("No reward has this id", field="reward.rewardId") from None
    at = now(session)
    quest = QuestRepository(session, principal.tenant_id).add(
        Quest(
            id=new_id(),
            title=data.title,
            description=data.description,
            status=data.status.value,
            reward_points=data.reward_points,
            reward_id=reward_id,
            created_at=at,
            updated_at=at,
        )
    )
    tasks = [
        QuestTask(
            tenant_id=principal.tenant_id,
            id=new_id(),
            quest_id=quest.id,
            title=t.title,
            description=t.description,
            points=t.points,
            position=i,
        )
        for i, t in enumerate(data.tasks)
    ]
    session.add_all(tasks)
    session.flush()
    return QuestView(quest, tasks)


def complete(
    session: Session,
    principal: Principal,
    *,
    quest_id: uuid.UUID,
    task_id: uuid.UUID,
    member_id: uuid.UUID,
    member_field: str = "memberId",
) -> Completed:
    """Complete ``task_id`` of ``quest_id`` for the member: its points through the
    ledger, once per member (a repeat answers the existing completion, 0 points); the
    last task grants the quest's reward and emits ``quest.completed``."""
    quest = get(session, principal, quest_id=quest_id)
    task = TaskRepository(session, principal.tenant_id).get(task_id)
    if task is None or task.quest_id != quest.id:
        raise NotFound("This quest has no task with this id", field="taskId")
    if quest.status != QuestStatus.active:
        raise QuestNotActive(field="id")
    # Lock before the repeat check: concurrent completions of one member serialise
    # here, so exactly one of them finds no completion and awards.
    member = members.lock(session, principal, member_id=member_id, field=member_field)
    repo = CompletionRepository(session, principal.tenant_id)
    done = repo.of_task(task.id, member.id)
    if done is not None:
        return Completed(done, member, created=False, points_awarded=0)
    entry = None
    if task.points > 0:
        entry = ledger.credit(
            session,
            member,
            amount=task.points,
            refs=ledger.Refs(description=f"Quest task: {task.title}"),
        )
    completion = repo.add(
        QuestTaskCompletion(
            id=new_id(),
            quest_id=quest.id,
            task_id=task.id,
            member_id=member.id,
            points=task.points,
            entry_id=entry.id if entry is not None else None,
            created_at=now(session),
        )
    )
    tasks = QuestRepository(session, principal.tenant_id).tasks_of([quest.id])[quest.id]
    if repo.count(quest.id, member.id) < len(tasks):
        return Completed(completion, member, created=True, points_awarded=task.points)
    finished, coupon_code = _finish(session, principal, quest, tasks, member)
    return Completed(
        completion,
        member,
        created=True,
        points_awarded=task.points + (finished.reward_points or 0),
        quest_completion=finished,
        coupon_code=coupon_code,
    )


def _finish(
    session: Session,
    principal: Principal,
    quest: Quest,
    tasks: list[QuestTask],
    member: Member,
) -> tuple[QuestCompletion, str | None]:
    """The member did every task: grant the reward, record it, emit the event."""
    entry = grant = None
    if quest.reward_points:
        entry = ledger.credit(
            session,
            member,
            amount=quest.reward_points,
            refs=ledger.Refs(description=f"Quest completed: {quest.title}"),
        )
    elif quest.reward_id is not None:
        reward = rewards.get(session, principal, reward_id=quest.reward_id, field="id")
        # Out of stock or out of codes refuses the completion, naming the quest.
        grant = rewards.grant(session, principal, reward=reward, member=member, field="id")
    coupon = grant.coupon if grant is not None else None
    finished = CompletionRepository(session, principal.tenant_id).add_quest(
        QuestCompletion(
            id=new_id(),
            quest_id=quest.id,
            member_id=member.id,
            reward_points=quest.reward_points if entry is not None else None,
            entry_id=entry.id if entry is not None else None,
            reward_id=grant.reward.id if grant is not None else None,
            coupon_id=coupon.id if coupon is not None else None,
            created_at=now(session),
        )
    )
    emit(
        session,
        principal.tenant_id,
        "quest.completed",
        data.completed(member, quest, tasks, finished, coupon),
        resource_id=lane("mem", member.id),
    )
    return finished, coupon.code if coupon is not None else None
