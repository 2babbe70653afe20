"""Member groups: a tenant's groups (a name and the brand's badge for its members) and
the groups each member belongs to.

A badge is a JSON object stored exactly as given and returned as it was (label,
colour, icon URL: the brand's to define); it is only bounded in size. A member's
groups are set as a whole (``replace``: the given set, deduplicated), after every id
is checked, so an unknown id writes nothing. Deleting a group removes its memberships.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Conflict, NotFound, ValidationFailed
from punchcard.events.service import emit, lane
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Cursor, Page
from punchcard.members import service as members
from punchcard.members.event_data import member_data
from punchcard.members.group_repository import GroupRepository
from punchcard.members.schemas import MemberStatus
from punchcard.members.visibility import refuse_listing
from punchcard.models import Member, MemberGroup

NAME_MAX = 200
# A badge is a few short strings; 4 KiB of JSON leaves room without letting a group
# row carry documents.
BADGE_MAX_BYTES = 4096
# The most groups one member may be put in at once (one insert either way).
MEMBER_GROUPS_MAX = 100


class GroupChanges(TypedDict, total=False):
    """A group's changes: absent keys are untouched; a ``None`` badge clears it."""

    name: str
    brand_member_badge: dict[str, Any] | None


# Validation ------------------------------------------------------------------------


def valid_name(raw: Any, *, field: str = "name") -> str:
    """A group name: a non-blank string of at most 200 characters, kept as written."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationFailed(f"{field}: must be a non-empty string", field=field)
    if len(raw) > NAME_MAX:
        raise ValidationFailed(f"{field}: at most {NAME_MAX} characters", field=field)
    if "\x00" in raw:
        raise ValidationFailed(f"{field}: must not contain NUL characters", field=field)
    return raw


def valid_badge(raw: Any, *, field: str = "brandMemberBadge") -> dict[str, Any] | None:
    """A badge: a JSON object (or None) of at most 4 KiB, with finite numbers only."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{field}: must be a JSON object", field=field)
    try:
        text = json.dumps(raw, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, TypeError, RecursionError):
        raise ValidationFailed(f"{field}: must be JSON with finite numbers", field=field) from None
    if len(text.encode()) > BADGE_MAX_BYTES:
        raise ValidationFailed(f"{field}: at most {BADGE_MAX_BYTES} bytes of JSON", field=field)
    # json.dumps writes a NUL in any string, however deep, as this escape.
    if "\\u0000" in text:
        raise ValidationFailed(f"{field}: must not contain NUL characters", field=field)
    return dict(raw)


# Groups ----------------------------------------------------------------------------


def get(
    session: Session, principal: Principal, *, group_id: uuid.UUID, field: str = "id"
) -> MemberGroup:
    """The group, or NotFound (also for another tenant's id)."""
    group = GroupRepository(session, principal.tenant_id).get(group_id)
    if group is None:
        raise NotFound("Member group not found", field=field)
    return group


def list_groups(
    session: Session, principal: Principal, *, page: Page
) -> tuple[list[MemberGroup], int]:
    """The tenant's groups, oldest first, and their total."""
    return GroupRepository(session, principal.tenant_id).listing(page)


def groups_after(
    session: Session, principal: Principal, *, cursor: Cursor
) -> tuple[list[MemberGroup], bool]:
    """One keyset page of the tenant's groups, oldest first, and whether more follow."""
    return GroupRepository(session, principal.tenant_id).after(cursor)


def create(session: Session, principal: Principal, *, name: Any, badge: Any = None) -> MemberGroup:
    at = now(session)
    group = MemberGroup(
        id=new_id(),
        name=valid_name(name),
        brand_member_badge=valid_badge(badge),
        created_at=at,
        updated_at=at,
    )
    return GroupRepository(session, principal.tenant_id).add(group)


def update(
    session: Session, principal: Principal, *, group_id: uuid.UUID, changes: GroupChanges
) -> MemberGroup:
    """PATCH semantics: a name cannot be cleared; a ``None`` badge clears the badge."""
    group = get(session, principal, group_id=group_id)
    wanted: dict[str, Any] = {}
    if "name" in changes:
        wanted["name"] = valid_name(changes["name"])
    if "brand_member_badge" in changes:
        wanted["brand_member_badge"] = valid_badge(changes["brand_member_badge"])
    changed = {k: v for k, v in wanted.items() if getattr(group, k) != v}
    if changed:
        for key, value in changed.items():
            setattr(group, key, value)
        group.updated_at = now(session)
        session.flush()
    return group


def delete(session: Session, principal: Principal, *, group_id: uuid.UUID) -> None:
    """Delete the group; its members leave it."""
    group = get(session, principal, group_id=group_id)
    GroupRepository(session, principal.tenant_id).remove(group)


# Memberships -----------------------------------------------------------------------


def resolve(
    session: Session, principal: Principal, group_ids: Sequence[uuid.UUID], *, field: str
) -> list[uuid.UUID]:
    """``group_ids`` deduplicated (first occurrence first), every one a group of the
    tenant: else a 400 naming the first unknown one (``groupIds[2]``). One query."""
    if len(group_ids) > MEMBER_GROUPS_MAX:
        raise ValidationFailed(f"{field}: at most {MEMBER_GROUPS_MAX} groups", field=field)
    found = GroupRepository(session, principal.tenant_id).existing(group_ids)
    for i, group_id in enumerate(group_ids):
        if group_id not in found:
            raise ValidationFailed(
                f"{field}[{i}]: no member group has this id", field=f"{field}[{i}]"
            )
    return list(dict.fromkeys(group_ids))


def group_ids_of(
    session: Session, principal: Principal, members_: Iterable[Member]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The group ids of each member of a page, in one query (the page's read model)."""
    repo = GroupRepository(session, principal.tenant_id)
    return repo.group_ids_for(m.id for m in members_)


def member_group_ids(
    session: Session, principal: Principal, *, member_id: uuid.UUID
) -> list[uuid.UUID]:
    """The member's group ids (404 for an unknown member)."""
    member = members.get(session, principal, member_id=member_id)
    return group_ids_of(session, principal, [member])[member.id]


def set_member_groups(
    session: Session,
    principal: Principal,
    *,
    member_id: uuid.UUID,
    group_ids: Sequence[uuid.UUID],
    field: str = "groupIds",
) -> list[uuid.UUID]:
    """Replace the member's groups with ``group_ids``; answers the member's group ids."""
    _, ids = update_member(
        session, principal, member_id=member_id, group_ids=group_ids, field=field
    )
    return ids


def update_member(
    session: Session,
    principal: Principal,
    *,
    member_id: uuid.UUID,
    changes: members.MemberChanges | None = None,
    banned: bool | None = None,
    group_ids: Sequence[uuid.UUID] | None = None,
    field: str = "groupIds",
) -> tuple[Member, list[uuid.UUID]]:
    """A community member's changes in one go: member fields (``members.service``'s
    rules: a ban ends the member's sessions), ``banned`` (True bans; False lifts a
    ban, leaving any other status as it is) and the member's groups (replaced). Every
    input is checked before anything is written; one ``member.updated`` at most."""
    # The member's row lock serialises changes to its groups.
    member = members.lock(session, principal, member_id=member_id)
    wanted = resolve(session, principal, group_ids, field=field) if group_ids is not None else None
    data: dict[str, Any] = dict(changes or {})
    if banned is True:
        data["status"] = MemberStatus.banned
    elif banned is False and member.status == MemberStatus.banned.value:
        data["status"] = MemberStatus.active
    changed = members.change(session, principal, member, data) if data else False
    repo = GroupRepository(session, principal.tenant_id)
    if wanted is not None and _replace(session, repo, member.id, wanted) and not changed:
        member.updated_at = now(session)
        session.flush()
        emit(
            session,
            principal.tenant_id,
            "member.updated",
            member_data(session, member),
            resource_id=lane("mem", member.id),
        )
    return member, repo.group_ids_for([member.id])[member.id]


def _replace(
    session: Session, repo: GroupRepository, member_id: uuid.UUID, wanted: list[uuid.UUID]
) -> bool:
    try:
        # A savepoint: a group deleted by another request since ``resolve`` read it
        # fails the insert's foreign key; the caller's transaction stays usable.
        with session.begin_nested():
            return repo.replace(member_id, wanted)
    except IntegrityError:
        raise Conflict("A member group changed concurrently; retry") from None


def members_after(
    session: Session, principal: Principal, *, cursor: Cursor, group_id: uuid.UUID | None = None
) -> tuple[list[Member], bool]:
    """One keyset page of the tenant's members (oldest first), only the group's when
    ``group_id`` is given (an unknown group: an empty page)."""
    refuse_listing(principal)
    return GroupRepository(session, principal.tenant_id).members_after(cursor, group_id=group_id)
