"""Quest wire models: the bodies of ``/quests`` and ``/quests/{id}/complete`` and the
renderings of quests (``qst_``), their tasks (``qtk_``) and completions (``qcp_``).
The advocate face (``/api/v1``) takes the same create body, so both faces name a
bad field alike."""

from __future__ import annotations

from pydantic import Field, StrictInt

from punchcard.api.common import ids
from punchcard.errors import ValidationFailed
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import Quest, QuestTask, QuestTaskCompletion
from punchcard.quests.schemas import (
    MAX_REWARD_POINTS,
    MAX_TASK_POINTS,
    MAX_TASKS,
    NewQuest,
    NewTask,
    QuestStatus,
)
from punchcard.quests.views import QuestView

QUEST, TASK, COMPLETION = "qst", "qtk", "qcp"


class TaskCreate(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    points: StrictInt = Field(ge=0, le=MAX_TASK_POINTS, description="Awarded on completion")


class QuestRewardCreate(InputSchema):
    """Exactly one of: ``points`` (credited through the ledger) or ``rewardId`` (a
    reward handed out without charging points: one of its stock and one of its codes)."""

    points: StrictInt | None = Field(default=None, ge=1, le=MAX_REWARD_POINTS)
    reward_id: str | None = Field(default=None, description="rwd_… or the reward's key")


class QuestCreate(InputSchema):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    status: QuestStatus = QuestStatus.active
    tasks: list[TaskCreate] = Field(min_length=1, max_length=MAX_TASKS)
    reward: QuestRewardCreate | None = None


def new_quest(body: QuestCreate) -> NewQuest:
    """The core's input from the wire body."""
    reward = body.reward
    if reward is not None and (reward.points is None) == (reward.reward_id is None):
        raise ValidationFailed("reward: give either points or rewardId", field="reward")
    return NewQuest(
        title=body.title,
        description=body.description,
        status=body.status,
        tasks=tuple(
            NewTask(title=t.title, description=t.description, points=t.points) for t in body.tasks
        ),
        reward_points=reward.points if reward is not None else None,
        reward_id=(
            ids.ref("rwd", reward.reward_id)
            if reward is not None and reward.reward_id is not None
            else None
        ),
    )


class QuestComplete(InputSchema):
    member_id: str = Field(min_length=1)
    task_id: str = Field(min_length=1)


class TaskRead(Schema):
    id: str
    title: str
    description: str | None
    points: int
    position: int

    @classmethod
    def of(cls, t: QuestTask) -> TaskRead:
        return cls(
            id=ids.render(TASK, t.id),
            title=t.title,
            description=t.description,
            points=t.points,
            position=t.position,
        )


class QuestRewardRead(Schema):
    points: int | None = None
    reward_id: str | None = None

    @classmethod
    def of(cls, q: Quest) -> QuestRewardRead | None:
        if q.reward_points is not None:
            return cls(points=q.reward_points)
        if q.reward_id is not None:
            return cls(reward_id=ids.render("rwd", q.reward_id))
        return None


class QuestRead(Schema):
    id: str
    title: str
    description: str | None
    status: QuestStatus
    reward: QuestRewardRead | None
    total_points: int
    tasks: list[TaskRead]
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, v: QuestView) -> QuestRead:
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


class QuestList(Schema):
    quests: list[QuestRead]
    total: int
    limit: int
    offset: int


class CompletionRead(Schema):
    id: str
    quest_id: str
    task_id: str
    member_id: str
    points: int
    completed_at: UtcTime

    @classmethod
    def of(cls, c: QuestTaskCompletion) -> CompletionRead:
        return cls(
            id=ids.render(COMPLETION, c.id),
            quest_id=ids.render(QUEST, c.quest_id),
            task_id=ids.render(TASK, c.task_id),
            member_id=ids.render("mem", c.member_id),
            points=c.points,
            completed_at=c.created_at,
        )


class QuestCompleted(Schema):
    """``created``: false for a repeat (nothing changed, ``pointsAwarded`` 0).
    ``questCompleted``: this completion finished the quest and granted its reward
    (``couponCode``: the code handed out with a reward that has a pool)."""

    completion: CompletionRead
    points_awarded: int
    balance: int
    created: bool
    quest_completed: bool
    coupon_code: str | None
