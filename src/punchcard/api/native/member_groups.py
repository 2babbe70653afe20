"""Member groups (native extension): ``/member-groups`` and a member's groups,
``GET/PUT /members/{id}/groups`` (PUT replaces the set). The same groups the AddGlow
face serves under canonical UUIDs (``members.groups``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from punchcard.api.common import ids
from punchcard.api.common.auth import MembersRead, MembersWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.member_groups import (
    GROUP,
    MemberGroupCreate,
    MemberGroupIds,
    MemberGroupList,
    MemberGroupRead,
    MemberGroupsSet,
    MemberGroupUpdate,
)
from punchcard.members import groups as service

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Member Groups"])


@router.get("/member-groups", response_model=MemberGroupList)
def list_groups(p: MembersRead, session: DbSession, page: PageParams) -> MemberGroupList:
    """The tenant's member groups, oldest first."""
    rows, total = service.list_groups(session, p, page=page)
    return MemberGroupList(
        groups=[MemberGroupRead.of(g) for g in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/member-groups", response_model=MemberGroupRead, status_code=201)
def create_group(p: MembersWrite, session: DbSession, body: MemberGroupCreate) -> MemberGroupRead:
    """Create a member group with an optional badge."""
    group = service.create(session, p, name=body.name, badge=body.brand_member_badge)
    return MemberGroupRead.of(group)


@router.get("/member-groups/{id}", response_model=MemberGroupRead)
def get_group(p: MembersRead, session: DbSession, id: str) -> MemberGroupRead:
    """One member group (404: not found)."""
    return MemberGroupRead.of(service.get(session, p, group_id=ids.parse(GROUP, id)))


@router.patch("/member-groups/{id}", response_model=MemberGroupRead)
def update_group(
    p: MembersWrite, session: DbSession, id: str, body: MemberGroupUpdate
) -> MemberGroupRead:
    """Rename a group or change its badge (null removes it)."""
    changes: service.GroupChanges = {}
    if "name" in body.model_fields_set:
        changes["name"] = body.name  # type: ignore[typeddict-item]  # None: a 400 naming it
    if "brand_member_badge" in body.model_fields_set:
        changes["brand_member_badge"] = body.brand_member_badge
    group = service.update(session, p, group_id=ids.parse(GROUP, id), changes=changes)
    return MemberGroupRead.of(group)


@router.delete("/member-groups/{id}", status_code=204, response_class=Response)
def delete_group(p: MembersWrite, session: DbSession, id: str) -> Response:
    """Delete a group; its members leave it."""
    service.delete(session, p, group_id=ids.parse(GROUP, id))
    return Response(status_code=204)


@router.get("/members/{id}/groups", response_model=MemberGroupIds)
def member_groups(p: MembersRead, session: DbSession, id: str) -> MemberGroupIds:
    """The member's group ids."""
    group_ids = service.member_group_ids(session, p, member_id=ids.parse("mem", id))
    return MemberGroupIds.of(group_ids)


@router.put("/members/{id}/groups", response_model=MemberGroupIds)
def set_member_groups(
    p: MembersWrite, session: DbSession, id: str, body: MemberGroupsSet
) -> MemberGroupIds:
    """Replace the member's groups with `groupIds`."""
    group_ids = [ids.parse(GROUP, g) for g in body.group_ids]
    result = service.set_member_groups(
        session, p, member_id=ids.parse("mem", id), group_ids=group_ids
    )
    return MemberGroupIds.of(result)
