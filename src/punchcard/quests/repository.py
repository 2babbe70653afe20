"""Quest SQL: quests, their tasks, and who completed what."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Page
from punchcard.models import Quest, QuestCompletion, QuestTask, QuestTaskCompletion


class QuestRepository(TenantRepository[Quest]):
    model = Quest

    def list_page(self, page: Page, *, status: str | None = None) -> tuple[list[Quest], int]:
        stmt = self.scoped()
        if status is not None:
            stmt = stmt.where(Quest.status == status)
        return self.page(stmt, page, Quest.created_at, Quest.id)

    def tasks_of(self, quest_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[QuestTask]]:
        """Each quest's tasks in position order, for any number of quests in one query."""
        wanted = list(dict.fromkeys(quest_ids))
        out: dict[uuid.UUID, list[QuestTask]] = {q: [] for q in wanted}
        if not wanted:
            return out
        stmt = (
            self.scoped(select(QuestTask), QuestTask)
            .where(QuestTask.quest_id.in_(wanted))
            .order_by(QuestTask.quest_id, QuestTask.position)
        )
        for task in self.session.scalars(stmt):
            out[task.quest_id].append(task)
        return out


class TaskRepository(TenantRepository[QuestTask]):
    model = QuestTask


class CompletionRepository(TenantRepository[QuestTaskCompletion]):
    model = QuestTaskCompletion

    def of_task(self, task_id: uuid.UUID, member_id: uuid.UUID) -> QuestTaskCompletion | None:
        stmt = self.scoped().where(
            QuestTaskCompletion.task_id == task_id, QuestTaskCompletion.member_id == member_id
        )
        return self.session.scalars(stmt).first()

    def count(self, quest_id: uuid.UUID, member_id: uuid.UUID) -> int:
        """Tasks of ``quest_id`` the member has completed."""
        stmt = self.scoped(
            select(func.count()).select_from(QuestTaskCompletion), QuestTaskCompletion
        ).where(
            QuestTaskCompletion.quest_id == quest_id, QuestTaskCompletion.member_id == member_id
        )
        return int(self.session.scalar(stmt) or 0)

    def done_by(self, member_id: uuid.UUID, quest_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """The tasks of ``quest_ids`` the member has completed (one query)."""
        wanted = list(dict.fromkeys(quest_ids))
        if not wanted:
            return set()
        stmt = self.scoped(select(QuestTaskCompletion.task_id), QuestTaskCompletion).where(
            QuestTaskCompletion.member_id == member_id,
            QuestTaskCompletion.quest_id.in_(wanted),
        )
        return set(self.session.scalars(stmt))

    def add_quest(self, obj: QuestCompletion) -> QuestCompletion:
        obj.tenant_id = self.tenant_id
        self.session.add(obj)
        self.session.flush()
        return obj
