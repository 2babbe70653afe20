"""No request, however malformed, gets a 500 or leaves the face's envelope."""

from __future__ import annotations

import pytest

from tests.api.shopsocially.conftest import (
    Loyalty,
    make_activity,
    make_level,
    make_redemption,
    make_user,
    refused,
)

ODD = ["", " ", "NaN", "-1", "1e30", "x" * 300, "\u00e9\u00e9", "[1,2]", "{}", "0", "true"]


@pytest.mark.parametrize("value", ODD)
def test_odd_values_in_every_parameter_are_refused_cleanly(ss: Loyalty, value: str) -> None:
    user = make_user(ss)
    activity = make_activity(ss)
    option = make_redemption(ss)
    level = make_level(ss)
    calls = [
        ("POST", "/award", ["user_email", "activity_id", "points_passed", "order_id"]),
        ("POST", "/redeem", ["user_email", "redemption_id"]),
        ("POST", "/deduct", ["user_email", "reason", "points_passed"]),
        ("POST", "/transaction/return", ["order_id", "returned_amount"]),
        ("GET", "/transactions", ["from_date", "to_date", "points_status", "start_index"]),
        ("GET", "/users", ["from_date", "to_date", "filter_by", "start_index", "count"]),
        ("POST", "/users", ["email", "first_name", "last_name", "uid", "loyalty_level_id"]),
        ("PUT", f"/users/{user['merchant_uid']}", ["loyalty_level_id", "email", "gender"]),
        ("PUT", f"/activities/{activity['activity_id']}",
         ["points_per_activity", "bonus_multiplier", "max_award_frequency", "is_active"]),
        ("PUT", f"/redemptions/{option['redemption_id']}",
         ["allowed_redeem_points", "redemption_value", "coupon_expiry", "associated_levels"]),
        ("PUT", f"/levels/{level['level_id']}",
         ["level_position", "level_minimum_points", "level_bonus_multiplier", "level_type"]),
        ("GET", "/redemptions", ["start_index", "count"]),
    ]  # fmt: skip
    base = {
        "user_email": user["user_email"],
        "activity_id": activity["activity_id"],
        "redemption_id": option["redemption_id"],
        "reason": "r",
        "points_passed": "1",
        "from_date": "01/01/2020",
        "to_date": "01/01/2030",
    }
    for method, path, names in calls:
        for name in names:
            params = {**base, name: value}
            if method == "GET":
                r = ss.get(path, params)
            elif method == "POST":
                r = ss.post(path, params)
            else:
                r = ss.put(path, params)
            assert r.status_code < 500, (method, path, name, r.text)
            if r.status_code >= 400:
                refused(r, r.status_code)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b'{"user_email": {"a": 1}}'],
)
def test_malformed_bodies_are_400(ss: Loyalty, body: bytes) -> None:
    # Not UTF-8, sent as a form (text/plain is a 415: tests/api/test_content_types.py).
    form = "application/x-www-form-urlencoded"
    ctype = "application/json" if body.startswith((b"{", b"[", b'"')) else form
    r = ss.client.post(
        "/v2/loyalty/award", content=body, headers={**ss.headers, "content-type": ctype}
    )
    refused(r, 400)


def test_nul_characters_are_400(ss: Loyalty) -> None:
    refused(ss.post("/award", json={"user_email": "a\x00@b.c", "activity_id": "x"}), 400)
    refused(ss.post("/award", {"user_email": "a@b.c", "activity_id": "x\x00"}), 400)
    refused(ss.get("/users/a%00b"), 400)
