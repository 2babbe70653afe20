"""Members: ``/members``, ``/members/batch``, ``/members/{id}``.

Points, tier, coupons and receipts of a member live in ``member_points``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from punchcard.api.common import ids, inputs
from punchcard.api.common.auth import MembersRead, MembersWrite
from punchcard.api.common.guards import BULK_BODY
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute, on_loop
from punchcard.api.native.schemas.members import (
    BatchError,
    BatchRow,
    MemberBatch,
    MemberBatchResult,
    MemberCreate,
    MemberList,
    MemberRead,
    MemberUpdate,
)
from punchcard.identity.principal import Principal
from punchcard.members import batch, service
from punchcard.members.schemas import BatchStatus, MemberStatus

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Members"])


@router.get("/members", response_model=MemberList)
def list_members(
    p: MembersRead,
    session: DbSession,
    page: PageParams,
    status: Annotated[MemberStatus | None, Query()] = None,
    email: Annotated[str | None, Query(description="Exact, case-insensitive")] = None,
    phone: Annotated[
        str | None, Query(description="The same number however written (compared in E.164)")
    ] = None,
    external_id: Annotated[str | None, Query(alias="externalId")] = None,
    tier: Annotated[str | None, Query(description="Tier id (`tier_…`) or name")] = None,
    tag: Annotated[str | None, Query(description="Tag key")] = None,
    q: Annotated[
        str | None, Query(description="Substring of email, name, phone, externalId")
    ] = None,
) -> MemberList:
    """List members, or look one up by email, phone or externalId."""
    rows, total = service.list_members(
        session, p, page=page, status=status.value if status else None, email=email,
        phone=phone, external_id=external_id, tier=ids.ref("tier", tier.strip()) if tier else None,
        tag=tag, q=q,
    )  # fmt: skip
    return MemberList(
        members=[MemberRead.of_profile(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/members", response_model=MemberRead, status_code=201)
def create_member(p: MembersWrite, session: DbSession, body: MemberCreate) -> MemberRead:
    """Enrol a member; 409 DUPLICATE_MEMBER if an identity is taken."""
    member = service.enroll(session, p, data=inputs.new_member(body))
    return MemberRead.of_profile(service.profile(session, p, member))


@router.post(
    "/members/batch",
    response_model=MemberBatchResult,
    response_model_exclude_none=True,
    openapi_extra=BULK_BODY,
)
def batch_members(p: MembersWrite, session: DbSession, body: MemberBatch) -> MemberBatchResult:
    """Upsert up to 500 members by externalId, then email; rows fail independently."""
    rows = [
        _batch_row(o)
        for o in batch.upsert_batch(session, p, rows=[inputs.member_row(r) for r in body.members])
    ]
    count = {s: sum(1 for r in rows if r.status == s) for s in BatchStatus}
    return MemberBatchResult(
        results=rows,
        created=count[BatchStatus.created],
        updated=count[BatchStatus.updated],
        failed=count[BatchStatus.error],
    )


async def _get_member_on_loop(p: Principal, session: Session, id: str) -> MemberRead:
    # PostgreSQL: the same read on the event loop, no thread hand-off (routing.on_loop).
    row = await service.read_row_on_loop(session, p, member_id=ids.parse("mem", id))
    return MemberRead.of_row(row)


@router.get("/members/{id}", response_model=MemberRead)
@on_loop(_get_member_on_loop)
def get_member(p: MembersRead, session: DbSession, id: str) -> MemberRead:
    """Get one member."""
    return MemberRead.of_row(service.read_row(session, p, member_id=ids.parse("mem", id)))


@router.patch("/members/{id}", response_model=MemberRead)
def update_member(p: MembersWrite, session: DbSession, id: str, body: MemberUpdate) -> MemberRead:
    """Update a member; absent fields are untouched, null clears."""
    member = service.update(
        session, p, member_id=ids.parse("mem", id), data=inputs.member_changes(body)
    )
    return MemberRead.of_profile(service.profile(session, p, member))


def _batch_row(outcome: batch.BatchOutcome) -> BatchRow:
    exc = outcome.error
    if exc is None:
        return BatchRow(
            index=outcome.index,
            status=outcome.status,
            id=ids.render_optional("mem", outcome.member_id),
        )
    existing = exc.extra.get("existingId")
    error = BatchError(
        code=exc.code,
        message=exc.message,
        field=exc.field,
        existing_id=ids.render("mem", existing) if existing is not None else None,
    )
    return BatchRow(index=outcome.index, status=outcome.status, error=error)
