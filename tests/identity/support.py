"""Helpers for the identity tests: members, their sessions, member principals."""

from __future__ import annotations

import uuid

from punchcard.identity import member_sessions
from punchcard.identity.member_sessions import MemberSessionKind, NewMemberSession
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.ids import parse, render
from punchcard.models import Member
from tests.factories import Tenant, insert_member


def member_ref(member_id: uuid.UUID) -> str:
    """A member id as the member services take it (the one place to change when they
    take UUIDs)."""
    ref = render("mem", member_id)
    assert ref is not None
    return ref


def new_member(t: Tenant, **kw: object) -> uuid.UUID:
    member_id = parse("mem", insert_member(t, **kw))
    assert member_id is not None
    return member_id


def sign_in(
    t: Tenant,
    member_id: uuid.UUID,
    *,
    kind: MemberSessionKind = MemberSessionKind.portal,
    ttl_seconds: int = 3600,
) -> NewMemberSession:
    """A committed member session for ``member_id``."""
    with t.db.transaction() as s:
        member = s.get(Member, (t.id, member_id))
        assert member is not None
        return member_sessions.open_session(s, member, kind=kind, ttl_seconds=ttl_seconds)


def staff(t: Tenant) -> Principal:
    """An all-scopes key principal of the tenant."""
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES))


def as_member(t: Tenant, member_id: uuid.UUID) -> Principal:
    return Principal.for_member(t.id, member_id)
