"""``GET /members/{id}``: the core's member under its canonical UUID, in ``{"data"}``."""

from __future__ import annotations

from tests.api.addglow.conftest import NIL, native_member, refused, uuid_of, without
from tests.factories import Api, Tenant


def test_a_member_enrolled_natively_is_read_by_its_uuid(tenant: Tenant, api: Api) -> None:
    made = native_member(tenant, firstName="Ada", phone="+12125550100")
    r = api.get(f"/members/{uuid_of(made['id'])}")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["id"] == uuid_of(made["id"])
    assert data["email"] == made["email"] and data["firstName"] == "Ada"
    assert data["isBanned"] is False and data["isEmailVerified"] is False
    assert data["customAuthSub"] is None and data["joinedAt"] is None


def test_an_unknown_malformed_or_other_tenants_id_is_404(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    theirs = native_member(other_tenant)
    for id_ in (NIL, "not-a-uuid", uuid_of(theirs["id"])):
        refused(api.get(f"/members/{id_}"), 404, "NOT_FOUND")


def test_without_members_read_is_403_and_without_a_key_401(tenant: Tenant) -> None:
    made = native_member(tenant)
    refused(without(tenant, "members:read").get(f"/members/{uuid_of(made['id'])}"), 403,
            "INSUFFICIENT_SCOPE")  # fmt: skip
    r = tenant.client.get(f"/addglow/v1/members/{uuid_of(made['id'])}")
    refused(r, 401, "UNAUTHORIZED")
