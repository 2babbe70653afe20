"""Feedback SQL: boards, ideas, votes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from punchcard.db.repository import TenantRepository
from punchcard.db.uow import dialect
from punchcard.kit.ids import new_id
from punchcard.models import FeedbackBoard, Idea, IdeaVote


class BoardRepository(TenantRepository[FeedbackBoard]):
    model = FeedbackBoard


class IdeaRepository(TenantRepository[Idea]):
    model = Idea

    def add_votes(self, idea_id: uuid.UUID, delta: int) -> int:
        """Move the idea's cached count by ``delta`` in one statement; the new count."""
        stmt = (
            update(Idea)
            .where(Idea.tenant_id == self.tenant_id, Idea.id == idea_id)
            .values(vote_count=Idea.vote_count + delta)
            .returning(Idea.vote_count)
        )
        return int(self.session.execute(stmt).scalar_one())


class VoteRepository(TenantRepository[IdeaVote]):
    model = IdeaVote

    def insert_once(
        self, idea_id: uuid.UUID, member_id: uuid.UUID, at: datetime
    ) -> uuid.UUID | None:
        """Insert the member's vote unless one exists: the new vote's id, or None.

        ``INSERT … ON CONFLICT DO NOTHING`` on the unique (tenant, idea, member): of
        concurrent inserts exactly one writes a row (on PostgreSQL the others wait for
        it and then do nothing; SQLite runs writers one at a time), and none raises."""
        insert = postgresql.insert if dialect(self.session) == "postgresql" else sqlite.insert
        stmt = (
            insert(IdeaVote)
            .values(
                tenant_id=self.tenant_id,
                id=new_id(),
                idea_id=idea_id,
                member_id=member_id,
                created_at=at,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "idea_id", "member_id"])
            .returning(IdeaVote.id)
        )
        return self.session.execute(stmt).scalar_one_or_none()

    def find(self, idea_id: uuid.UUID, member_id: uuid.UUID) -> IdeaVote | None:
        stmt = self.scoped().where(IdeaVote.idea_id == idea_id, IdeaVote.member_id == member_id)
        return self.session.scalars(stmt).first()

    def voted(self, member_id: uuid.UUID, idea_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Which of ``idea_ids`` the member has voted for (one query)."""
        if not idea_ids:
            return set()
        stmt = self.scoped(select(IdeaVote.idea_id), IdeaVote).where(
            IdeaVote.member_id == member_id, IdeaVote.idea_id.in_(idea_ids)
        )
        return set(self.session.scalars(stmt))

    def remove(self, idea_id: uuid.UUID, member_id: uuid.UUID) -> bool:
        """Delete the member's vote; whether there was one."""
        stmt = (
            delete(IdeaVote)
            .where(
                IdeaVote.tenant_id == self.tenant_id,
                IdeaVote.idea_id == idea_id,
                IdeaVote.member_id == member_id,
            )
            .returning(IdeaVote.id)
        )
        return self.session.execute(stmt).first() is not None
