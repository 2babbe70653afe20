"""Captures: ``/captures`` and store check-ins, ``/members/{id}/checkins``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from punchcard.api.common import ids
from punchcard.api.common.auth import CapturesRead, CapturesWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.captures import CaptureList, CaptureRead, CheckinCreate
from punchcard.errors import ValidationFailed
from punchcard.members import captures as service
from punchcard.members.schemas import CaptureSource

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Captures"])

_TIME = "ISO-8601 date (a whole day in the tenant's timezone) or date-time (UTC if no offset)"


@router.get("/captures", response_model=CaptureList)
def list_captures(
    p: CapturesRead,
    session: DbSession,
    page: PageParams,
    member_id: Annotated[str | None, Query(alias="memberId")] = None,
    store_id: Annotated[str | None, Query(alias="storeId", description="Id or code")] = None,
    source: Annotated[CaptureSource | None, Query()] = None,
    start: Annotated[str | None, Query(alias="from", description=_TIME)] = None,
    end: Annotated[str | None, Query(alias="to", description=_TIME + "; inclusive")] = None,
) -> CaptureList:
    """List capture records (enrolments and store check-ins)."""
    member = ids.parse_filter(
        "mem", member_id.strip() if member_id else None,
        field="memberId", message="memberId must be a member id (mem_…)",
    )  # fmt: skip
    if store_id is not None and "\x00" in store_id:
        raise ValidationFailed("storeId must not contain NUL characters", field="storeId")
    store = ids.ref("st", store_id.strip()) if store_id and store_id.strip() else None
    rows, total = service.list_captures(
        session, p, page=page, member_id=member, store_ref=store,
        source=source.value if source else None, start=start, end=end,
    )  # fmt: skip
    captures = [CaptureRead.of(c) for c in rows]
    return CaptureList(captures=captures, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "/members/{id}/checkins",
    response_model=CaptureRead,
    status_code=201,
    responses={200: {"description": "Already checked in at this store today: that capture"}},
)
def check_in(
    p: CapturesWrite, session: DbSession, id: str, body: CheckinCreate, response: Response
) -> CaptureRead:
    """Check a member in at a store; once per member, store and day."""
    capture, created = service.checkin(
        session, p, member_id=ids.parse("mem", id), store_ref=ids.ref("st", body.store_id)
    )
    if not created:
        response.status_code = 200
    return CaptureRead.of(capture)
