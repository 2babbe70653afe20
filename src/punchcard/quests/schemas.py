"""Quest vocabulary and the inputs the core takes.

The faces' wire models live in ``punchcard.api.native.schemas.quests`` and
``punchcard.api.advocate.quests``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

MAX_TASKS = 50
MAX_TASK_POINTS = 10**9
MAX_REWARD_POINTS = 10**9


class QuestStatus(StrEnum):
    """``active``: tasks can be completed; ``draft``: being prepared, not yet;
    ``archived``: over, no longer. Only an active quest takes completions."""

    active = "active"
    draft = "draft"
    archived = "archived"


@dataclass(frozen=True)
class NewTask:
    title: str
    points: int
    description: str | None = None


@dataclass(frozen=True)
class NewQuest:
    """A quest to create: its tasks in order (their positions are their indexes), and
    at most one reward for doing them all: ``reward_points`` or ``reward_id``."""

    title: str
    tasks: tuple[NewTask, ...]
    description: str | None = None
    status: QuestStatus = QuestStatus.active
    reward_points: int | None = None
    reward_id: uuid.UUID | str | None = None
