"""``orders.service.effects`` and ``member_emails``: what the dashboard's order page
and list read about an order — its ledger entries and refunds, its member's email —
of the caller's tenant only."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from punchcard.errors import NotFound
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.orders import service
from tests.factories import Tenant, insert_member, unique


def staff(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES))


def test_effects_list_the_award_clawbacks_and_refunds_oldest_first(tenant: Tenant) -> None:
    member = insert_member(tenant, email=f"{unique('fx')}@example.com")
    ext = unique("fx")
    r = tenant.api.post("/orders", json={"externalOrderId": ext, "memberId": member, "total": "50"})
    assert r.status_code == 201, r.text
    for amount in ("10", "40"):
        done = tenant.api.post(f"/orders/{ext}/refund", json={"amount": amount, "reason": amount})
        assert done.status_code == 200, done.text
    with tenant.db.transaction() as s:
        order = service.get_by_external(s, staff(tenant), external_order_id=ext)
        found = service.effects(s, staff(tenant), order=order)
        assert [e.type for e in found.entries] == ["award", "clawback", "clawback"]
        assert found.entries[0].amount > 0 and found.entries[-1].balance_after == 0
        assert [r.amount for r in found.refunds] == [Decimal("10.00"), Decimal("40.00")]
        assert [r.reason for r in found.refunds] == ["10", "40"]
        emails = service.member_emails(s, staff(tenant), [order])
        assert emails == {
            uuid.UUID(member[4:]): tenant.api.get(f"/members/{member}").json()["email"]
        }


def test_another_tenants_order_has_no_effects_and_no_emails(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = insert_member(other_tenant)
    ext = unique("theirs")
    body = {"externalOrderId": ext, "memberId": theirs, "total": "5"}
    assert other_tenant.api.post("/orders", json=body).status_code == 201
    with tenant.db.transaction() as s:
        order = service.get_by_external(s, staff(other_tenant), external_order_id=ext)
        with pytest.raises(NotFound):
            service.effects(s, staff(tenant), order=order)
        assert service.member_emails(s, staff(tenant), [order]) == {}
