"""Member group wire models (native): ``/member-groups`` and ``/members/{id}/groups``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import Field

from punchcard.api.common import ids
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.members.groups import BADGE_MAX_BYTES, MEMBER_GROUPS_MAX, NAME_MAX
from punchcard.models import MemberGroup

GROUP = "grp"

_NAME = f"Group name (1..{NAME_MAX} characters, not blank)"
_BADGE = (
    "The badge shown on the group's members: a JSON object of your choosing (label, "
    f"colour, icon URL...), at most {BADGE_MAX_BYTES} bytes of JSON, stored as given; "
    "null: no badge"
)


class MemberGroupRead(Schema):
    id: str
    name: str
    brand_member_badge: dict[str, Any] | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, g: MemberGroup) -> MemberGroupRead:
        return cls(
            id=ids.render(GROUP, g.id),
            name=g.name,
            brand_member_badge=g.brand_member_badge,
            created_at=g.created_at,
            updated_at=g.updated_at,
        )


class MemberGroupList(Schema):
    groups: list[MemberGroupRead]
    total: int
    limit: int
    offset: int


class MemberGroupCreate(InputSchema):
    name: str = Field(description=_NAME)
    brand_member_badge: dict[str, Any] | None = Field(default=None, description=_BADGE)


class MemberGroupUpdate(InputSchema):
    """Absent fields are untouched; a null `brandMemberBadge` removes the badge."""

    name: str | None = Field(default=None, description=_NAME)
    brand_member_badge: dict[str, Any] | None = Field(default=None, description=_BADGE)


class MemberGroupsSet(InputSchema):
    group_ids: list[str] = Field(
        max_length=MEMBER_GROUPS_MAX,
        description="Group ids (`grp_…`): the member's groups become exactly these "
        "(duplicates count once, `[]` leaves every group); an unknown id is a 400 naming "
        "`groupIds[i]` and nothing changes",
    )


class MemberGroupIds(Schema):
    group_ids: list[str] = Field(description="The member's group ids, oldest group first")

    @classmethod
    def of(cls, group_ids: Sequence[uuid.UUID]) -> MemberGroupIds:
        return cls(group_ids=[ids.render(GROUP, g) for g in group_ids])
