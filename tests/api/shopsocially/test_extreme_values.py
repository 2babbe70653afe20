"""Values real systems send at the edges: ERPs write "no end date" as 12/31/9999 (and
"since the beginning" as 01/01/0001), and a number can be as long as a field allows.
A window's open edge past the range reads as that edge, a coupon expiry past it as no
expiry; every other out-of-range value is a 400 naming the parameter in the face's
envelope, never a 500 (issue 13)."""

from __future__ import annotations

import pytest

from tests.api.shopsocially.conftest import (
    Loyalty,
    award,
    make_activity,
    make_redemption,
    make_user,
    ok,
    refused,
)
from tests.factories import unique

NO_END = ["12/31/9999", "9999-12-31", "12/31/9001"]
NO_START = ["01/01/0001", "0001-01-01", "12/31/1899"]
TOTALS = {"/transactions": "total", "/users": "total_loyalty_users"}


@pytest.mark.parametrize("path", ["/transactions", "/users"])
@pytest.mark.parametrize("day", NO_END)
def test_a_to_date_past_the_range_is_no_end_date(ss: Loyalty, path: str, day: str) -> None:
    """ERPs write "no end date" as 12/31/9999: every day from from_date on."""
    user = make_user(ss)
    award(ss, user["user_email"], make_activity(ss)["activity_id"])
    page = ok(ss.get(path, {"from_date": "01/01/2020", "to_date": day}))
    assert page[TOTALS[path]] >= 1, page
    bounded = ok(ss.get(path, {"from_date": "01/01/2020", "to_date": "12/31/9000"}))
    assert page[TOTALS[path]] == bounded[TOTALS[path]]


@pytest.mark.parametrize("path", ["/transactions", "/users"])
@pytest.mark.parametrize("day", NO_START)
def test_a_from_date_before_the_range_is_since_the_beginning(
    ss: Loyalty, path: str, day: str
) -> None:
    user = make_user(ss)
    award(ss, user["user_email"], make_activity(ss)["activity_id"])
    page = ok(ss.get(path, {"from_date": day, "to_date": "12/31/2099"}))
    assert page[TOTALS[path]] >= 1, page


@pytest.mark.parametrize("path", ["/transactions", "/users"])
@pytest.mark.parametrize(
    ("field", "day"),
    [("from_date", "12/31/9999"), ("from_date", "9999-12-31"), ("to_date", "01/01/0001")],
)
def test_a_window_edge_past_the_range_on_the_wrong_side_is_refused(
    ss: Loyalty, path: str, field: str, day: str
) -> None:
    """A start after the last day or an end before the first reads as no day at all:
    a mistake, refused naming it."""
    window = {"from_date": "01/01/2020", "to_date": "12/31/9999", field: day}
    r = ss.get(path, window)
    assert refused(r, 400).startswith(f"Invalid {field}"), r.text


def _option(day: str) -> dict[str, str | int]:
    return {
        "redemption_id": unique("far").replace("-", "_"),
        "redemption_name": "$50 Gift card",
        "is_active": "true",
        "allowed_redeem_points": 1000,
        "redemption_value": "$50",
        "giftcard_description": "$50 Gift Card",
        "terms_and_conds_text": "redeem code at checkout",
        "redemption_instructions": "apply the code at checkout",
        "giftcard_coupon_codes": unique("C"),
        "coupon_expiry": day,
    }


@pytest.mark.parametrize("day", ["31-Dec-9999", "12/31/9999", "9999-12-31"])
def test_a_coupon_expiry_past_the_range_is_no_expiry(ss: Loyalty, day: str) -> None:
    made = ok(ss.post("/redemptions", _option(day)))
    assert made["coupon_expiry"] == "", made
    shown = ok(ss.get(f"/redemptions/{made['redemption_id']}"))
    assert shown["coupon_expiry"] == ""
    # Re-sending it on an update keeps the option as it is.
    again = ok(ss.put(f"/redemptions/{made['redemption_id']}", {"coupon_expiry": day}))
    assert again["coupon_expiry"] == ""


def test_no_end_date_cannot_lift_an_expiry_already_given(ss: Loyalty) -> None:
    made = make_redemption(ss)  # codes valid through 30-May-2099
    r = ss.put(f"/redemptions/{made['redemption_id']}", {"coupon_expiry": "31-Dec-9999"})
    assert "coupon_expiry" in refused(r, 400), r.text


@pytest.mark.parametrize("day", ["01-Jan-0001", "01/01/0001", "31-Dec-1899"])
def test_a_coupon_expiry_before_the_range_is_refused_naming_it(ss: Loyalty, day: str) -> None:
    r = ss.post("/redemptions", _option(day))
    assert refused(r, 400).startswith("Invalid coupon_expiry"), r.text


@pytest.mark.parametrize("value", ["1e308", "9" * 40, str(2**63), "1E+400"])
@pytest.mark.parametrize("with_order", [False, True])
def test_a_huge_points_passed_is_refused_naming_it(
    ss: Loyalty, value: str, with_order: bool
) -> None:
    user = make_user(ss)
    activity = make_activity(ss, activity_type="bonus_multiplier", points_per_activity=1)
    body = {"user_email": user["user_email"], "activity_id": activity["activity_id"]}
    body["points_passed"] = value
    if with_order:
        body["order_id"] = "ORD-huge"
    r = ss.post("/award", body)
    assert "points_passed" in refused(r, 400), r.text


def test_a_huge_points_passed_in_json_is_refused_naming_it(ss: Loyalty) -> None:
    user = make_user(ss)
    activity = make_activity(ss)
    body = {
        "user_email": user["user_email"],
        "activity_id": activity["activity_id"],
        "points_passed": 1e308,
        "order_id": "ORD-json",
    }
    r = ss.post("/award", json=body)
    assert "points_passed" in refused(r, 400), r.text


def test_a_date_inside_the_range_still_reads(ss: Loyalty) -> None:
    r = ss.get("/transactions", {"from_date": "01/01/1900", "to_date": "12/31/9000"})
    assert r.status_code == 200, r.text


def test_the_document_shows_the_bounds(ss: Loyalty) -> None:
    doc = ss.client.get("/v2/loyalty/openapi.json").json()
    award = doc["paths"]["/v2/loyalty/award"]["post"]["requestBody"]["content"]
    passed = award["application/json"]["schema"]["properties"]["points_passed"]
    arms = passed.get("anyOf", [passed])
    number = next(a for a in arms if a.get("type") in ("number", "string"))
    assert "maximum" in number or "maximum" in str(passed), passed
    listing = doc["paths"]["/v2/loyalty/transactions"]["get"]["parameters"]
    to_date = next(p for p in listing if p["name"] == "to_date")
    assert "12/31/9000" in to_date["description"]
