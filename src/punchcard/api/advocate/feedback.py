"""The document's Feedback group: ``GET /feedback/boards`` → ``{boards: []}``,
``GET /feedback/boards/:id/ideas`` (``status``, ``sort`` ``votes|newest``, page/limit)
→ ``{ideas: [], total}``, ``PATCH /feedback/ideas/:id {status}`` → ``{idea}``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from punchcard.api.advocate.auth import CommunityRead, CommunityWrite
from punchcard.api.advocate.paging import PageParams
from punchcard.api.common import ids
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.common.wire import Wire, WireInput
from punchcard.api.native.schemas.advocacy import BOARD, IDEA
from punchcard.feedback import service
from punchcard.feedback.schemas import IdeaSort, IdeaStatus
from punchcard.feedback.views import BoardView, IdeaView

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Feedback"])


class Board(Wire):
    id: str
    name: str
    description: str | None
    idea_count: int
    created_at: datetime

    @classmethod
    def of(cls, v: BoardView) -> Board:
        return cls(
            id=ids.render(BOARD, v.id),
            name=v.name,
            description=v.description,
            idea_count=v.idea_count,
            created_at=v.created_at,
        )


class BoardList(Wire):
    boards: list[Board]


class Idea(Wire):
    id: str
    board_id: str
    advocate_id: str
    title: str
    body: str | None
    status: IdeaStatus
    vote_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, v: IdeaView) -> Idea:
        return cls(
            id=ids.render(IDEA, v.id),
            board_id=ids.render(BOARD, v.board_id),
            advocate_id=ids.render("mem", v.member_id),
            title=v.title,
            body=v.body,
            status=IdeaStatus(v.status),
            vote_count=v.vote_count,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class IdeaList(Wire):
    ideas: list[Idea]
    total: int


class IdeaOne(Wire):
    idea: Idea


class IdeaPatch(WireInput):
    status: IdeaStatus


@router.get("/feedback/boards", response_model=BoardList)
def list_boards(p: CommunityRead, session: DbSession, page: PageParams) -> BoardList:
    """List feedback boards, oldest first."""
    rows, _ = service.list_boards(session, p, page=page)
    return BoardList(boards=[Board.of(r) for r in rows])


@router.get("/feedback/boards/{id}/ideas", response_model=IdeaList)
def list_ideas(
    p: CommunityRead,
    session: DbSession,
    id: str,
    page: PageParams,
    status: Annotated[IdeaStatus | None, Query()] = None,
    sort: Annotated[
        IdeaSort, Query(description="`votes` (most first, then newest) or `newest`")
    ] = IdeaSort.votes,
) -> IdeaList:
    """List ideas in a board (404: no such board)."""
    rows, total = service.list_ideas(
        session, p, board_id=ids.parse(BOARD, id), page=page, status=status, sort=sort
    )
    return IdeaList(ideas=[Idea.of(r) for r in rows], total=total)


@router.patch("/feedback/ideas/{id}", response_model=IdeaOne)
def update_idea(p: CommunityWrite, session: DbSession, id: str, body: IdeaPatch) -> IdeaOne:
    """Update an idea's status (404: not found)."""
    view = service.set_status(session, p, idea_id=ids.parse(IDEA, id), status=body.status)
    return IdeaOne(idea=Idea.of(view))
