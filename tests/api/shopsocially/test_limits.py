"""The tenant's maximum points per award on the ShopSocially face: its reason envelope,
with the 422 status; nothing written."""

from __future__ import annotations

from tests.api.shopsocially.conftest import Loyalty, award, make_activity, make_user, refused
from tests.factories import Tenant

REASON = "Points exceed the maximum allowed per award"


def _balance(t: Tenant, email: str) -> int:
    found = t.api.get("/members", params={"email": email}).json()["members"]
    return int(t.api.get(f"/members/{found[0]['id']}/points").json()["balance"])


def test_an_award_over_the_limit_is_refused_in_the_reason_envelope(
    tenant: Tenant, ss: Loyalty
) -> None:
    assert tenant.api.patch("/settings", json={"maxPointsPerAward": 300}).status_code == 200
    user = make_user(ss)
    activity = make_activity(ss)["activity_id"]
    body = {"user_email": user["user_email"], "activity_id": activity}
    refused(ss.post("/award", {**body, "points_passed": 301}), 422, REASON)
    # With an order id too: neither the award nor its order is written.
    refused(ss.post("/award", {**body, "points_passed": 5000, "order_id": "O-9"}), 422, REASON)
    assert tenant.api.get("/orders").json()["orders"] == []
    # The activity's own points (100) are under the limit.
    award(ss, user["user_email"], activity)
    award(ss, user["user_email"], activity, points_passed=300, order_id="O-9")
    assert _balance(tenant, user["user_email"]) == 400


def test_an_activity_whose_points_exceed_the_limit_is_refused(tenant: Tenant, ss: Loyalty) -> None:
    assert tenant.api.patch("/settings", json={"maxPointsPerAward": 99}).status_code == 200
    user = make_user(ss)
    activity = make_activity(ss)["activity_id"]  # 100 points
    r = ss.post("/award", {"user_email": user["user_email"], "activity_id": activity})
    refused(r, 422, REASON)
