"""The document's Quests group: ``/quests``, ``/quests/:id``, ``/quests/:id/complete``.

A quest is the core's (``punchcard.quests``); its ids are the native face's (``qst_…``,
tasks ``qtk_…``), and the create body is the native one (``title, description,
tasks: [{title, points, description?}], reward: {points} | {rewardId}``, plus an
optional ``status``). The document's ``{quest}`` carries its tasks too, so the answer
to a create names the task ids a completion needs. A repeat completion answers 200 with
the existing completion and ``pointsAwarded: 0``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from punchcard.api.advocate.auth import CommunityRead, CommunityWrite
from punchcard.api.advocate.paging import PageParams
from punchcard.api.common import ids
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.common.wire import Wire
from punchcard.api.native.schemas.quests import (
    COMPLETION,
    QUEST,
    TASK,
    QuestCreate,
    QuestRewardRead,
    TaskRead,
    new_quest,
)
from punchcard.kit.schema import InputSchema
from punchcard.models import QuestTaskCompletion
from punchcard.quests import service as quests
from punchcard.quests.schemas import QuestStatus
from punchcard.quests.views import QuestView

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Quests"])


class QuestOut(Wire):
    id: str
    title: str
    description: str | None
    status: QuestStatus
    reward: QuestRewardRead | None
    total_points: int
    tasks: list[TaskRead]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, v: QuestView) -> QuestOut:
        q = v.quest
        return cls(
            id=ids.render(QUEST, q.id),
            title=q.title,
            description=q.description,
            status=QuestStatus(q.status),
            reward=QuestRewardRead.of(q),
            total_points=v.total_points,
            tasks=[TaskRead.of(t) for t in v.tasks],
            created_at=q.created_at,
            updated_at=q.updated_at,
        )


class QuestsPage(Wire):
    quests: list[QuestOut]


class QuestOne(Wire):
    quest: QuestOut


class QuestWithTasks(Wire):
    quest: QuestOut
    tasks: list[TaskRead]


class QuestCompleteBody(InputSchema):
    advocate_id: str = Field(min_length=1)
    task_id: str = Field(min_length=1)


class Completion(Wire):
    id: str
    quest_id: str
    task_id: str
    advocate_id: str
    points: int
    quest_completed: bool
    completed_at: datetime

    @classmethod
    def of(cls, c: QuestTaskCompletion, *, quest_completed: bool) -> Completion:
        return cls(
            id=ids.render(COMPLETION, c.id),
            quest_id=ids.render(QUEST, c.quest_id),
            task_id=ids.render(TASK, c.task_id),
            advocate_id=ids.render("mem", c.member_id),
            points=c.points,
            quest_completed=quest_completed,
            completed_at=c.created_at,
        )


class CompletionDone(Wire):
    completion: Completion
    points_awarded: int


@router.get("/quests", response_model=QuestsPage)
def list_quests(
    p: CommunityRead,
    session: DbSession,
    page: PageParams,
    status: Annotated[QuestStatus | None, Query(description="active, draft or archived")] = None,
) -> QuestsPage:
    """List all quests."""
    rows, _ = quests.list_quests(session, p, page=page, status=status)
    return QuestsPage(quests=[QuestOut.of(v) for v in rows])


@router.get("/quests/{id}", response_model=QuestWithTasks)
def get_quest(p: CommunityRead, session: DbSession, id: str) -> QuestWithTasks:
    """Get quest with tasks (404: not found)."""
    view = quests.read(session, p, quest_id=ids.parse(QUEST, id))
    quest = QuestOut.of(view)
    return QuestWithTasks(quest=quest, tasks=quest.tasks)


@router.post("/quests", response_model=QuestOne, status_code=201)
def create_quest(p: CommunityWrite, session: DbSession, body: QuestCreate) -> QuestOne:
    """Create a new quest (400: validation error)."""
    return QuestOne(quest=QuestOut.of(quests.create(session, p, data=new_quest(body))))


@router.post("/quests/{id}/complete", response_model=CompletionDone)
def complete_task(
    p: CommunityWrite, session: DbSession, id: str, body: QuestCompleteBody
) -> CompletionDone:
    """Mark a task as complete for an advocate (once; a repeat awards 0 points)."""
    done = quests.complete(
        session,
        p,
        quest_id=ids.parse(QUEST, id),
        task_id=ids.parse(TASK, body.task_id),
        member_id=ids.parse("mem", body.advocate_id),
        member_field="advocateId",
    )
    completion = Completion.of(done.completion, quest_completed=done.quest_completion is not None)
    return CompletionDone(completion=completion, points_awarded=done.points_awarded)
