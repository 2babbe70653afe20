"""Users: Get All, Get, Create, Update (functions 7, 8, 9, 10).

A ShopSocially user is a Punchcard member: found by email, updated by the merchant's
``uid`` (the member's ``externalId``). Gender, profile image and language, which a
member has no column for, live in the member's metadata (``gender``,
``profileImageUrl``, ``language``), where every face sees them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import Field
from sqlalchemy.orm import Session

from punchcard.api.common import ids, inputs
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.members import MemberCreate, MemberUpdate
from punchcard.api.shopsocially.auth import MembersRead, MembersWrite
from punchcard.api.shopsocially.errors import build, wire_fields
from punchcard.api.shopsocially.params import (
    FROM_RANGE,
    TO_RANGE,
    Params,
    body_doc,
    day_window,
    list_page,
    params,
    query_doc,
)
from punchcard.api.shopsocially.render import GENDER, IMAGE, View
from punchcard.api.shopsocially.schemas import Ok, UserOut, UserPage
from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.paging import LARGEST_LIMIT, MAX_OFFSET
from punchcard.members import service as members
from punchcard.models import Member
from punchcard.tiers import service as tiers

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Users"])

# Member fields by the names this face's parameters use.
WIRE = {
    "email": "email",
    "first_name": "first_name",
    "last_name": "last_name",
    "external_id": "uid",
    "metadata": "profile_image_url",
}


class ListParams(Params):
    from_date: str = Field(
        description=f"The start date, MM/DD/YYYY (the merchant's timezone), {FROM_RANGE}"
    )
    to_date: str = Field(description=f"The end date, MM/DD/YYYY, included, {TO_RANGE}")
    filter_by: Literal["enrollment_date", "last_activity_date"] = Field(
        default="enrollment_date", description="The date the range applies to"
    )
    start_index: int = Field(default=0, ge=0, le=MAX_OFFSET)
    count: int = Field(
        default=100, ge=1, le=LARGEST_LIMIT, description="Users a page (default 100)"
    )


class CreateParams(Params):
    ALIASES = {"user_email": "email", "loyalty_level": "loyalty_level_id"}

    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=320, description="Also accepted as `user_email`")
    uid: str = Field(max_length=128, description="Your system's id for the user")
    gender: str | None = Field(default=None, max_length=32, description="male or female")
    profile_image_url: str | None = Field(default=None, max_length=2000)
    loyalty_level_id: str | None = Field(
        default=None, description="A level to hold regardless of points (also `loyalty_level`)"
    )


class UpdateParams(Params):
    ALIASES = {"user_email": "email", "loyalty_level": "loyalty_level_id"}

    loyalty_level_id: str | None = Field(
        default=None, description="The level the user is moved to (also `loyalty_level`)"
    )
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=320)
    gender: str | None = Field(default=None, max_length=32)
    profile_image_url: str | None = Field(default=None, max_length=2000)


def user_out(session: Session, p: Principal, member: Member) -> UserOut:
    return View(session, p).users([member])[0]


def _profile(q: CreateParams | UpdateParams, base: dict[str, Any] | None) -> dict[str, Any]:
    meta = dict(base or {})
    if q.gender is not None:
        meta[GENDER] = q.gender.lower()
    if q.profile_image_url is not None:
        meta[IMAGE] = q.profile_image_url
    return meta


@router.get("/users", response_model=Ok[UserPage], openapi_extra=query_doc(ListParams))
def list_users(
    p: MembersRead,
    session: DbSession,
    q: Annotated[ListParams, Depends(params(ListParams, missing="MissingParams"))],
) -> Ok[UserPage]:
    """Users enrolled (or last active) in a date range, `count` a page."""
    view = View(session, p)
    since, until = day_window(q.from_date, q.to_date, view.tenant.timezone)
    window = (
        {"enrolled_from": since, "enrolled_until": until}
        if q.filter_by == "enrollment_date"
        else {"active_from": since, "active_until": until}
    )
    rows, total = members.find(session, p, page=list_page(q.count, q.start_index), **window)
    users = view.users(rows)
    following = q.start_index + q.count
    more = following < total
    return Ok(
        data=UserPage(
            total_loyalty_users=total,
            next_start_index=following,
            loyalty_users=users,
            more=more,
            total=total,
            users=users,
        )
    )


@router.get("/users/{user_email}", response_model=Ok[UserOut])
def get_user(p: MembersRead, session: DbSession, user_email: str) -> Ok[UserOut]:
    """A user's points, level, expiration schedule and last award, by email."""
    member = members.get_by_email(session, p, email=user_email, field="user_email")
    return Ok(data=user_out(session, p, member))


@router.post("/users", response_model=Ok[UserOut], openapi_extra=body_doc(CreateParams))
def create_user(
    p: MembersWrite,
    session: DbSession,
    q: Annotated[CreateParams, Depends(params(CreateParams))],
) -> Ok[UserOut]:
    """Enrol a user, optionally at a given level."""
    data = build(
        MemberCreate,
        WIRE,
        {
            "email": q.email,
            "first_name": q.first_name,
            "last_name": q.last_name,
            "external_id": q.uid,
            "metadata": _profile(q, None) or None,
        },
    )
    try:
        with wire_fields(externalId="uid"):
            member = members.enroll(session, p, data=inputs.new_member(data))
    except ValidationFailed as exc:
        if exc.field == "email":  # the document's answer to a bad user
            raise ValidationFailed("Invalid User", field="email") from None
        raise
    if q.loyalty_level_id is not None:
        with wire_fields(tierId="loyalty_level_id"):
            member = tiers.set_member_tier(
                session, p, member_id=member.id, tier_id=ids.ref("tier", q.loyalty_level_id)
            )
    return Ok(data=user_out(session, p, member))


@router.put("/users/{uid}", response_model=Ok[UserOut], openapi_extra=body_doc(UpdateParams))
def update_user(
    p: MembersWrite,
    session: DbSession,
    uid: str,
    q: Annotated[UpdateParams, Depends(params(UpdateParams))],
) -> Ok[UserOut]:
    """Move a user (found by your uid) to a level; update their name or profile."""
    member = members.get_by_external_id(session, p, external_id=uid, field="uid")
    member_id = member.id
    given = q.model_fields_set & {"first_name", "last_name", "email", "gender", "profile_image_url"}
    if given:
        changes: dict[str, Any] = {
            k: getattr(q, k) for k in ("first_name", "last_name", "email") if k in given
        }
        if given & {"gender", "profile_image_url"}:
            changes["metadata"] = _profile(q, member.metadata_)
        data = build(MemberUpdate, WIRE, changes)
        with wire_fields(email="email"):
            member = members.update(
                session, p, member_id=member_id, data=inputs.member_changes(data)
            )
    if q.loyalty_level_id is not None:
        with wire_fields(tierId="loyalty_level_id"):
            member = tiers.set_member_tier(
                session, p, member_id=member_id, tier_id=ids.ref("tier", q.loyalty_level_id)
            )
    return Ok(data=user_out(session, p, member))
