"""Feedback board use cases: boards, ideas, their status, votes.

One vote per member per idea. A second vote by the same member changes nothing and
answers the vote already cast (``created`` False); concurrent votes by one member
write one row (the unique key, inserted with ``ON CONFLICT DO NOTHING``) and move the
idea's ``vote_count`` once, in the vote's transaction (a single ``UPDATE … SET
vote_count = vote_count + 1``, so concurrent votes by different members all count).
Withdrawing a vote is the reverse, and withdrawing one never cast changes nothing.
An idea's status may move between any of the five (the merchant's roadmap).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import NotFound, ValidationFailed
from punchcard.feedback import views
from punchcard.feedback.repository import BoardRepository, IdeaRepository, VoteRepository
from punchcard.feedback.schemas import MAX_NAME, MAX_TEXT, MAX_TITLE, IdeaSort, IdeaStatus
from punchcard.feedback.views import BoardView, IdeaView, VoteView
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.members import service as members
from punchcard.models import FeedbackBoard, Idea


@dataclass(frozen=True)
class Vote:
    vote: VoteView
    created: bool


def _text(value: str | None, *, field: str, limit: int, required: bool) -> str | None:
    value = value.strip() if value is not None else None
    if not value:
        if required:
            raise ValidationFailed(f"{field} must not be empty", field=field)
        return None
    if len(value) > limit:
        raise ValidationFailed(f"{field} is at most {limit} characters", field=field)
    return value


# Boards -----------------------------------------------------------------------------


def create_board(
    session: Session, principal: Principal, *, name: str, description: str | None = None
) -> BoardView:
    at = now(session)
    row = BoardRepository(session, principal.tenant_id).add(
        FeedbackBoard(
            id=new_id(),
            name=_text(name, field="name", limit=MAX_NAME, required=True),
            description=_text(description, field="description", limit=MAX_TEXT, required=False),
            created_at=at,
            updated_at=at,
        )
    )
    return BoardView(row.id, row.name, row.description, row.created_at, row.updated_at, 0)


def get_board(session: Session, principal: Principal, *, board_id: uuid.UUID) -> BoardView:
    found = views.board(session, principal.tenant_id, board_id)
    if found is None:
        raise NotFound("Board not found", field="id")
    return found


def _board_exists(session: Session, principal: Principal, board_id: uuid.UUID) -> None:
    if BoardRepository(session, principal.tenant_id).get(board_id) is None:
        raise NotFound("Board not found", field="id")


def list_boards(
    session: Session, principal: Principal, *, page: Page
) -> tuple[list[BoardView], int]:
    return views.boards(session, principal.tenant_id, page)


# Ideas ------------------------------------------------------------------------------


def post_idea(
    session: Session,
    principal: Principal,
    *,
    board_id: uuid.UUID,
    member_id: uuid.UUID,
    title: str,
    body: str | None = None,
) -> IdeaView:
    """A new idea on the board, ``open``, with no votes."""
    _board_exists(session, principal, board_id)
    member = members.get(session, principal, member_id=member_id, field="memberId")
    at = now(session)
    row = IdeaRepository(session, principal.tenant_id).add(
        Idea(
            id=new_id(),
            board_id=board_id,
            member_id=member.id,
            title=_text(title, field="title", limit=MAX_TITLE, required=True),
            body=_text(body, field="body", limit=MAX_TEXT, required=False),
            status=IdeaStatus.open.value,
            vote_count=0,
            created_at=at,
            updated_at=at,
        )
    )
    return IdeaView.of(row)


def list_ideas(
    session: Session,
    principal: Principal,
    *,
    board_id: uuid.UUID,
    page: Page,
    status: IdeaStatus | None = None,
    sort: IdeaSort = IdeaSort.votes,
) -> tuple[list[IdeaView], int]:
    """A page of the board's ideas (an unknown board is NotFound, not an empty page)."""
    _board_exists(session, principal, board_id)
    return views.ideas(
        session,
        principal.tenant_id,
        board_id,
        page,
        status=status.value if status is not None else None,
        sort=sort,
    )


def _idea(
    session: Session, principal: Principal, idea_id: uuid.UUID, *, lock: bool = False
) -> Idea:
    row = IdeaRepository(session, principal.tenant_id).get(idea_id, lock=lock)
    if row is None:
        raise NotFound("Idea not found", field="id")
    return row


def get_idea(session: Session, principal: Principal, *, idea_id: uuid.UUID) -> IdeaView:
    return IdeaView.of(_idea(session, principal, idea_id))


def set_status(
    session: Session, principal: Principal, *, idea_id: uuid.UUID, status: IdeaStatus
) -> IdeaView:
    """Move the idea to ``status`` (any of the five; the same one changes nothing)."""
    row = _idea(session, principal, idea_id, lock=True)
    if row.status != status.value:
        row.status = status.value
        row.updated_at = now(session)
        session.flush()
    return IdeaView.of(row)


# Votes ------------------------------------------------------------------------------


def vote(
    session: Session, principal: Principal, *, idea_id: uuid.UUID, member_id: uuid.UUID
) -> Vote:
    """The member's vote for the idea: cast now (``created``) or the one already cast."""
    idea = _idea(session, principal, idea_id)
    member = members.get(session, principal, member_id=member_id, field="memberId")
    votes = VoteRepository(session, principal.tenant_id)
    ideas = IdeaRepository(session, principal.tenant_id)
    new = votes.insert_once(idea.id, member.id, now(session))
    count = ideas.add_votes(idea.id, 1) if new is not None else None
    found = votes.find(idea.id, member.id)
    if found is None:  # pragma: no cover - inserted or already there, in this transaction
        raise NotFound("Vote not found", field="memberId")
    if count is None:
        session.refresh(idea, ["vote_count"])
        count = idea.vote_count
    else:
        session.expire(idea, ["vote_count"])
    return Vote(VoteView.of(found, count), created=new is not None)


def voted(
    session: Session, principal: Principal, *, member_id: uuid.UUID, idea_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of ``idea_ids`` the member has voted for (a page shows its vote buttons)."""
    member = members.get(session, principal, member_id=member_id, field="memberId")
    return VoteRepository(session, principal.tenant_id).voted(member.id, idea_ids)


def unvote(
    session: Session, principal: Principal, *, idea_id: uuid.UUID, member_id: uuid.UUID
) -> IdeaView:
    """Withdraw the member's vote (none cast: nothing changes); the idea after."""
    idea = _idea(session, principal, idea_id)
    member = members.get(session, principal, member_id=member_id, field="memberId")
    if VoteRepository(session, principal.tenant_id).remove(idea.id, member.id):
        IdeaRepository(session, principal.tenant_id).add_votes(idea.id, -1)
    session.refresh(idea, ["vote_count"])
    return IdeaView.of(idea)
