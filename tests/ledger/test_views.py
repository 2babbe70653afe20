"""Entry views and member profiles (``ledger.views``, ``members.views``): what a credit
became, and a member's points picture, as every face reads them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from punchcard.identity.principal import Principal
from punchcard.kit.ids import parse
from punchcard.ledger import views as entry_views
from punchcard.members import views as member_views
from tests.factories import Tenant, award, insert_member

LOYALTY = "/v2/loyalty"


def _principal(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset())


def _expiring(clock: Any, days: int) -> str:
    return (clock.now() + timedelta(days=days)).isoformat().replace("+00:00", "Z")


def _credit_spent_then_lapsed(t: Tenant, clock: Any) -> tuple[str, str]:
    """10 points expiring in a day, 3 spent, the rest lapsed (expired by the next write)."""
    clock.freeze()
    m = insert_member(t)
    txn = award(t, m, 10, expiresAt=_expiring(clock, 1))["transactionId"]
    award(t, m, -3)
    clock.advance(days=2)
    award(t, m, 1)  # a write expires what is due first
    return m, txn


def test_an_entry_view_splits_a_credit_into_used_expired_and_remaining(
    tenant: Tenant, clock: Any
) -> None:
    _, txn = _credit_spent_then_lapsed(tenant, clock)
    with tenant.db.transaction(write=False) as s:
        (view,) = entry_views.entries(s, _principal(tenant), [parse("txn", txn)])
        assert (view.used, view.expired, view.remaining) == (3, 7, 0)


def test_the_shopsocially_transaction_shows_the_expired_part_of_an_award(
    tenant: Tenant, clock: Any
) -> None:
    _, txn = _credit_spent_then_lapsed(tenant, clock)
    headers = {"partner-id": tenant.partner_id, "api-key": tenant.api.token}
    r = tenant.client.get(f"{LOYALTY}/transactions/{txn}", headers=headers)
    assert r.status_code == 200, r.text
    got = r.json()["data"]
    assert (got["points_used"], got["points_expired"], got["available_points"]) == (3, 7, 0)


def test_profiles_come_in_the_order_asked_and_leave_out_unknown_ids(tenant: Tenant) -> None:
    a, b = insert_member(tenant), insert_member(tenant)
    award(tenant, b, 5)
    ids = [parse("mem", b), parse("mem", a), parse("mem", "mem_" + "0" * 32)]
    with tenant.db.transaction(write=False) as s:
        got = member_views.profiles(s, _principal(tenant), [i for i in ids if i is not None])
        assert [p.id for p in got] == ids[:2]
        assert got[0].points is not None and got[0].points.available == 5
        assert got[0].points.last_award is not None
        assert got[0].points.last_award.entry.amount == 5


def test_a_member_principal_gets_only_its_own_profile_and_entries(tenant: Tenant) -> None:
    me, other = insert_member(tenant), insert_member(tenant)
    mine, theirs = award(tenant, me, 3), award(tenant, other, 4)
    member = Principal.for_member(tenant.id, parse("mem", me))
    with tenant.db.transaction(write=False) as s:
        got = member_views.profiles(s, member, [parse("mem", other), parse("mem", me)])
        assert [p.id for p in got] == [parse("mem", me)]
        txns = [parse("txn", theirs["transactionId"]), parse("txn", mine["transactionId"])]
        views = entry_views.entries(s, member, txns)
        assert [v.id for v in views] == [parse("txn", mine["transactionId"])]
