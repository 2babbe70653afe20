"""The document's Member Groups group: ``GET/POST /member-groups``, ``GET/PATCH/DELETE
/member-groups/{id}``. A group is the core's (``members.groups``): a name and the
brand's badge object, stored as given and returned as it was. ``POST`` answers 201 (a
creation, as on the other faces); ``DELETE`` answers ``{"success": true}`` and takes
the group out of every member's ``groupIds``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from punchcard.api.addglow import ids
from punchcard.api.addglow.auth import MembersRead, MembersWrite
from punchcard.api.addglow.paging import AfterParams
from punchcard.api.addglow.schemas import Data, Listing, Omittable, Success, Wire, WireInput
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.kit.schema import UtcTime
from punchcard.members import groups
from punchcard.models import MemberGroup as GroupRow

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Member Groups"])

_NAME = f"Member group name (1..{groups.NAME_MAX} characters, not blank)"
_BADGE = (
    "The badge shown on the group's members: a JSON object of the brand's choosing "
    f"(label, colour, icon URL...), at most {groups.BADGE_MAX_BYTES} bytes of JSON, "
    "stored as given and returned as it was; null: no badge"
)


class MemberGroup(Wire):
    """A member group, every stored field in the document's naming."""

    id: str
    name: str
    brand_member_badge: dict[str, Any] | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, g: GroupRow) -> MemberGroup:
        return cls(
            id=ids.render(g.id),
            name=g.name,
            brand_member_badge=g.brand_member_badge,
            created_at=g.created_at,
            updated_at=g.updated_at,
        )


class MemberGroupCreate(WireInput):
    name: str = Field(description=_NAME)
    brand_member_badge: dict[str, Any] | None = Field(default=None, description=_BADGE)


class MemberGroupUpdate(WireInput):
    """Absent fields are left as they are; a null `brandMemberBadge` removes the badge."""

    name: Omittable[str] = Field(default=None, description=_NAME)
    brand_member_badge: dict[str, Any] | None = Field(default=None, description=_BADGE)


@router.get("/member-groups", response_model=Listing[MemberGroup])
def list_member_groups(
    p: MembersRead, session: DbSession, cursor: AfterParams
) -> Listing[MemberGroup]:
    """Returns a list of member groups in the brand, oldest first."""
    rows, has_more = groups.groups_after(session, p, cursor=cursor)
    return Listing[MemberGroup].of([MemberGroup.of(g) for g in rows], has_more)


@router.post("/member-groups", response_model=Data[MemberGroup], status_code=201)
def create_member_group(
    p: MembersWrite, session: DbSession, body: MemberGroupCreate
) -> Data[MemberGroup]:
    """Create a new member group (201)."""
    group = groups.create(session, p, name=body.name, badge=body.brand_member_badge)
    return Data[MemberGroup](data=MemberGroup.of(group))


@router.get("/member-groups/{id}", response_model=Data[MemberGroup])
def get_member_group(p: MembersRead, session: DbSession, id: str) -> Data[MemberGroup]:
    """Returns the details of a member group (404: no such group)."""
    return Data[MemberGroup](data=MemberGroup.of(groups.get(session, p, group_id=ids.path_id(id))))


@router.patch("/member-groups/{id}", response_model=Data[MemberGroup])
def update_member_group(
    p: MembersWrite, session: DbSession, id: str, body: MemberGroupUpdate
) -> Data[MemberGroup]:
    """Update details of a member group."""
    changes: groups.GroupChanges = {}
    if body.name is not None:
        changes["name"] = body.name
    if "brand_member_badge" in body.model_fields_set:
        changes["brand_member_badge"] = body.brand_member_badge
    group = groups.update(session, p, group_id=ids.path_id(id), changes=changes)
    return Data[MemberGroup](data=MemberGroup.of(group))


@router.delete("/member-groups/{id}", response_model=Success)
def delete_member_group(p: MembersWrite, session: DbSession, id: str) -> Success:
    """Delete a member group; its members leave it."""
    groups.delete(session, p, group_id=ids.path_id(id))
    return Success()
