"""Every tier query is scoped to the caller's tenant (``tiers/repository.py``)."""

from __future__ import annotations

from tests.factories import Tenant


def test_another_tenants_tier_key_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    other_tenant.api.post("/tiers", json={"name": "Gold", "key": "gold"})
    assert other_tenant.api.get("/tiers/gold").status_code == 200
    assert tenant.api.get("/tiers/gold").status_code == 404


def test_a_key_taken_in_another_tenant_is_free_here(tenant: Tenant, other_tenant: Tenant) -> None:
    assert other_tenant.api.post("/tiers", json={"name": "Gold", "key": "gold"}).status_code == 201
    r = tenant.api.post("/tiers", json={"name": "Gold", "key": "gold"})
    assert r.status_code == 201, r.text
    assert r.json()["key"] == "gold"


def test_the_tier_list_holds_only_the_callers_tiers(tenant: Tenant, other_tenant: Tenant) -> None:
    other_tenant.api.post("/tiers", json={"name": "Theirs"})
    tenant.api.post("/tiers", json={"name": "Ours"})
    body = tenant.api.get("/tiers").json()
    assert [t["name"] for t in body["tiers"]] == ["Ours"]
    assert body["total"] == 1


def test_a_default_tier_unsets_only_this_tenants_default(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = other_tenant.api.post("/tiers", json={"name": "T", "isDefault": True}).json()
    tenant.api.post("/tiers", json={"name": "O", "isDefault": True})
    assert other_tenant.api.get(f"/tiers/{theirs['id']}").json()["isDefault"] is True
