"""Strict input types on both faces: a value of another JSON type than the one
documented is a 400 naming the field, in the face's own envelope; it is never coerced
(`"isActive": 0` is not false). Form and query values (text) keep working as the
ShopSocially document sends them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.shopsocially.conftest import (
    Loyalty,
    make_activity,
    make_level,
    make_redemption,
    make_user,
    ok,
    refused,
)
from tests.factories import Tenant, insert_member, unique

# --- native ---------------------------------------------------------------------------


def _field(r: Any) -> str:
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "VALIDATION_ERROR", error
    return str(error["field"])


@pytest.mark.parametrize("value", [0, 1, 0.0, "true", "false", []])
def test_a_boolean_takes_only_true_or_false(tenant: Tenant, value: Any) -> None:
    reward = tenant.api.post("/rewards", json={"name": "Mug", "pointsCost": 10}).json()
    r = tenant.api.patch(f"/rewards/{reward['id']}", json={"isActive": value})
    assert _field(r) == "isActive"
    assert tenant.api.get(f"/rewards/{reward['id']}").json()["isActive"] is True


def test_a_webhook_flag_is_a_boolean(tenant: Tenant) -> None:
    r = tenant.api.patch("/webhooks/wh_0000", json={"enabled": 0.0})
    assert _field(r) == "enabled"


@pytest.mark.parametrize("value", [False, 5, ["/shop"], {"a": 1}])
def test_a_string_takes_only_a_string(tenant: Tenant, value: Any) -> None:
    r = tenant.api.post("/tracking/events", json={"type": "page_view", "url": value})
    assert _field(r) == "url"


@pytest.mark.parametrize("value", ["500", 500.0, 5e2, True])
def test_an_integer_takes_only_a_json_integer(tenant: Tenant, value: Any) -> None:
    member = insert_member(tenant)
    r = tenant.api.post(f"/members/{member}/points", json={"amount": value})
    assert _field(r) == "amount"
    assert tenant.api.post(f"/members/{member}/points", json={"amount": 500}).is_success


def test_a_nested_field_is_named_by_its_path(tenant: Tenant) -> None:
    member = insert_member(tenant)
    body = {
        "externalOrderId": unique("SO"),
        "memberId": member,
        "total": "10.00",
        "items": [{"price": "10.00", "eligible": 1}],
    }
    assert _field(tenant.api.post("/orders", json=body)) == "items.0.eligible"


@pytest.mark.parametrize("value", ["240.50", 240.5, 240])
def test_money_takes_a_number_or_a_decimal_string(tenant: Tenant, value: Any) -> None:
    member = insert_member(tenant)
    body = {"externalOrderId": unique("SO"), "memberId": member, "total": value}
    r = tenant.api.post("/orders", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["total"] in ("240.50", "240.00")


@pytest.mark.parametrize("value", [True, "1e3", "$5", [1]])
def test_money_refuses_anything_else(tenant: Tenant, value: Any) -> None:
    member = insert_member(tenant)
    body = {"externalOrderId": unique("SO"), "memberId": member, "total": value}
    assert _field(tenant.api.post("/orders", json=body)) == "total"


@pytest.mark.parametrize("value", [0, 1_700_000_000, "0", "1700000000"])
def test_a_time_is_an_iso_string_not_a_unix_time(tenant: Tenant, value: Any) -> None:
    member = insert_member(tenant)
    r = tenant.api.post(f"/members/{member}/points", json={"amount": 5, "expiresAt": value})
    assert _field(r) == "expiresAt"


def test_query_and_path_parameters_are_still_read_from_text(tenant: Tenant) -> None:
    r = tenant.api.get("/rewards?active=true&limit=5&offset=0")
    assert r.status_code == 200, r.text
    assert r.json()["limit"] == 5


# --- ShopSocially ---------------------------------------------------------------------


@pytest.fixture
def ss(tenant: Tenant) -> Loyalty:
    return Loyalty(tenant.client, tenant.partner_id, tenant.api.token)


def _invalid(r: Any, name: str) -> None:
    reason = refused(r, 400)
    assert reason.startswith(f"Invalid {name}:"), reason


@pytest.mark.parametrize("value", [0, 1, "false", "False"])
def test_a_json_boolean_is_true_or_false(ss: Loyalty, value: Any) -> None:
    activity = make_activity(ss)
    r = ss.put(f"/activities/{activity['activity_id']}", json={"is_active": value})
    _invalid(r, "is_active")
    assert (
        ok(ss.put(f"/activities/{activity['activity_id']}", json={"is_active": False}))["is_active"]
        is False
    )


@pytest.mark.parametrize(("text", "expected"), [("False", False), ("true", True), ("TRUE", True)])
def test_a_form_boolean_is_true_or_false_in_any_case(
    ss: Loyalty, text: str, expected: bool
) -> None:
    # The document's own curl sends `is_active = False`.
    level = make_level(ss)
    assert ok(ss.put(f"/levels/{level['level_id']}", {"is_active": text}))["is_active"] is expected


@pytest.mark.parametrize("text", ["0", "1", "yes", "off"])
def test_a_form_boolean_is_nothing_else(ss: Loyalty, text: str) -> None:
    level = make_level(ss)
    _invalid(ss.put(f"/levels/{level['level_id']}", {"is_default": text}), "is_default")


@pytest.mark.parametrize("value", ["10", 10.0, True])
def test_a_json_number_is_a_number(ss: Loyalty, value: Any) -> None:
    activity = make_activity(ss)
    r = ss.put(f"/activities/{activity['activity_id']}", json={"max_award_frequency": value})
    _invalid(r, "max_award_frequency")


def test_a_form_number_is_a_numeral(ss: Loyalty) -> None:
    activity = make_activity(ss)
    path = f"/activities/{activity['activity_id']}"
    assert ok(ss.put(path, {"max_award_frequency": "7"}))["max_award_frequency"] == 7
    _invalid(ss.put(path, {"max_award_frequency": "7.5"}), "max_award_frequency")
    _invalid(ss.put(path, {"points_per_activity": "ten"}), "points_per_activity")


def test_a_query_number_is_a_numeral(ss: Loyalty) -> None:
    assert ok(ss.get("/redemptions", {"count": "5", "start_index": "0"}))["next_start_index"] == 5
    _invalid(ss.get("/redemptions", {"count": "five"}), "count")


def test_a_json_string_is_a_string(ss: Loyalty) -> None:
    user = make_user(ss)
    _invalid(ss.put(f"/users/{user['merchant_uid']}", json={"first_name": False}), "first_name")


def test_giftcard_coupon_codes_are_a_comma_separated_string(ss: Loyalty) -> None:
    option = make_redemption(ss)
    path = f"/redemptions/{option['redemption_id']}"
    codes = [unique("C"), unique("C")]
    _invalid(ss.put(path, json={"giftcard_coupon_codes": codes}), "giftcard_coupon_codes")
    data = ok(ss.put(path, json={"giftcard_coupon_codes": ",".join(codes)}))
    assert set(codes) <= set(data["giftcard_coupon_codes"].split(","))


@pytest.mark.parametrize("value", ["5", 5])
def test_deducts_points_passed_is_a_string_value_or_a_number(ss: Loyalty, value: Any) -> None:
    # The document's table: `points_passed String Value` (Award's is a Number).
    user = make_user(ss)
    ss_award = make_activity(ss, points_per_activity=50, is_active="true")
    ok(
        ss.post(
            "/award", {"user_email": user["user_email"], "activity_id": ss_award["activity_id"]}
        )
    )
    body = {"user_email": user["user_email"], "reason": "r", "points_passed": value}
    assert ok(ss.post("/deduct", json=body))["points"] == 5


@pytest.mark.parametrize("value", [True, 5.5, "5.5", "five", "-5", "\u0663"])
def test_deducts_points_passed_is_a_whole_number(ss: Loyalty, value: Any) -> None:
    user = make_user(ss)
    body = {"user_email": user["user_email"], "reason": "r", "points_passed": value}
    _invalid(ss.post("/deduct", json=body), "points_passed")


def test_a_missing_parameter_is_still_missing_parameters(ss: Loyalty) -> None:
    # A wrong type beside a missing parameter: the document's "missing parameters".
    r = ss.post("/activities", json={"is_active": 0})
    assert refused(r, 400) == "missing parameters"
