"""Ambassador program: ``/ambassador/candidates``, ``/ambassador/metrics``, issue-code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from punchcard.ambassador import service
from punchcard.api.common import ids
from punchcard.api.common.auth import AmbassadorRead, AmbassadorWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.params import IsoDate
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.ambassador import (
    CandidateList,
    IssueCode,
    IssuedCode,
    Metrics,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Ambassador"])

From = Annotated[IsoDate | None, Query(alias="from", description="First day (UTC), inclusive")]
To = Annotated[IsoDate | None, Query(description="Last day (UTC), inclusive; default today")]


@router.get(
    "/ambassador/candidates",
    response_model=CandidateList,
    description=f"Window: `from`..`to`, default the last 90 days.\n\n{service.SCORING}",
)
def list_candidates(
    p: AmbassadorRead, session: DbSession, page: PageParams, from_: From = None, to: To = None
) -> CandidateList:
    """Members ranked as ambassador candidates by spend, orders, referrals and engagement."""
    ranked = service.candidates(session, p, page=page, first=from_, last=to)
    return CandidateList.of(ranked, limit=page.limit, offset=page.offset, scoring=service.SCORING)


@router.get(
    "/ambassador/metrics",
    response_model=Metrics,
    description=(
        "Affiliate codes only (the ambassador program; members' own codes are in "
        f"`/referrals/stats`). Window: `from`..`to`, default the last 90 days. {service.ROI_DOC}"
    ),
)
def get_metrics(
    p: AmbassadorRead, session: DbSession, from_: From = None, to: To = None
) -> Metrics:
    """The ambassador program's ROI report."""
    return Metrics.of(service.metrics(session, p, first=from_, last=to))


@router.post("/ambassador/members/{id}/issue-code", response_model=IssuedCode, status_code=201)
def issue_code(
    p: AmbassadorWrite,
    session: DbSession,
    request: Request,
    id: str,
    body: IssueCode | None = None,
) -> IssuedCode:
    """Issue an affiliate referral code to a member (generated unless `code` is given)."""
    code, url = service.issue_code(
        session,
        p,
        member_id=ids.parse("mem", id),
        code=body.code if body else None,
        public_url=request.app.state.settings.public_url,
    )
    return IssuedCode(member_id=ids.render("mem", code.member_id), code=code.code, referral_url=url)
