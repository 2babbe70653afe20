"""SSO customer mappings: ``/sso/mappings``, the native twin of the advocate face's
(``/api/v1/sso/mappings``). ``recognize`` itself is the advocate face's."""

from __future__ import annotations

from fastapi import APIRouter

from punchcard.api.common import ids
from punchcard.api.common.auth import MembersRead, MembersWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.sso import SsoMappingCreate, SsoMappingList, SsoMappingRead
from punchcard.sso import service

router = APIRouter(route_class=UnitOfWorkRoute, tags=["SSO"])


@router.get("/sso/mappings", response_model=SsoMappingList)
def list_mappings(p: MembersRead, session: DbSession, page: PageParams) -> SsoMappingList:
    """List SSO customer mappings, oldest first."""
    rows, total = service.page_mappings(session, p, page=page)
    return SsoMappingList(
        mappings=[SsoMappingRead.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/sso/mappings", response_model=SsoMappingRead, status_code=201)
def create_mapping(p: MembersWrite, session: DbSession, body: SsoMappingCreate) -> SsoMappingRead:
    """Map your customer id to a member; 409 DUPLICATE_MAPPING if it is mapped already."""
    row = service.create_mapping(
        session,
        p,
        data=service.NewMapping(
            member_id=ids.parse("mem", body.member_id),
            external_customer_id=body.external_customer_id,
            external_email=body.external_email,
            external_name=body.external_name,
        ),
    )
    return SsoMappingRead.of(row)
