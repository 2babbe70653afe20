"""A tier by name (``tiers.service.get_tier(by_name=True)``, the advocate face's
``tier``): case-insensitive, after the id and the key, only in the caller's tenant."""

from __future__ import annotations

import pytest

from punchcard.errors import TierNotFound
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.tiers import service as tiers
from tests.factories import Tenant


def test_a_tier_is_found_by_name_only_when_asked_and_only_in_its_tenant(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    assert tenant.api.post("/tiers", json={"name": "Gold Club", "key": "gold"}).status_code == 201
    assert other_tenant.api.post("/tiers", json={"name": "Silver"}).status_code == 201
    with tenant.db.transaction(write=False) as s:
        p = Principal(tenant_id=tenant.id, scopes=frozenset(ALL_SCOPES))
        assert tiers.get_tier(s, p, tier_id="gold club", by_name=True).key == "gold"
        assert tiers.get_tier(s, p, tier_id="gold", by_name=True).name == "Gold Club"
        with pytest.raises(TierNotFound):
            tiers.get_tier(s, p, tier_id="Gold Club")
        with pytest.raises(TierNotFound):
            tiers.get_tier(s, p, tier_id="Silver", by_name=True)
