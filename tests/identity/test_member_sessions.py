"""Member sessions: opened for a member, resolved to a member principal, revoked."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from punchcard.errors import Forbidden, Unauthenticated
from punchcard.identity import cache as key_cache
from punchcard.identity import member_sessions, service
from punchcard.identity.member_sessions import MEMBER_SESSION_PREFIX, MemberSessionKind
from punchcard.kit.crypto import hash_token
from punchcard.models import Member, MemberSession
from tests.conftest import TestClock as Clock
from tests.factories import Tenant
from tests.identity.support import as_member, new_member, sign_in


def _resolve(t: Tenant, token: str):  # type: ignore[no-untyped-def]
    with t.db.transaction(write=False) as s:
        return member_sessions.resolve(s, token)


def _row(t: Tenant, token: str) -> MemberSession:
    with t.db.transaction(write=False) as s:
        return s.scalars(
            select(MemberSession).where(
                MemberSession.tenant_id == t.id, MemberSession.token_hash == hash_token(token)
            )
        ).one()


def test_a_session_token_is_prefixed_and_stored_only_as_its_hash(tenant: Tenant) -> None:
    opened = sign_in(tenant, new_member(tenant), kind=MemberSessionKind.sso)
    assert opened.token.startswith(MEMBER_SESSION_PREFIX)
    assert not opened.token.startswith(service.API_KEY_PREFIX)
    row = _row(tenant, opened.token)
    assert row.token_hash == hash_token(opened.token) != opened.token
    assert (row.kind, row.revoked_at) == ("sso", None)


def test_a_token_resolves_to_its_member_principal(tenant: Tenant) -> None:
    member_id = new_member(tenant)
    opened = sign_in(tenant, member_id)
    p = _resolve(tenant, opened.token)
    assert (p.kind, p.tenant_id, p.member_id, p.session_id) == (
        "member",
        tenant.id,
        member_id,
        opened.row.id,
    )
    assert p.scopes == frozenset()


def test_authenticate_resolves_a_member_token(tenant: Tenant) -> None:
    member_id = new_member(tenant)
    opened = sign_in(tenant, member_id)
    with tenant.db.transaction(write=False) as s:
        p = service.authenticate(s, opened.token)
    assert (p.kind, p.member_id) == ("member", member_id)


def test_an_expired_session_is_refused(tenant: Tenant, clock: Clock) -> None:
    opened = sign_in(tenant, new_member(tenant), ttl_seconds=60)
    clock.advance(seconds=61)
    with pytest.raises(Unauthenticated):
        _resolve(tenant, opened.token)


def test_a_revoked_session_is_refused(tenant: Tenant) -> None:
    member_id = new_member(tenant)
    opened = sign_in(tenant, member_id)
    with tenant.db.transaction() as s:
        assert member_sessions.revoke(s, as_member(tenant, member_id), session_id=opened.row.id)
    with pytest.raises(Unauthenticated):
        _resolve(tenant, opened.token)


@pytest.mark.parametrize(
    "token",
    [
        MEMBER_SESSION_PREFIX,
        MEMBER_SESSION_PREFIX + "0" * 32,
        MEMBER_SESSION_PREFIX + "0" * 32 + "_",
        MEMBER_SESSION_PREFIX + "z" * 32 + "_secret",
        MEMBER_SESSION_PREFIX + "0" * 32 + "_not-a-session",
    ],
)
def test_an_unknown_or_malformed_token_is_refused(tenant: Tenant, token: str) -> None:
    with pytest.raises(Unauthenticated):
        _resolve(tenant, token)


def test_a_token_moved_to_another_tenant_is_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    opened = sign_in(tenant, new_member(tenant))
    forged = opened.token.replace(tenant.id.hex, other_tenant.id.hex)
    assert forged != opened.token
    with pytest.raises(Unauthenticated):
        _resolve(tenant, forged)


def _ban_behind_the_services_back(t: Tenant, member_id: uuid.UUID) -> None:
    """Set the status alone, without the revocation the member services do."""
    with t.db.transaction() as s:
        member = s.get(Member, (t.id, member_id))
        assert member is not None
        member.status = "banned"


def test_a_banned_members_live_session_is_refused(tenant: Tenant) -> None:
    member_id = new_member(tenant)
    opened = sign_in(tenant, member_id)
    _ban_behind_the_services_back(tenant, member_id)
    with pytest.raises(Unauthenticated):
        _resolve(tenant, opened.token)


def test_a_banned_member_cannot_sign_in(tenant: Tenant) -> None:
    member_id = new_member(tenant)
    _ban_behind_the_services_back(tenant, member_id)
    with pytest.raises(Forbidden) as exc:
        sign_in(tenant, member_id)
    assert exc.value.code == "MEMBER_BANNED"


def test_revoking_all_ends_every_session_of_that_member_only(tenant: Tenant) -> None:
    member_id, bystander = new_member(tenant), new_member(tenant)
    tokens = [sign_in(tenant, member_id, kind=k).token for k in MemberSessionKind]
    kept = sign_in(tenant, bystander).token
    with tenant.db.transaction() as s:
        member = s.get(Member, (tenant.id, member_id))
        assert member is not None
        assert member_sessions.revoke_all(s, member) == len(tokens)
    for token in tokens:
        with pytest.raises(Unauthenticated):
            _resolve(tenant, token)
    assert _resolve(tenant, kept).member_id == bystander


def test_a_member_cannot_revoke_another_members_session(tenant: Tenant) -> None:
    member_id, other = new_member(tenant), new_member(tenant)
    theirs = sign_in(tenant, other)
    with tenant.db.transaction() as s:
        assert not member_sessions.revoke(s, as_member(tenant, member_id), session_id=theirs.row.id)
    assert _resolve(tenant, theirs.token).member_id == other


def test_signing_out_ends_only_the_calling_session(tenant: Tenant) -> None:
    member_id = new_member(tenant)
    first, second = sign_in(tenant, member_id), sign_in(tenant, member_id)
    with tenant.db.transaction() as s:
        assert member_sessions.sign_out(s, _resolve(tenant, first.token))
    with pytest.raises(Unauthenticated):
        _resolve(tenant, first.token)
    assert _resolve(tenant, second.token).session_id == second.row.id


def test_a_member_principal_is_never_cached(tenant: Tenant) -> None:
    opened = sign_in(tenant, new_member(tenant))
    digest = hash_token(opened.token)
    key_cache.api_keys.put(digest, _resolve(tenant, opened.token))
    assert key_cache.api_keys.get(digest, tenant.db.clock.now()) is None
