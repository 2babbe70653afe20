"""The document's Advocates group: ``/advocates``, ``/advocates/:id``,
``/advocates/:id/points``. An advocate is a member."""

from __future__ import annotations

from fastapi import APIRouter

from punchcard.api.advocate.auth import MembersRead
from punchcard.api.advocate.schemas import Advocate, AdvocateOne
from punchcard.api.common import ids
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.members import service as members

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Advocates"])


@router.get("/advocates/{id}", response_model=AdvocateOne)
def get_advocate(p: MembersRead, session: DbSession, id: str) -> AdvocateOne:
    """Get a single advocate by id (404: not found)."""
    row = members.read_row(session, p, member_id=ids.parse("mem", id))
    return AdvocateOne(advocate=Advocate.of_row(row))
