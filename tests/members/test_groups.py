"""Member groups below the HTTP faces: the foreign keys cascade on the database itself,
replacing is set-based and idempotent, and concurrent replaces of one member end in
one of the sets asked for."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.members import groups
from punchcard.models import Member, MemberGroup, MemberGroupMembership
from tests.factories import Tenant
from tests.identity.support import new_member


def principal(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES))


def _memberships(t: Tenant) -> int:
    with t.db.transaction(write=False) as s:
        stmt = select(func.count()).where(MemberGroupMembership.tenant_id == t.id)
        return int(s.scalar(stmt) or 0)


def _group(t: Tenant, name: str = "G") -> uuid.UUID:
    with t.db.transaction() as s:
        return groups.create(s, principal(t), name=name, badge={"label": name}).id


def test_deleting_rows_directly_cascades_to_memberships(tenant: Tenant) -> None:
    p = principal(tenant)
    a, b = _group(tenant, "A"), _group(tenant, "B")
    m1, m2 = new_member(tenant), new_member(tenant)
    with tenant.db.transaction() as s:
        groups.set_member_groups(s, p, member_id=m1, group_ids=[a, b])
        groups.set_member_groups(s, p, member_id=m2, group_ids=[a])
    assert _memberships(tenant) == 3
    with tenant.db.transaction() as s:  # the database's own cascade, no service
        s.execute(
            delete(MemberGroup).where(MemberGroup.tenant_id == tenant.id, MemberGroup.id == a)
        )
    assert _memberships(tenant) == 1
    with tenant.db.transaction() as s:
        s.execute(delete(Member).where(Member.tenant_id == tenant.id, Member.id == m1))
    assert _memberships(tenant) == 0


def test_resolve_deduplicates_in_order_and_names_the_first_unknown(tenant: Tenant) -> None:
    p = principal(tenant)
    a, b = _group(tenant, "A"), _group(tenant, "B")
    with tenant.db.transaction(write=False) as s:
        assert groups.resolve(s, p, [b, a, b], field="groupIds") == [b, a]
        with pytest.raises(ValidationFailed) as err:
            groups.resolve(s, p, [a, uuid.UUID(int=1), uuid.UUID(int=2)], field="groupIds")
    assert err.value.field == "groupIds[1]"


def test_badge_rules(tenant: Tenant) -> None:
    assert groups.valid_badge({"a": [1, {"b": None}]}) == {"a": [1, {"b": None}]}
    for bad in ([], "x", {"n": float("nan")}, {"deep": {"s": "\x00"}}, {"x": "y" * 5000}):
        with pytest.raises(ValidationFailed):
            groups.valid_badge(bad)


def test_concurrent_replaces_of_one_member_end_in_one_requested_set(tenant: Tenant) -> None:
    p = principal(tenant)
    ids = [_group(tenant, f"G{i}") for i in range(4)]
    member = new_member(tenant)
    wanted = [ids[:2], ids[2:], ids[1:3], [ids[0], ids[3]]]
    barrier = threading.Barrier(len(wanted))
    errors: list[Any] = []

    def replace(group_ids: list[uuid.UUID]) -> None:
        barrier.wait()
        try:
            with tenant.db.transaction() as s:
                groups.set_member_groups(s, p, member_id=member, group_ids=group_ids)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=replace, args=(w,)) for w in wanted]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with tenant.db.transaction(write=False) as s:
        final = groups.member_group_ids(s, p, member_id=member)
    assert sorted(final) in [sorted(w) for w in wanted]
    assert _memberships(tenant) == 2
