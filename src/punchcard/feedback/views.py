"""The feedback read model: boards (with their idea counts), ideas and votes as every
face renders them. A page is two statements whatever its size (the rows, with any
count joined in, and the total), read as plain rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from punchcard.feedback.repository import BoardRepository, IdeaRepository
from punchcard.feedback.schemas import IdeaSort
from punchcard.kit.paging import Page
from punchcard.models import FeedbackBoard, Idea, IdeaVote

BOARD_COLUMNS = (
    FeedbackBoard.id,
    FeedbackBoard.name,
    FeedbackBoard.description,
    FeedbackBoard.created_at,
    FeedbackBoard.updated_at,
)
IDEA_COLUMNS = (
    Idea.id,
    Idea.board_id,
    Idea.member_id,
    Idea.title,
    Idea.body,
    Idea.status,
    Idea.vote_count,
    Idea.created_at,
    Idea.updated_at,
)


@dataclass(frozen=True)
class BoardView:
    id: uuid.UUID
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    idea_count: int


@dataclass(frozen=True)
class IdeaView:
    id: uuid.UUID
    board_id: uuid.UUID
    member_id: uuid.UUID
    title: str
    body: str | None
    status: str
    vote_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Idea) -> IdeaView:
        return cls(**{c.key: getattr(row, c.key) for c in IDEA_COLUMNS})


@dataclass(frozen=True)
class VoteView:
    id: uuid.UUID
    idea_id: uuid.UUID
    member_id: uuid.UUID
    created_at: datetime
    vote_count: int  # the idea's votes after this one

    @classmethod
    def of(cls, vote: IdeaVote, vote_count: int) -> VoteView:
        return cls(vote.id, vote.idea_id, vote.member_id, vote.created_at, vote_count)


def _ideas_per_board(tenant_id: uuid.UUID) -> Any:
    return (
        select(Idea.board_id, func.count(Idea.id).label("ideas"))
        .where(Idea.tenant_id == tenant_id)
        .group_by(Idea.board_id)
        .subquery()
    )


def _boards(session: Session, tenant_id: uuid.UUID) -> Select[Any]:
    counts = _ideas_per_board(tenant_id)
    return BoardRepository(session, tenant_id).scoped(
        select(*BOARD_COLUMNS, func.coalesce(counts.c.ideas, 0).label("idea_count"))
        .select_from(FeedbackBoard)
        .outerjoin(counts, counts.c.board_id == FeedbackBoard.id)
    )


def board(session: Session, tenant_id: uuid.UUID, board_id: uuid.UUID) -> BoardView | None:
    row = session.execute(_boards(session, tenant_id).where(FeedbackBoard.id == board_id)).first()
    return BoardView(**row._mapping) if row is not None else None


def boards(session: Session, tenant_id: uuid.UUID, page: Page) -> tuple[list[BoardView], int]:
    """A page of boards, oldest first (a merchant's boards read as they made them)."""
    repo = BoardRepository(session, tenant_id)
    total = session.scalar(repo.scoped(select(func.count(FeedbackBoard.id))))
    stmt = (
        _boards(session, tenant_id)
        .order_by(FeedbackBoard.created_at, FeedbackBoard.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    return [BoardView(**r._mapping) for r in session.execute(stmt)], int(total or 0)


def ideas(
    session: Session,
    tenant_id: uuid.UUID,
    board_id: uuid.UUID,
    page: Page,
    *,
    status: str | None = None,
    sort: IdeaSort = IdeaSort.votes,
) -> tuple[list[IdeaView], int]:
    """A page of a board's ideas: most votes first (``votes``, ties newest first) or
    newest first (``newest``)."""
    repo = IdeaRepository(session, tenant_id)

    def filtered(stmt: Select[Any]) -> Select[Any]:
        stmt = repo.scoped(stmt).where(Idea.board_id == board_id)
        return stmt if status is None else stmt.where(Idea.status == status)

    total = session.scalar(filtered(select(func.count(Idea.id))))
    newest = (Idea.created_at.desc(), Idea.id.desc())
    order = (Idea.vote_count.desc(), *newest) if sort is IdeaSort.votes else newest
    stmt = filtered(select(*IDEA_COLUMNS)).order_by(*order).limit(page.limit).offset(page.offset)
    return [IdeaView(**r._mapping) for r in session.execute(stmt)], int(total or 0)
