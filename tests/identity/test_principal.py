"""The principal's kind, derived from what it carries."""

from __future__ import annotations

import uuid

import pytest

from punchcard.identity.principal import Principal


def test_a_principal_with_an_api_key_is_of_kind_key() -> None:
    p = Principal(
        tenant_id=uuid.uuid4(), scopes=frozenset({"members:read"}), api_key_id=uuid.uuid4()
    )
    assert (p.kind, p.is_user, p.is_member) == ("key", False, False)


def test_a_principal_with_a_user_is_of_kind_user() -> None:
    p = Principal(tenant_id=uuid.uuid4(), scopes=frozenset(), user_id=uuid.uuid4(), role="owner")
    assert (p.kind, p.is_user, p.is_member) == ("user", True, False)


def test_a_member_principal_has_no_scope() -> None:
    member_id = uuid.uuid4()
    p = Principal.for_member(uuid.uuid4(), member_id, session_id=uuid.uuid4())
    assert (p.kind, p.is_member, p.member_id, p.is_user) == ("member", True, member_id, False)
    assert p.scopes == frozenset()
    assert not p.has("members:read")


def test_a_member_principal_cannot_carry_scopes() -> None:
    with pytest.raises(ValueError, match="no scopes"):
        Principal(
            tenant_id=uuid.uuid4(), scopes=frozenset({"members:read"}), member_id=uuid.uuid4()
        )
