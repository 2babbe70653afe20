"""One core behind both faces: a user made through `/v2/loyalty` is the member
`/api/v2` shows, with the same balance, and the reverse; ids, orders and levels are
the same objects whichever face names them."""

from __future__ import annotations

from tests.api.shopsocially.conftest import (
    Loyalty,
    award,
    make_activity,
    make_level,
    make_redemption,
    make_user,
    ok,
)
from tests.factories import Tenant, unique, verify_tenant

ALL_TIME = {"from_date": "01/01/2000", "to_date": "12/31/2099"}


def test_a_shopsocially_user_is_the_native_member_with_the_same_balance(
    ss: Loyalty, tenant: Tenant
) -> None:
    user = make_user(ss, uid="crm-42", gender="male")
    award(ss, user["user_email"], make_activity(ss)["activity_id"], points_passed=250)
    found = tenant.api.get("/members", params={"email": user["user_email"]}).json()["members"]
    (member,) = found
    assert member["id"] == user["user_id"]
    assert (member["externalId"], member["firstName"], member["lastName"]) == (
        "crm-42",
        "Rohit",
        "B",
    )
    assert member["metadata"]["gender"] == "male"
    points = tenant.api.get(f"/members/{member['id']}/points").json()
    assert points["balance"] == member["pointsBalance"] == 250
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 250


def test_a_native_member_is_a_shopsocially_user_with_the_same_balance(
    ss: Loyalty, tenant: Tenant
) -> None:
    email = f"{unique('native')}@example.com"
    r = tenant.api.post("/members", json={"email": email, "externalId": "erp-7",
                                          "firstName": "Ezio", "lastName": "Auditore"})  # fmt: skip
    member = r.json()
    tenant.api.post(f"/members/{member['id']}/points", json={"amount": 300, "description": "gift"})
    user = ok(ss.get(f"/users/{email.upper()}"))
    assert (user["user_id"], user["merchant_uid"], user["available_points"]) == (
        member["id"], "erp-7", 300,
    )  # fmt: skip
    deducted = ok(ss.post("/deduct", {"user_email": email, "reason": "adj", "points_passed": 100}))
    assert deducted["available_points"] == 200
    assert tenant.api.get(f"/members/{member['id']}").json()["pointsBalance"] == 200
    # Updated by the uid the merchant gave the native face.
    assert ok(ss.put("/users/erp-7", {"first_name": "Altair"}))["user_id"] == member["id"]
    verify_tenant(tenant)


def test_transaction_ids_are_shared(ss: Loyalty, tenant: Tenant) -> None:
    user = make_user(ss)
    awarded = award(ss, user["user_email"], make_activity(ss)["activity_id"])
    native = tenant.api.get(f"/points/transactions/{awarded['id']}").json()
    assert (native["id"], native["amount"], native["status"]) == (
        awarded["id"], 100, "auto_approved",
    )  # fmt: skip
    listed = ok(ss.get(f"/users/{user['user_email']}/transactions", ALL_TIME))
    assert [t["id"] for t in listed["transactions"]] == [awarded["id"]]


def test_a_native_order_is_returned_through_shopsocially(ss: Loyalty, tenant: Tenant) -> None:
    user = make_user(ss)
    order_id = unique("pos")
    r = tenant.api.post("/orders", json={"externalOrderId": order_id, "memberId": user["user_id"],
                                         "total": "80.00", "currency": "USD"})  # fmt: skip
    assert r.status_code == 201, r.text
    earned = r.json()["pointsAwarded"]
    data = ok(ss.post("/transaction/return", {"order_id": order_id, "returned_amount": "20"}))
    assert data["points"] == earned // 4
    order = tenant.api.get("/orders", params={"externalOrderId": order_id}).json()["orders"][0]
    assert (order["status"], order["pointsClawedBack"]) == ("partially_refunded", earned // 4)
    verify_tenant(tenant)


def test_configuration_is_shared(ss: Loyalty, tenant: Tenant) -> None:
    activity = make_activity(ss)
    level = make_level(ss)
    option = make_redemption(ss)
    assert tenant.api.get(f"/activities/{activity['id']}").json()["key"] == activity["activity_id"]
    assert tenant.api.get(f"/tiers/{level['id']}").json()["name"] == level["level_name"]
    native = tenant.api.get(f"/rewards/{option['id']}").json()
    assert (native["key"], native["pointsCost"]) == (option["redemption_id"], 1000)
