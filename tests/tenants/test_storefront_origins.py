"""Which tenants list a storefront origin (the CORS of ``/api/v2/me``): any tenant's
list for a preflight, the member's own tenant for the answer."""

from __future__ import annotations

from punchcard.kit.ids import new_id
from punchcard.tenants import service
from tests.factories import Tenant, unique


def test_origin_listed_by_any_tenant_and_allowed_for_its_own(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    shop = f"https://{unique('shop')}.example"
    with tenant.db.transaction() as s:
        service.update_settings(s, tenant.id, {"storefront_origins": [shop, shop + ":8443"]})
    with tenant.db.transaction(write=False) as s:
        assert service.origin_listed(s, shop)
        assert service.origin_listed(s, shop + ":8443")
        assert not service.origin_listed(s, shop.replace(".example", "_example"))
        assert not service.origin_listed(s, shop.replace("https://", "https://%"))
        assert not service.origin_listed(s, shop + "/")
        assert service.origin_allowed(s, tenant.id, shop)
        assert not service.origin_allowed(s, other_tenant.id, shop)
        assert not service.origin_allowed(s, new_id(), shop)
