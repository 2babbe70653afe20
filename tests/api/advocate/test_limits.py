"""The tenant's maximum points per award on the advocate face: its 400 with the core's
code (the document has no 422), naming ``amount``; nothing written."""

from __future__ import annotations

from tests.api.advocate.conftest import give, make_advocate, refused
from tests.factories import Api, Tenant


def test_an_award_over_the_limit_is_a_400_points_limit_exceeded(tenant: Tenant, api: Api) -> None:
    assert tenant.api.patch("/settings", json={"maxPointsPerAward": 250}).status_code == 200
    made = make_advocate(tenant)
    r = api.post(f"/advocates/{made['id']}/points", json={"amount": 251})
    error = refused(r, 400, "POINTS_LIMIT_EXCEEDED", "amount")
    assert "250" in error["message"]
    assert tenant.api.get(f"/members/{made['id']}/points").json()["balance"] == 0
    give(tenant, made["id"], 250)
    assert tenant.api.get(f"/members/{made['id']}/points").json()["balance"] == 250
