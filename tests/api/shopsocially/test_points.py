"""Award, Redeem, Deduct Points and Return Order (functions 1, 2, 3, 24), from the
document's own requests and responses."""

from __future__ import annotations

from tests.api.shopsocially.conftest import (
    Loyalty,
    award,
    make_activity,
    make_redemption,
    make_user,
    ok,
    refused,
)
from tests.api.shopsocially.document import (
    AWARD_KEYS,
    DEDUCT_KEYS,
    REDEEM_KEYS,
    RETURN,
    TIME,
    assert_keys,
    assert_shape,
)
from tests.factories import Tenant, unique, verify_tenant

# 1. Award Points ----------------------------------------------------------------------


def test_award_answers_the_documented_fields(ss: Loyalty) -> None:
    user = make_user(ss, first_name="Rohit", last_name="B")
    activity = make_activity(ss, points_per_activity=100)
    data = award(ss, user["user_email"], activity["activity_id"])
    assert_keys(data, AWARD_KEYS)
    assert data["user_id"] == user["user_id"]
    assert (data["user_first_name"], data["user_last_name"]) == ("Rohit", "B")
    assert data["activity_id"] == activity["activity_id"]
    assert data["activity_name"] == activity["activity_name"]
    assert data["transaction_type"] == "award"
    assert data["points"] == 100
    assert data["points_status"] == "auto_approved"
    assert data["partner_id"] == ss.partner_id
    assert TIME.match(data["created_time"])
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 100


def test_award_takes_the_documents_curl_body_with_its_stray_spaces(ss: Loyalty) -> None:
    # curl --data "user_email= <email>" --data " points_passed = <n>" --data " activity_id= <id>"
    user = make_user(ss)
    activity = make_activity(ss)
    body = (
        f"user_email= {user['user_email']}&+points_passed+=+40&+activity_id=+"
        f"{activity['activity_id']}"
    )
    r = ss.client.post(
        "/v2/loyalty/award",
        content=body,
        headers={**ss.headers, "content-type": "application/x-www-form-urlencoded"},
    )
    assert ok(r)["points"] == 40


def test_award_takes_a_json_body(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss)
    r = ss.post(
        "/award",
        json={"user_email": user["user_email"], "activity_id": activity["activity_id"],
              "points_passed": 25},
    )  # fmt: skip
    assert ok(r)["points"] == 25


def test_award_finds_the_user_whatever_the_emails_case(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss)
    assert (
        award(ss, user["user_email"].upper(), activity["activity_id"])["user_id"]
        == (user["user_id"])
    )


def test_points_passed_overrides_a_fixed_activity(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss, points_per_activity=100)
    assert award(ss, user["user_email"], activity["activity_id"], points_passed=7)["points"] == 7


def test_a_bonus_multiplier_activity_multiplies_points_passed(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss, activity_type="bonus_multiplier", bonus_multiplier="1.5")
    data = award(ss, user["user_email"], activity["activity_id"], points_passed=100)
    assert data["points"] == 150


def test_a_bonus_multiplier_activity_needs_points_passed(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss, activity_type="bonus_multiplier", bonus_multiplier=2)
    r = ss.post(
        "/award", {"user_email": user["user_email"], "activity_id": activity["activity_id"]}
    )
    assert "points_passed" in refused(r, 400)


def test_the_builtin_purchase_activity_is_made_a_purchase(ss: Loyalty) -> None:
    user = make_user(ss)
    data = award(ss, user["user_email"], "made_a_purchase", points_passed="49.99", order_id="o-1")
    assert data["activity_name"] == "Made a Purchase"
    assert data["points"] == 49


def test_an_order_id_is_awarded_once(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss)
    first = award(ss, user["user_email"], activity["activity_id"], order_id="1452749387649368175")
    again = award(ss, user["user_email"], activity["activity_id"], order_id="1452749387649368175")
    assert again["id"] == first["id"]
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 100


def test_an_order_id_awarded_to_another_user_is_order_id_already_used(ss: Loyalty) -> None:
    first, second = make_user(ss), make_user(ss)
    activity = make_activity(ss)
    award(ss, first["user_email"], activity["activity_id"], order_id="1452749387649368175")
    r = ss.post(
        "/award",
        {
            "user_email": second["user_email"],
            "activity_id": activity["activity_id"],
            "order_id": "1452749387649368175",
        },
    )
    refused(r, 409, "Order ID already used")


def test_an_unknown_activity_is_invalid_activity_id(ss: Loyalty) -> None:
    user = make_user(ss)
    r = ss.post("/award", {"user_email": user["user_email"], "activity_id": "no_such_activity"})
    refused(r, 404, "Invalid Activity ID")


def test_another_tenants_activity_is_invalid_activity_id(ss: Loyalty, other_ss: Loyalty) -> None:
    user = make_user(ss)
    theirs = make_activity(other_ss)
    for ref in (theirs["activity_id"], theirs["id"]):
        r = ss.post("/award", {"user_email": user["user_email"], "activity_id": ref})
        refused(r, 404, "Invalid Activity ID")


def test_an_unknown_user_is_invalid_user(ss: Loyalty, other_ss: Loyalty) -> None:
    activity = make_activity(ss)
    theirs = make_user(other_ss)
    for email in ("nobody@example.com", theirs["user_email"], "not-an-email"):
        r = ss.post("/award", {"user_email": email, "activity_id": activity["activity_id"]})
        refused(r, 404, "Invalid User")


def test_award_without_a_required_parameter_is_missing_parameters(ss: Loyalty) -> None:
    user = make_user(ss)
    refused(ss.post("/award", {"user_email": user["user_email"]}), 400, "missing parameters")
    refused(ss.post("/award", {"activity_id": "made_a_purchase"}), 400, "missing parameters")
    refused(ss.post("/award", {}), 400, "missing parameters")


def test_an_inactive_activity_refuses(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss, is_active="False")
    r = ss.post(
        "/award", {"user_email": user["user_email"], "activity_id": activity["activity_id"]}
    )
    refused(r, 422, "Activity is not active")


def test_the_award_frequency_cap_refuses(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss, max_award_frequency=1, max_award_frequency_interval="lifetime")
    award(ss, user["user_email"], activity["activity_id"])
    r = ss.post(
        "/award", {"user_email": user["user_email"], "activity_id": activity["activity_id"]}
    )
    refused(r, 422, "Maximum award frequency reached for this activity")


def test_a_manual_activity_awards_pending_points(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss, approval_method="manually")
    assert award(ss, user["user_email"], activity["activity_id"])["points_status"] == "pending"
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 0


# 2. Redeem Points ---------------------------------------------------------------------


def _rich_user(ss: Loyalty, points: int) -> dict[str, str]:
    user = make_user(ss)
    activity = make_activity(ss)
    award(ss, user["user_email"], activity["activity_id"], points_passed=points)
    return user


def test_redeem_answers_the_documented_fields_with_a_coupon_code(ss: Loyalty) -> None:
    user = _rich_user(ss, 1500)
    option = make_redemption(ss, allowed_redeem_points=1000, giftcard_coupon_codes="GET50OFF")
    r = ss.post(
        "/redeem", {"user_email": user["user_email"], "redemption_id": option["redemption_id"]}
    )
    data = ok(r)
    assert_keys(data, REDEEM_KEYS)
    assert data["redemption_id"] == option["redemption_id"]
    assert data["redemption_name"] == "$50 Gift card"
    assert data["redemption_value"] == "50"
    assert data["transaction_type"] == "redeem"
    assert (data["points"], data["points_status"]) == (1000, "redeemed")
    assert data["coupon_code"] == "GET50OFF"
    assert data["partner_id"] == ss.partner_id
    assert ok(ss.get(f"/users/{user['user_email']}"))["redeemed_points"] == 1000
    # The code is handed out once: the option has none left.
    assert ok(ss.get(f"/redemptions/{option['redemption_id']}"))["giftcard_coupon_codes"] == ""


def test_redeem_with_too_few_points_refuses_and_charges_nothing(ss: Loyalty) -> None:
    user = _rich_user(ss, 10)
    option = make_redemption(ss, allowed_redeem_points=1000)
    r = ss.post(
        "/redeem", {"user_email": user["user_email"], "redemption_id": option["redemption_id"]}
    )
    refused(r, 422, "Insufficient points")
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 10


def test_redeem_when_no_code_is_left_refuses(ss: Loyalty) -> None:
    user = _rich_user(ss, 100)
    option = make_redemption(ss, allowed_redeem_points=10, giftcard_coupon_codes=unique("ONE"))
    body = {"user_email": user["user_email"], "redemption_id": option["redemption_id"]}
    ok(ss.post("/redeem", body))
    refused(ss.post("/redeem", body), 409, "No coupon codes left for this redemption option")
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 90


def test_an_unknown_or_foreign_redemption_is_invalid_redemption_id(
    ss: Loyalty, other_ss: Loyalty
) -> None:
    user = _rich_user(ss, 100)
    theirs = make_redemption(other_ss)
    for ref in ("no_such_option", theirs["redemption_id"], theirs["id"]):
        r = ss.post("/redeem", {"user_email": user["user_email"], "redemption_id": ref})
        refused(r, 404, "Invalid Redemption ID")


def test_an_inactive_redemption_refuses(ss: Loyalty) -> None:
    user = _rich_user(ss, 100)
    option = make_redemption(ss, allowed_redeem_points=10, is_active="false")
    r = ss.post(
        "/redeem", {"user_email": user["user_email"], "redemption_id": option["redemption_id"]}
    )
    refused(r, 422, "Redemption option is not active")


# 3. Deduct Points ---------------------------------------------------------------------


def test_deduct_answers_the_documented_fields(ss: Loyalty) -> None:
    user = _rich_user(ss, 2500)
    r = ss.post(
        "/deduct", {"user_email": user["user_email"], "reason": "Fraud", "points_passed": "1000"}
    )
    data = ok(r)
    assert_keys(data, DEDUCT_KEYS)
    assert (data["transaction_type"], data["points_status"]) == ("deduct", "deducted")
    assert data["points"] == 1000
    assert data["available_points"] == 1500
    txn = ok(ss.get(f"/transactions/{data['id']}"))
    assert txn["reason"] == "Fraud"


def test_deduct_beyond_the_balance_refuses(ss: Loyalty) -> None:
    user = _rich_user(ss, 10)
    r = ss.post("/deduct", {"user_email": user["user_email"], "reason": "x", "points_passed": 11})
    refused(r, 422, "Insufficient points")


def test_deduct_of_an_unknown_user_is_invalid_user(ss: Loyalty) -> None:
    r = ss.post("/deduct", {"user_email": "ghost@example.com", "reason": "x", "points_passed": 1})
    refused(r, 404, "Invalid User")


def test_deduct_needs_a_reason_and_a_positive_whole_number(ss: Loyalty) -> None:
    user = _rich_user(ss, 10)
    email = user["user_email"]
    refused(
        ss.post("/deduct", {"user_email": email, "points_passed": 1}), 400, "missing parameters"
    )
    for bad in ("-5", "0", "1.5", "ten"):
        r = ss.post("/deduct", {"user_email": email, "reason": "x", "points_passed": bad})
        assert refused(r, 400).startswith("Invalid points_passed")


# 24. Return Order ---------------------------------------------------------------------


def _purchase(ss: Loyalty, amount: str = "100") -> tuple[dict[str, str], str]:
    user = make_user(ss)
    order_id = unique("order")
    award(ss, user["user_email"], "made_a_purchase", points_passed=amount, order_id=order_id)
    return user, order_id


def test_a_partial_return_recomputes_points_on_what_remains(ss: Loyalty) -> None:
    user, order_id = _purchase(ss, "100")
    r = ss.post("/transaction/return", {"order_id": order_id, "returned_amount": "25"})
    data = ok(r)
    assert_shape(data, {**RETURN, "returned_for_order_id": order_id})
    assert data["returned_for_order_id"] == order_id
    assert (data["transaction_type"], data["points_status"]) == ("deduct", "deducted")
    assert data["reason"] == "Order Partially Returned"
    assert data["points"] == 25
    assert data["user_id"] == user["user_id"]
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 75


def test_a_return_without_an_amount_is_the_whole_order(ss: Loyalty, tenant: Tenant) -> None:
    user, order_id = _purchase(ss, "100")
    data = ok(ss.post("/transaction/return", {"order_id": order_id}))
    assert (data["reason"], data["points"]) == ("Order Returned", 100)
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 0
    verify_tenant(tenant)


def test_returning_more_than_is_left_refuses_with_the_documents_reason(ss: Loyalty) -> None:
    _user, order_id = _purchase(ss, "100")
    r = ss.post("/transaction/return", {"order_id": order_id, "returned_amount": "101"})
    refused(r, 400, "Points to deduct is greater than points available to deduct for the Order ID")
    ok(ss.post("/transaction/return", {"order_id": order_id}))
    r = ss.post("/transaction/return", {"order_id": order_id})
    refused(r, 400, "Points to deduct is greater than points available to deduct for the Order ID")


def test_an_unknown_or_foreign_order_is_invalid_order_id(ss: Loyalty, other_ss: Loyalty) -> None:
    _user, theirs = _purchase(other_ss)
    for order_id in ("no-such-order", theirs):
        refused(ss.post("/transaction/return", {"order_id": order_id}), 404, "Invalid Order ID")
    refused(ss.post("/transaction/return", {}), 400, "missing parameters")


def test_a_return_of_a_pending_award_is_a_pending_deduction(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss, approval_method="manual")
    order_id = unique("order")
    award(ss, user["user_email"], activity["activity_id"], points_passed=10, order_id=order_id)
    data = ok(ss.post("/transaction/return", {"order_id": order_id, "returned_amount": "5"}))
    assert data["points_status"] == "pending_deduction"


def test_an_idempotency_key_replays_the_first_award(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss)
    body = {"user_email": user["user_email"], "activity_id": activity["activity_id"]}
    key = {"Idempotency-Key": unique("idem")}
    first = ss.post("/award", body, headers=key)
    again = ss.post("/award", body, headers=key)
    assert ok(again) == ok(first)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 100
