"""Feedback boards (native extension): ``/feedback/boards``, ``/feedback/ideas``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from punchcard.api.common import ids
from punchcard.api.common.auth import CommunityRead, CommunityWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.advocacy import (
    BOARD,
    IDEA,
    BoardCreate,
    BoardList,
    BoardRead,
    IdeaCreate,
    IdeaList,
    IdeaRead,
    IdeaUpdate,
    VoteCreate,
    VoteRead,
)
from punchcard.feedback import service
from punchcard.feedback.schemas import IdeaSort, IdeaStatus

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Feedback"])


@router.post("/feedback/boards", response_model=BoardRead, status_code=201)
def create_board(p: CommunityWrite, session: DbSession, body: BoardCreate) -> BoardRead:
    """Create a feedback board."""
    return BoardRead.of(
        service.create_board(session, p, name=body.name, description=body.description)
    )


@router.get("/feedback/boards", response_model=BoardList)
def list_boards(p: CommunityRead, session: DbSession, page: PageParams) -> BoardList:
    """Feedback boards, oldest first, each with its number of ideas."""
    rows, total = service.list_boards(session, p, page=page)
    return BoardList(
        boards=[BoardRead.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/feedback/boards/{id}", response_model=BoardRead)
def get_board(p: CommunityRead, session: DbSession, id: str) -> BoardRead:
    """One board (404: not found)."""
    return BoardRead.of(service.get_board(session, p, board_id=ids.parse(BOARD, id)))


@router.post("/feedback/boards/{id}/ideas", response_model=IdeaRead, status_code=201)
def post_idea(p: CommunityWrite, session: DbSession, id: str, body: IdeaCreate) -> IdeaRead:
    """Post a member's idea on the board, `open` with no votes (unknown board or
    `memberId` → 404)."""
    view = service.post_idea(
        session,
        p,
        board_id=ids.parse(BOARD, id),
        member_id=ids.parse("mem", body.member_id),
        title=body.title,
        body=body.body,
    )
    return IdeaRead.of(view)


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
    """The board's ideas, filtered by `status`, sorted by `votes` or `newest`."""
    rows, total = service.list_ideas(
        session, p, board_id=ids.parse(BOARD, id), page=page, status=status, sort=sort
    )
    return IdeaList(
        ideas=[IdeaRead.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/feedback/ideas/{id}", response_model=IdeaRead)
def get_idea(p: CommunityRead, session: DbSession, id: str) -> IdeaRead:
    """One idea (404: not found)."""
    return IdeaRead.of(service.get_idea(session, p, idea_id=ids.parse(IDEA, id)))


@router.patch("/feedback/ideas/{id}", response_model=IdeaRead)
def update_idea(p: CommunityWrite, session: DbSession, id: str, body: IdeaUpdate) -> IdeaRead:
    """Move the idea to another status (`open`, `planned`, `in_progress`, `done`,
    `declined`; any to any)."""
    return IdeaRead.of(
        service.set_status(session, p, idea_id=ids.parse(IDEA, id), status=body.status)
    )


@router.post(
    "/feedback/ideas/{id}/votes",
    response_model=VoteRead,
    status_code=201,
    responses={200: {"model": VoteRead, "description": "The member had already voted: no change"}},
)
def vote(
    p: CommunityWrite, session: DbSession, id: str, body: VoteCreate, response: Response
) -> VoteRead:
    """A member's vote for the idea: 201 when cast, 200 when the member had already
    voted (nothing changes: one vote per member per idea, concurrent votes too)."""
    cast = service.vote(
        session, p, idea_id=ids.parse(IDEA, id), member_id=ids.parse("mem", body.member_id)
    )
    if not cast.created:
        response.status_code = 200
    return VoteRead.of(cast.vote)


@router.delete("/feedback/ideas/{id}/votes/{memberId}", response_model=IdeaRead)
def unvote(p: CommunityWrite, session: DbSession, id: str, memberId: str) -> IdeaRead:
    """Withdraw the member's vote; the idea after (no vote to withdraw: no change)."""
    view = service.unvote(
        session, p, idea_id=ids.parse(IDEA, id), member_id=ids.parse("mem", memberId)
    )
    return IdeaRead.of(view)
