"""Values real systems send at the edges: ERPs write "no end date" as 12/31/9999, and a
number can be as long as a field allows. Each is a 400 naming the parameter in the
face's envelope, never a 500 (issue 13)."""

from __future__ import annotations

import pytest

from tests.api.shopsocially.conftest import (
    Loyalty,
    make_activity,
    make_redemption,
    make_user,
    refused,
)
from tests.factories import unique

FAR = ["12/31/9999", "9999-12-31", "31-Dec-9999", "01/01/0001", "0001-01-01"]


@pytest.mark.parametrize("day", FAR)
@pytest.mark.parametrize("path", ["/transactions", "/users"])
@pytest.mark.parametrize("field", ["from_date", "to_date"])
def test_a_far_date_in_a_list_filter_is_refused_naming_it(
    ss: Loyalty, path: str, field: str, day: str
) -> None:
    window = {"from_date": "01/01/2020", "to_date": "01/01/2030", field: day}
    if field == "from_date" and day.startswith(("12/31/9999", "9999", "31-Dec")):
        window["to_date"] = day  # a range that would otherwise be refused as reversed
    r = ss.get(path, window)
    assert refused(r, 400).startswith(f"Invalid {field}"), r.text


@pytest.mark.parametrize("day", ["31-Dec-9999", "12/31/9999", "9999-12-31"])
def test_a_far_coupon_expiry_is_refused_naming_it(ss: Loyalty, day: str) -> None:
    body = {
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
    r = ss.post("/redemptions", body)
    assert refused(r, 400).startswith("Invalid coupon_expiry"), r.text


def test_a_far_coupon_expiry_on_update_is_refused_naming_it(ss: Loyalty) -> None:
    made = make_redemption(ss)
    r = ss.put(f"/redemptions/{made['redemption_id']}", {"coupon_expiry": "31-Dec-9999"})
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
