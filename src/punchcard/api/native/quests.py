"""Quests (native extension, SPEC §3 "quests (+ complete)"): campaigns of tasks worth
points, each completed once per member, with an optional reward for doing them all.
Scope ``community``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from punchcard.api.common import ids
from punchcard.api.common.auth import read_bearer, require
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.quests import (
    QUEST,
    TASK,
    CompletionRead,
    QuestComplete,
    QuestCompleted,
    QuestCreate,
    QuestList,
    QuestRead,
    new_quest,
)
from punchcard.identity.principal import Principal
from punchcard.quests import service as quests
from punchcard.quests.schemas import QuestStatus

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Quests"])

# As ``api.common.auth.scoped`` makes them (spelled out here so mypy sees the alias).
CommunityRead = Annotated[Principal, Depends(require("community:read", read_bearer))]
CommunityWrite = Annotated[Principal, Depends(require("community:write", read_bearer))]


@router.get("/quests", response_model=QuestList)
def list_quests(
    p: CommunityRead,
    session: DbSession,
    page: PageParams,
    status: Annotated[QuestStatus | None, Query()] = None,
) -> QuestList:
    """List quests with their tasks, oldest first."""
    rows, total = quests.list_quests(session, p, page=page, status=status)
    return QuestList(
        quests=[QuestRead.of(v) for v in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post("/quests", response_model=QuestRead, status_code=201)
def create_quest(p: CommunityWrite, session: DbSession, body: QuestCreate) -> QuestRead:
    """Create a quest with its tasks and optional reward."""
    return QuestRead.of(quests.create(session, p, data=new_quest(body)))


@router.get("/quests/{id}", response_model=QuestRead)
def get_quest(p: CommunityRead, session: DbSession, id: str) -> QuestRead:
    """Get a quest with its tasks."""
    return QuestRead.of(quests.read(session, p, quest_id=ids.parse(QUEST, id)))


@router.post("/quests/{id}/complete", response_model=QuestCompleted, status_code=201)
def complete_task(
    p: CommunityWrite, session: DbSession, id: str, body: QuestComplete, response: Response
) -> QuestCompleted:
    """Complete a task for a member (once: a repeat answers 200 with 0 points)."""
    done = quests.complete(
        session,
        p,
        quest_id=ids.parse(QUEST, id),
        task_id=ids.parse(TASK, body.task_id),
        member_id=ids.parse("mem", body.member_id),
    )
    if not done.created:
        response.status_code = 200
    return QuestCompleted(
        completion=CompletionRead.of(done.completion),
        points_awarded=done.points_awarded,
        balance=done.member.points_balance,
        created=done.created,
        quest_completed=done.quest_completion is not None,
        coupon_code=done.coupon_code,
    )
