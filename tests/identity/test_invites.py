"""Invitations and the team's rules in the core (``identity.invites``, ``identity.team``):
tokens stored hashed, single use, 7 days, withdrawn; who may give which role; the last
owner stays; removal ends sessions. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from punchcard.api.native.schemas.auth import MIN_PASSWORD_LENGTH as API_MIN
from punchcard.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from punchcard.identity import invites, passwords, team
from punchcard.identity.invites import InvitationGone, InviteState
from punchcard.identity.service import authenticate
from punchcard.identity.users import login, open_session
from punchcard.kit.crypto import hash_token
from punchcard.models import Invitation, User
from tests.conftest import TestClock as Clock
from tests.factories import PASSWORD, Tenant, new_user, unique

URL = "https://punchcard.example"


def _user(t: Tenant, role: str, email: str | None = None) -> uuid.UUID:
    return new_user(t, role, email=email)[0]


def _owner(t: Tenant) -> uuid.UUID:
    with t.db.transaction(write=False) as s:
        return s.scalars(
            select(User.id).where(User.tenant_id == t.id, User.email == t.owner_email)
        ).one()


def _invite(t: Tenant, actor: uuid.UUID, email: str, role: str = "viewer") -> invites.NewInvitation:
    with t.db.transaction() as s:
        user = s.get(User, actor)
        assert user is not None
        return invites.invite(s, user, email=email, role=role, public_url=URL)


def _accept(t: Tenant, token: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    with t.db.transaction() as s:
        return invites.accept(s, token=token, name="Newcomer", password=password, ttl_seconds=600)


def _as(t: Tenant, actor: uuid.UUID, work):  # type: ignore[no-untyped-def]
    with t.db.transaction() as s:
        user = s.get(User, actor)
        assert user is not None
        return work(s, user)


def test_an_invitation_stores_only_the_hash_and_mails_the_link(tenant: Tenant) -> None:
    email = f"{unique('Inv')}@Example.com"
    new = _invite(tenant, _owner(tenant), email, "admin")
    assert new.mail.to == email.lower()
    assert f"{URL}/dashboard/invite/{new.token}" in new.mail.text
    with tenant.db.transaction(write=False) as s:
        row = s.scalars(select(Invitation).where(Invitation.id == new.invitation.id)).one()
    assert row.token_hash == hash_token(new.token) != new.token
    assert (row.email, row.role, row.tenant_id) == (email.lower(), "admin", tenant.id)
    assert (row.expires_at - row.created_at).days == 7


def test_accepting_makes_the_user_with_the_role_and_a_session(tenant: Tenant) -> None:
    email = f"{unique('inv')}@example.com"
    new = _invite(tenant, _owner(tenant), email, "admin")
    opened = _accept(tenant, new.token)
    assert (opened.user.email, opened.user.role, opened.user.tenant_id) == (
        email,
        "admin",
        tenant.id,
    )
    with tenant.db.transaction(write=False) as s:
        assert authenticate(s, opened.token).user_id == opened.user.id
    with tenant.db.transaction() as s:
        assert login(s, email=email, password=PASSWORD, ttl_seconds=60).user.id == opened.user.id


def test_a_link_works_once(tenant: Tenant) -> None:
    new = _invite(tenant, _owner(tenant), f"{unique('inv')}@example.com")
    _accept(tenant, new.token)
    with pytest.raises(InvitationGone) as gone:
        _accept(tenant, new.token)
    assert gone.value.state is InviteState.accepted


def test_a_link_expires_after_seven_days(tenant: Tenant, clock: Clock) -> None:
    clock.freeze()
    new = _invite(tenant, _owner(tenant), f"{unique('inv')}@example.com")
    clock.advance(days=7, seconds=-1)
    with tenant.db.transaction(write=False) as s:
        assert invites.find(s, new.token).id == new.invitation.id
    clock.advance(seconds=1)
    with pytest.raises(InvitationGone) as gone:
        _accept(tenant, new.token)
    assert gone.value.state is InviteState.expired
    with tenant.db.transaction(write=False) as s:
        assert new.invitation.id not in [i.id for i in invites.pending(s, tenant.id)]


def test_a_withdrawn_or_made_up_link_is_refused(tenant: Tenant) -> None:
    owner = _owner(tenant)
    new = _invite(tenant, owner, f"{unique('inv')}@example.com")
    _as(tenant, owner, lambda s, u: invites.revoke(s, u, new.invitation.id))
    with pytest.raises(InvitationGone) as gone:
        _accept(tenant, new.token)
    assert gone.value.state is InviteState.revoked
    with pytest.raises(InvitationGone) as unknown:
        _accept(tenant, "made-up")
    assert unknown.value.state is None and unknown.value.code == "INVITATION_INVALID"
    with pytest.raises(Conflict):  # withdrawn already
        _as(tenant, owner, lambda s, u: invites.revoke(s, u, new.invitation.id))


def test_inviting_again_replaces_the_pending_link(tenant: Tenant) -> None:
    owner, email = _owner(tenant), f"{unique('inv')}@example.com"
    first = _invite(tenant, owner, email)
    second = _invite(tenant, owner, email)
    with pytest.raises(InvitationGone):
        _accept(tenant, first.token)
    assert _accept(tenant, second.token).user.email == email
    with tenant.db.transaction(write=False) as s:
        assert [i for i in invites.pending(s, tenant.id) if i.email == email] == []


def test_an_email_with_an_account_cannot_be_invited(tenant: Tenant, other_tenant: Tenant) -> None:
    with pytest.raises(Conflict) as taken:
        _invite(tenant, _owner(tenant), other_tenant.owner_email.upper())
    assert (taken.value.code, taken.value.field) == ("EMAIL_TAKEN", "email")


def test_bad_input_names_its_field(tenant: Tenant) -> None:
    owner = _owner(tenant)
    with pytest.raises(ValidationFailed) as bad_email:
        _invite(tenant, owner, "not an email")
    assert bad_email.value.field == "email"
    with pytest.raises(ValidationFailed) as bad_role:
        _invite(tenant, owner, f"{unique('inv')}@example.com", "superuser")
    assert bad_role.value.field == "role"
    new = _invite(tenant, owner, f"{unique('inv')}@example.com")
    with pytest.raises(ValidationFailed) as short:
        _accept(tenant, new.token, password="x" * (passwords.MIN_PASSWORD_LENGTH - 1))
    assert short.value.field == "password"
    with tenant.db.transaction() as s, pytest.raises(ValidationFailed) as nameless:
        invites.accept(s, token=new.token, name="  ", password=PASSWORD, ttl_seconds=60)
    assert nameless.value.field == "name"
    assert _accept(tenant, new.token).user.name == "Newcomer"  # nothing was spent


def test_the_password_rules_are_the_registrations() -> None:
    assert passwords.MIN_PASSWORD_LENGTH == API_MIN
    assert passwords.check_new_password(" spaces kept ") == " spaces kept "


def test_who_may_invite_whom(tenant: Tenant) -> None:
    admin, viewer = _user(tenant, "admin"), _user(tenant, "viewer")
    with pytest.raises(Forbidden):
        _invite(tenant, viewer, f"{unique('inv')}@example.com")
    with pytest.raises(Forbidden) as owner_only:
        _invite(tenant, admin, f"{unique('inv')}@example.com", "owner")
    assert owner_only.value.code == "OWNER_ONLY"
    assert (
        _invite(tenant, admin, f"{unique('inv')}@example.com", "admin").invitation.role == "admin"
    )
    assert (
        _invite(tenant, _owner(tenant), f"{unique('inv')}@example.com", "owner").invitation.role
        == "owner"
    )


def test_another_tenants_invitation_or_user_is_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = _invite(other_tenant, _owner(other_tenant), f"{unique('inv')}@example.com")
    owner = _owner(tenant)
    with pytest.raises(NotFound):
        _as(tenant, owner, lambda s, u: invites.revoke(s, u, theirs.invitation.id))
    with pytest.raises(NotFound):
        _as(tenant, owner, lambda s, u: team.change_role(s, u, _owner(other_tenant), "viewer"))
    with pytest.raises(NotFound):
        _as(tenant, owner, lambda s, u: team.remove_user(s, u, _owner(other_tenant)))


def test_the_last_owner_can_be_neither_demoted_nor_removed(tenant: Tenant) -> None:
    owner = _owner(tenant)
    for work in (
        lambda s, u: team.change_role(s, u, owner, "admin"),
        lambda s, u: team.remove_user(s, u, owner),
    ):
        with pytest.raises(Conflict) as last:
            _as(tenant, owner, work)
        assert last.value.code == "LAST_OWNER"
    second = _user(tenant, "owner")
    assert _as(tenant, owner, lambda s, u: team.change_role(s, u, second, "admin").role) == "admin"
    _as(tenant, owner, lambda s, u: team.change_role(s, u, second, "owner"))
    # With two owners, one may step down; then the other is the last again.
    assert _as(tenant, owner, lambda s, u: team.change_role(s, u, owner, "viewer").role) == "viewer"
    with pytest.raises(Conflict):
        _as(tenant, second, lambda s, u: team.remove_user(s, u, second))
    with tenant.db.transaction(write=False) as s:
        assert team.count_owners(s, tenant.id) == 1


def test_admins_manage_viewers_and_admins_only_owners_manage_owners(tenant: Tenant) -> None:
    owner, admin, viewer = _owner(tenant), _user(tenant, "admin"), _user(tenant, "viewer")
    other_admin = _user(tenant, "admin")
    assert _as(tenant, admin, lambda s, u: team.change_role(s, u, viewer, "admin").role) == "admin"
    assert (
        _as(tenant, admin, lambda s, u: team.change_role(s, u, other_admin, "viewer").role)
        == "viewer"
    )
    for work in (
        lambda s, u: team.change_role(s, u, owner, "admin"),
        lambda s, u: team.change_role(s, u, viewer, "owner"),
        lambda s, u: team.remove_user(s, u, owner),
    ):
        with pytest.raises(Forbidden):
            _as(tenant, admin, work)
    with pytest.raises(Forbidden):
        _as(
            tenant, other_admin, lambda s, u: team.change_role(s, u, admin, "viewer")
        )  # now a viewer


def test_removing_a_user_ends_their_sessions(tenant: Tenant) -> None:
    owner, gone = _owner(tenant), _user(tenant, "admin")
    with tenant.db.transaction() as s:
        user = s.get(User, gone)
        assert user is not None
        tokens = [open_session(s, user, ttl_seconds=600)[0] for _ in range(2)]
        email = user.email
    removed = _as(tenant, owner, lambda s, u: team.remove_user(s, u, gone))
    assert removed.sessions_revoked == 2
    with tenant.db.transaction(write=False) as s:
        for token in tokens:
            with pytest.raises(Unauthenticated):
                authenticate(s, token)
        assert s.get(User, gone) is None
    # The address is free again: it may be invited back.
    assert _invite(tenant, owner, email).invitation.email == email
