"""The document's Members group: ``GET /members``, ``GET/PATCH /members/{id}``. A member
is the core's member, the same row every face sees, under its canonical UUID, with the
ids of its member groups (``members.groups``: one query for a whole page)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field, StrictBool

from punchcard.api.addglow import ids
from punchcard.api.addglow.auth import MembersRead, MembersWrite
from punchcard.api.addglow.paging import AfterParams
from punchcard.api.addglow.schemas import Data, Listing, Omittable, Wire, WireInput, drop_null
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.errors import ValidationFailed
from punchcard.events.data import restore
from punchcard.kit.schema import UtcTime
from punchcard.members import groups
from punchcard.members import service as members
from punchcard.members.schemas import MemberStatus
from punchcard.models import Member as MemberRow

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Members"])


class Member(Wire):
    """A member of the brand's community, every stored field in the document's naming."""

    id: str
    custom_auth_sub: str | None
    email: str | None
    is_email_verified: bool
    phone_number: str | None
    first_name: str | None
    last_name: str | None
    profile_picture_url: str | None
    is_banned: bool
    group_ids: list[str] = Field(description="The member's group ids, oldest group first")
    joined_at: UtcTime | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, m: MemberRow, *, group_ids: list[Any]) -> Member:
        return cls(
            id=ids.render(m.id),
            custom_auth_sub=m.custom_auth_sub,
            email=m.email,
            is_email_verified=m.is_email_verified,
            phone_number=m.phone,
            first_name=m.first_name,
            last_name=m.last_name,
            profile_picture_url=m.profile_picture_url,
            is_banned=m.status == MemberStatus.banned,
            group_ids=[str(g) for g in group_ids],
            joined_at=m.joined_at,
            created_at=m.created_at,
            updated_at=m.updated_at,
        )

    @classmethod
    def of_data(cls, data: Mapping[str, Any]) -> Member:
        """A member from an event's neutral data (``members.event_data.joined_data``):
        the same rendering as the API's."""
        return cls.of(restore(MemberRow, data["member"]), group_ids=list(data["group_ids"]))


def _uuid_items(schema: dict[str, Any]) -> None:
    drop_null(schema)
    schema["items"] = {"type": "string", "format": "uuid"}


class MemberUpdate(WireInput):
    """``PATCH /members/{id}``: every field optional; none may be null."""

    is_banned: Omittable[StrictBool] = Field(
        default=None,
        description="Ban (true) or lift a ban (false). A banned member can neither sign in "
        "nor post; banning ends the member's sessions.",
    )
    is_email_verified: Omittable[StrictBool] = Field(
        default=None,
        description="Whether the email address is verified: only for brands that use custom "
        "auth (else 400 naming `isEmailVerified`)",
    )
    group_ids: Omittable[list[Any]] = Field(
        default=None,
        max_length=groups.MEMBER_GROUPS_MAX,
        description="Member group ids (UUIDs): **replaces** the member's groups (duplicates "
        "count once; `[]` leaves every group). An unknown id is a 400 naming `groupIds[i]` "
        "and nothing is changed.",
        json_schema_extra=_uuid_items,
    )


def _group_ids(values: list[Any]) -> list[Any]:
    out = []
    for i, value in enumerate(values):
        field = f"groupIds[{i}]"
        if not isinstance(value, str):
            raise ValidationFailed(f"{field}: must be a UUID", field=field)
        out.append(ids.field_id(value, field=field))
    return out


@router.get("/members", response_model=Listing[Member])
def list_members(
    p: MembersRead,
    session: DbSession,
    cursor: AfterParams,
    group_id: Annotated[
        str | None,
        Query(description="Filter by member group ID (a group of no member: an empty page)"),
    ] = None,
) -> Listing[Member]:
    """Returns a list of members in the brand, oldest first."""
    group = ids.optional_field_id(group_id, field="group_id")
    rows, has_more = groups.members_after(session, p, cursor=cursor, group_id=group)
    of = groups.group_ids_of(session, p, rows)
    return Listing[Member].of([Member.of(m, group_ids=of[m.id]) for m in rows], has_more)


@router.get("/members/{id}", response_model=Data[Member])
def get_member(p: MembersRead, session: DbSession, id: str) -> Data[Member]:
    """Get details about a member by their AddGlow ID (404: no such member)."""
    member = members.get(session, p, member_id=ids.path_id(id))
    of = groups.group_ids_of(session, p, [member])
    return Data[Member](data=Member.of(member, group_ids=of[member.id]))


@router.patch("/members/{id}", response_model=Data[Member])
def update_member(p: MembersWrite, session: DbSession, id: str, body: MemberUpdate) -> Data[Member]:
    """Update details about a member: `isBanned`, `isEmailVerified` (custom-auth brands
    only), `groupIds` (replaces the member's groups). Absent fields are left as they are."""
    member_id = ids.path_id(id)
    group_ids = _group_ids(body.group_ids) if body.group_ids is not None else None
    changes: members.MemberChanges = {}
    if body.is_email_verified is not None:
        changes["is_email_verified"] = body.is_email_verified
    member, group_of = groups.update_member(
        session, p, member_id=member_id, changes=changes, banned=body.is_banned,
        group_ids=group_ids,
    )  # fmt: skip
    return Data[Member](data=Member.of(member, group_ids=group_of))
