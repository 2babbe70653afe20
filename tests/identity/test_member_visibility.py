"""A member principal sees its own member and no other, through the member services."""

from __future__ import annotations

import uuid

import pytest

from punchcard.errors import InsufficientScope, NotFound
from punchcard.kit.paging import Page
from punchcard.ledger import points
from punchcard.members import service as members
from punchcard.members.visibility import may_see
from punchcard.models import Member
from tests.factories import Tenant, award
from tests.identity.support import as_member, member_ref, new_member, staff


def _not_found_message(t: Tenant, call) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    with t.db.transaction(write=False) as s, pytest.raises(NotFound) as exc:
        call(s)
    return exc.value.message, exc.value.field


def test_a_member_reads_its_own_profile(tenant: Tenant) -> None:
    own = new_member(tenant)
    with tenant.db.transaction(write=False) as s:
        read = members.read(s, as_member(tenant, own), member_id=own)
    assert read.member.id == own


def test_a_member_reads_its_own_points_statement(tenant: Tenant) -> None:
    own = new_member(tenant)
    award(tenant, member_ref(own), 120)
    with tenant.db.transaction(write=False) as s:
        st = points.statement(s, as_member(tenant, own), member_id=own, page=Page())
    assert (st.member.id, st.total, [e.amount for e in st.entries]) == (own, 1, [120])


def test_another_members_profile_is_not_found_as_an_unknown_id_is(tenant: Tenant) -> None:
    own, other = new_member(tenant), new_member(tenant)
    me = as_member(tenant, own)
    theirs = _not_found_message(tenant, lambda s: members.read(s, me, member_id=other))
    unknown = _not_found_message(tenant, lambda s: members.read(s, me, member_id=uuid.UUID(int=0)))
    assert theirs == unknown


def test_another_members_points_statement_is_not_found(tenant: Tenant) -> None:
    own, other = new_member(tenant), new_member(tenant)
    with tenant.db.transaction(write=False) as s, pytest.raises(NotFound):
        points.statement(s, as_member(tenant, own), member_id=other, page=Page())


def test_another_member_cannot_be_locked_for_a_points_change(tenant: Tenant) -> None:
    own, other = new_member(tenant), new_member(tenant)
    with tenant.db.transaction() as s, pytest.raises(NotFound):
        points.change(
            s,
            as_member(tenant, own),
            member_id=other,
            data=points.PointsChange(amount=5),
        )
    with tenant.db.transaction(write=False) as s:
        member = s.get(Member, (tenant.id, other))
        assert member is not None and member.points_balance == 0


def test_another_member_looked_up_by_email_is_not_found(tenant: Tenant) -> None:
    own, other = new_member(tenant), new_member(tenant, email="someone.else@example.com")
    with tenant.db.transaction(write=False) as s:
        assert members.get_by_email(s, staff(tenant), email="someone.else@example.com").id == other
        with pytest.raises(NotFound):
            members.get_by_email(s, as_member(tenant, own), email="someone.else@example.com")


def test_another_member_looked_up_by_external_id_is_not_found(tenant: Tenant) -> None:
    own, _ = new_member(tenant), new_member(tenant, external_id="crm-42")
    with tenant.db.transaction(write=False) as s, pytest.raises(NotFound):
        members.get_by_external_id(s, as_member(tenant, own), external_id="crm-42")


def test_a_member_cannot_list_members(tenant: Tenant) -> None:
    own = new_member(tenant)
    with tenant.db.transaction(write=False) as s, pytest.raises(InsufficientScope):
        members.list_members(s, as_member(tenant, own), page=Page())


def test_a_member_cannot_search_members(tenant: Tenant) -> None:
    own = new_member(tenant)
    with tenant.db.transaction(write=False) as s, pytest.raises(InsufficientScope):
        members.find(s, as_member(tenant, own), page=Page())


def test_a_member_of_another_tenant_cannot_read_a_member_here(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    here, there = new_member(tenant), new_member(other_tenant)
    with tenant.db.transaction(write=False) as s, pytest.raises(NotFound):
        members.read(s, as_member(other_tenant, there), member_id=here)


def test_the_rule_lets_a_member_see_only_its_own_id(tenant: Tenant) -> None:
    own, other = new_member(tenant), new_member(tenant)
    assert may_see(as_member(tenant, own), own)
    assert not may_see(as_member(tenant, own), other)
    assert may_see(staff(tenant), other)
