"""The document's Advocates group: ``/advocates``, ``/advocates/:id``,
``/advocates/:id/points``. An advocate is a member: the same row, services and ids
(``mem_…``) as ``/api/v2/members``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from punchcard.api.advocate.auth import MembersRead, MembersWrite, PointsWrite
from punchcard.api.advocate.paging import PageParams, page_number
from punchcard.api.advocate.schemas import (
    Advocate,
    AdvocateCreate,
    AdvocateList,
    AdvocateOne,
    AdvocateUpdate,
    PointsChange,
    PointsChanged,
    PointsType,
    Transaction,
)
from punchcard.api.common import ids
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.ledger import points
from punchcard.members import service as members
from punchcard.tiers import service as tiers

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Advocates"])


@router.get("/advocates", response_model=AdvocateList)
def list_advocates(
    p: MembersRead,
    session: DbSession,
    page: PageParams,
    search: Annotated[
        str | None, Query(max_length=200, description="Substring of the name or email")
    ] = None,
    tier: Annotated[
        str | None, Query(max_length=100, description="Tier id (`tier_…`) or name")
    ] = None,
) -> AdvocateList:
    """List all advocates with pagination (oldest first)."""
    rows, total = members.list_members(
        session, p, page=page, name_or_email=search,
        tier=ids.ref("tier", tier.strip()) if tier and tier.strip() else None,
    )  # fmt: skip
    return AdvocateList(
        advocates=[Advocate.of_profile(r) for r in rows], total=total, page=page_number(page)
    )


@router.get("/advocates/{id}", response_model=AdvocateOne)
def get_advocate(p: MembersRead, session: DbSession, id: str) -> AdvocateOne:
    """Get a single advocate by id (404: not found)."""
    row = members.read_row(session, p, member_id=ids.parse("mem", id))
    return AdvocateOne(advocate=Advocate.of_row(row))


@router.post("/advocates", response_model=AdvocateOne, status_code=201)
def create_advocate(p: MembersWrite, session: DbSession, body: AdvocateCreate) -> AdvocateOne:
    """Create a new advocate (400 VALIDATION_ERROR naming `email` if it is taken)."""
    first, last = members.split_name(body.name)
    member = members.enroll(
        session,
        p,
        data=members.NewMember(
            email=body.email, first_name=first, last_name=last, metadata=body.metadata
        ),
    )
    return AdvocateOne(advocate=Advocate.of_row(members.read_row(session, p, member_id=member.id)))


@router.patch("/advocates/{id}", response_model=AdvocateOne)
def update_advocate(
    p: MembersWrite, session: DbSession, id: str, body: AdvocateUpdate
) -> AdvocateOne:
    """Update an advocate: name, tier (a tier id or name; null clears it), metadata."""
    member_id = ids.parse("mem", id)
    sent = body.model_fields_set
    if "tier" in sent:  # the native PUT /members/{id}/tier
        ref = ids.ref("tier", body.tier) if body.tier is not None else None
        tiers.set_member_tier(
            session, p, member_id=member_id, tier_id=ref, field="tier", by_name=True
        )
    changes: members.MemberChanges = {}
    if "name" in sent:
        changes["first_name"], changes["last_name"] = members.split_name(body.name)
    if "metadata" in sent:
        changes["metadata"] = body.metadata
    if changes or "tier" not in sent:
        members.update(session, p, member_id=member_id, data=changes)
    return AdvocateOne(advocate=Advocate.of_row(members.read_row(session, p, member_id=member_id)))


@router.post("/advocates/{id}/points", response_model=PointsChanged)
def change_points(p: PointsWrite, session: DbSession, id: str, body: PointsChange) -> PointsChanged:
    """Award or deduct points through the ledger (400 INSUFFICIENT_POINTS: no overdraft)."""
    amount = body.amount if body.type is PointsType.award else -body.amount
    entry = points.change(
        session,
        p,
        member_id=ids.parse("mem", id),
        data=points.PointsChange(amount=amount, description=body.description),
    )
    return PointsChanged(transaction=Transaction.of(entry), new_balance=entry.balance_after)
