"""Member tags: a tenant's tag catalogue and the tags on each member.

Tag keys are lower-case slugs. Adding is idempotent and creates unknown tags; a tag
outlives its last member (rules may still assign it).
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Conflict, NotFound, ValidationFailed
from punchcard.events.service import emit, lane
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.members import service as members
from punchcard.members.event_data import member_data
from punchcard.members.repository import TagRepository
from punchcard.members.schemas import TAG_KEY_PATTERN, TagSource
from punchcard.models import Member, MemberTag, Tag

_KEY = re.compile(TAG_KEY_PATTERN)


def normalize_key(raw: str, *, field: str = "tags") -> str:
    """A tag key: trimmed and lower-cased, then ``[a-z0-9_-]{1,64}``; else a 400."""
    key = raw.strip().lower()
    if not _KEY.fullmatch(key):
        raise ValidationFailed(
            f"Invalid tag key {raw[:80]!r}: use 1-64 of a-z, 0-9, '_' and '-'", field=field
        )
    return key


def list_tags(
    session: Session, principal: Principal, *, page: Page
) -> tuple[list[tuple[Tag, int]], int]:
    """The tenant's tags, each with how many members carry it."""
    return TagRepository(session, principal.tenant_id).list_with_counts(page)


def member_tags(
    session: Session, principal: Principal, *, member_id: uuid.UUID
) -> list[tuple[MemberTag, Tag]]:
    """The member's tags, each with its link (source, when added)."""
    member = members.get(session, principal, member_id=member_id)
    return _tags_of(session, principal, member)


def _tags_of(session: Session, principal: Principal, member: Member) -> list[tuple[MemberTag, Tag]]:
    return TagRepository(session, principal.tenant_id).member_tags(member.id)


def _get_or_create(session: Session, repo: TagRepository, key: str) -> Tag:
    tag = repo.get_by_key(key)
    if tag is not None:
        return tag
    try:
        # Savepoint: another request may create the same tag first.
        with session.begin_nested():
            return repo.add(Tag(id=new_id(), key=key, name=key, created_at=now(session)))
    except IntegrityError:
        tag = repo.get_by_key(key)
        if tag is None:  # pragma: no cover
            raise Conflict("Tag changed concurrently; retry") from None
        return tag


def _touched(session: Session, principal: Principal, member: Member) -> None:
    member.updated_at = now(session)
    session.flush()
    emit(
        session,
        principal.tenant_id,
        "member.updated",
        member_data(session, member),
        resource_id=lane("mem", member.id),
    )


def add_tags(
    session: Session,
    principal: Principal,
    *,
    member_id: uuid.UUID,
    keys: list[str],
    source: TagSource = TagSource.manual,
) -> list[tuple[MemberTag, Tag]]:
    """Add tags to a member (creating unknown ones); tags it already has are left as
    they are. Returns all of the member's tags."""
    wanted = list(dict.fromkeys(normalize_key(k) for k in keys))
    # The member row lock serialises tag changes on one member.
    member = members.lock(session, principal, member_id=member_id)
    repo = TagRepository(session, principal.tenant_id)
    added = False
    for key in wanted:
        tag = _get_or_create(session, repo, key)
        if repo.link(member.id, tag.id) is None:
            repo.add_link(
                MemberTag(
                    member_id=member.id, tag_id=tag.id, source=source.value, added_at=now(session)
                )
            )
            added = True
    if added:
        _touched(session, principal, member)
    return _tags_of(session, principal, member)


def remove_tag(session: Session, principal: Principal, *, member_id: uuid.UUID, key: str) -> None:
    """Take a tag off a member; NotFound when the member does not have it."""
    member = members.lock(session, principal, member_id=member_id)
    repo = TagRepository(session, principal.tenant_id)
    normalised = key.strip().lower()
    tag = repo.get_by_key(normalised) if _KEY.fullmatch(normalised) else None
    link = repo.link(member.id, tag.id) if tag is not None else None
    if link is None:
        raise NotFound("The member does not have this tag", field="tagKey")
    repo.remove_link(link)
    _touched(session, principal, member)
