"""One credential cache for every face (``api.common.auth.cached_principal``): a key
seen in the last second resolves without a lookup, but what is cached is exactly what
was checked, and revoking a key drops it on every face at once."""

from __future__ import annotations

from tests.api.shopsocially.conftest import BASE
from tests.factories import Api, Tenant


def _loyalty(key: Api, partner_id: str):  # type: ignore[no-untyped-def]
    return key.client.get(
        f"{BASE}/activities", headers={"partner-id": partner_id, "api-key": key.token}
    )


def _revoke(tenant: Tenant, key: Api) -> None:
    keys = tenant.owner.get("/api-keys").json()["apiKeys"]
    kid = next(k["id"] for k in keys if key.token.startswith(k["prefix"]))
    assert tenant.owner.delete(f"/api-keys/{kid}").status_code == 204


def test_a_revoked_key_is_refused_at_once_on_both_faces_though_cached(tenant: Tenant) -> None:
    key = tenant.key("points:read", "stores:read")
    assert key.get("/stores").status_code == 200
    assert _loyalty(key, tenant.partner_id).status_code == 200
    _revoke(tenant, key)
    assert key.get("/stores").status_code == 401
    assert _loyalty(key, tenant.partner_id).status_code == 401


def test_a_cached_pair_does_not_admit_the_key_with_another_partner_id(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    key = tenant.key("points:read")
    assert _loyalty(key, tenant.partner_id).status_code == 200
    assert _loyalty(key, other_tenant.partner_id).status_code == 401


def test_a_key_cached_by_the_native_face_still_needs_its_partner_id(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    key = tenant.key("points:read", "stores:read")
    assert key.get("/stores").status_code == 200
    assert _loyalty(key, other_tenant.partner_id).status_code == 401
    assert _loyalty(key, tenant.partner_id).status_code == 200
