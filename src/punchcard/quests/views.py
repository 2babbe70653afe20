"""Quests as faces show them: the quest with its tasks in order, for a whole page in
one query whatever its size (the read model of every quest list)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from punchcard.identity.principal import Principal
from punchcard.models import Quest, QuestTask
from punchcard.quests.repository import QuestRepository


@dataclass(frozen=True)
class QuestView:
    quest: Quest
    tasks: list[QuestTask]  # in position order

    @property
    def total_points(self) -> int:
        """What the tasks are worth together (the quest's points reward not included)."""
        return sum(t.points for t in self.tasks)


def views_of(session: Session, principal: Principal, quests: Sequence[Quest]) -> list[QuestView]:
    tasks = QuestRepository(session, principal.tenant_id).tasks_of(q.id for q in quests)
    return [QuestView(q, tasks[q.id]) for q in quests]
