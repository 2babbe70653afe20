"""Tenant-wide lists with a member filter: a member principal lists only its own rows.

The scopes keep member principals off these routes today; the portal and the member
faces will call the same services, so the rule is proved on the services.
"""

from __future__ import annotations

import uuid

import pytest

from punchcard.ambassador import referrals
from punchcard.coupons import service as coupons
from punchcard.errors import NotFound
from punchcard.kit.ids import parse
from punchcard.kit.paging import Page
from punchcard.ledger import transactions
from punchcard.members import captures
from punchcard.orders import service as orders
from tests.factories import Tenant, award, make_pool, unique
from tests.identity.support import as_member, member_ref, new_member, staff


def _enrol(t: Tenant) -> uuid.UUID:
    """A member enrolled through the API: it gets a capture and a referral code."""
    r = t.api.post("/members", json={"email": f"{unique('e')}@example.com", "source": "pos"})
    assert r.status_code == 201, r.text
    member_id = parse("mem", r.json()["id"])
    assert member_id is not None
    return member_id


def _order(t: Tenant, member: str) -> None:
    r = t.api.post(
        "/orders",
        json={"externalOrderId": unique("o"), "memberId": member, "total": "10.00"},
    )
    assert r.status_code == 201, r.text


def test_a_member_lists_only_its_own_orders(tenant: Tenant) -> None:
    own, other = new_member(tenant), new_member(tenant)
    _order(tenant, member_ref(own))
    _order(tenant, member_ref(other))
    with tenant.db.transaction(write=False) as s:
        mine, total = orders.list_orders(s, as_member(tenant, own), page=Page())
        everyone, _ = orders.list_orders(s, staff(tenant), page=Page())
    assert ({o.member_id for o in mine}, total) == ({own}, 1)
    assert {o.member_id for o in everyone} >= {own, other}


def test_a_member_lists_only_its_own_ledger_entries(tenant: Tenant) -> None:
    own, other = new_member(tenant), new_member(tenant)
    award(tenant, member_ref(own), 5)
    award(tenant, member_ref(other), 7)
    with tenant.db.transaction(write=False) as s:
        rows, total = transactions.list_transactions(s, as_member(tenant, own), page=Page())
    assert ([(e.member_id, e.amount) for e in rows], total) == ([(own, 5)], 1)


def test_a_member_lists_only_its_own_coupons(tenant: Tenant) -> None:
    own, other = new_member(tenant), new_member(tenant)
    pool = make_pool(tenant, codes=2)["id"]
    for member in (own, other):
        r = tenant.api.post("/coupons/issue", json={"poolId": pool, "memberId": member_ref(member)})
        assert r.status_code == 201, r.text
    with tenant.db.transaction(write=False) as s:
        rows, total = coupons.list_coupons(s, as_member(tenant, own), page=Page())
    assert ({c.member_id for c in rows}, total) == ({own}, 1)


def test_a_member_lists_only_its_own_captures(tenant: Tenant) -> None:
    own, other = _enrol(tenant), _enrol(tenant)
    with tenant.db.transaction(write=False) as s:
        rows, total = captures.list_captures(s, as_member(tenant, own), page=Page())
        everyone, _ = captures.list_captures(s, staff(tenant), page=Page())
    assert ({c.member_id for c in rows}, total) == ({own}, 1)
    assert {c.member_id for c in everyone} >= {own, other}


def test_a_member_sees_only_its_own_referral_activity(tenant: Tenant) -> None:
    own, other = _enrol(tenant), _enrol(tenant)
    with tenant.db.transaction(write=False) as s:
        rows, total, _ = referrals.stats(s, as_member(tenant, own), page=Page())
        everyone, _, _ = referrals.stats(s, staff(tenant), page=Page())
    assert ({r.code.member_id for r in rows}, total) == ({own}, 1)
    assert {r.code.member_id for r in everyone} >= {own, other}


@pytest.mark.parametrize("lister", ["orders", "transactions", "coupons", "captures", "referrals"])
def test_asking_a_list_for_another_members_rows_is_not_found(tenant: Tenant, lister: str) -> None:
    own, other = new_member(tenant), new_member(tenant)
    me = as_member(tenant, own)
    calls = {
        "orders": lambda s: orders.list_orders(s, me, page=Page(), member_id=other),
        "transactions": lambda s: transactions.list_transactions(
            s, me, page=Page(), member_id=other
        ),
        "coupons": lambda s: coupons.list_coupons(s, me, page=Page(), member_id=other),
        "captures": lambda s: captures.list_captures(s, me, page=Page(), member_id=other),
        "referrals": lambda s: referrals.stats(s, me, page=Page(), member_id=other),
    }
    with tenant.db.transaction(write=False) as s, pytest.raises(NotFound):
        calls[lister](s)
