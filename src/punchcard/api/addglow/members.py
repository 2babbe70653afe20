"""The document's Members group: ``GET /members``, ``GET/PATCH /members/{id}``. A member
is the core's member, the same row every face sees, under its canonical UUID."""

from __future__ import annotations

from fastapi import APIRouter

from punchcard.api.addglow import ids
from punchcard.api.addglow.auth import MembersRead
from punchcard.api.addglow.schemas import Data, Wire
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.kit.schema import UtcTime
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
    group_ids: list[str]
    joined_at: UtcTime | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, m: MemberRow, *, group_ids: list[str]) -> Member:
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
            group_ids=group_ids,
            joined_at=m.joined_at,
            created_at=m.created_at,
            updated_at=m.updated_at,
        )


@router.get("/members/{id}", response_model=Data[Member])
def get_member(p: MembersRead, session: DbSession, id: str) -> Data[Member]:
    """Get details about a member by their AddGlow ID (404: no such member)."""
    member = members.get(session, p, member_id=ids.path_id(id))
    return Data[Member](data=Member.of(member, group_ids=[]))
