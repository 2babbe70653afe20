"""Get All Redemptions, Create, Get, Update Redemption (functions 16 to 19)."""

from __future__ import annotations

from tests.api.shopsocially.conftest import (
    Loyalty,
    award,
    make_activity,
    make_level,
    make_redemption,
    make_user,
    ok,
    refused,
)
from tests.api.shopsocially.document import (
    DAY,
    REDEMPTION,
    REDEMPTION_PAGE_KEYS,
    assert_keys,
    assert_shape,
)
from tests.factories import unique


def test_the_documents_create_redemption_curl_works(ss: Loyalty) -> None:
    # The curl spells redemption_ID and allowed_redeemp_points; the value is "$50".
    key = unique("coupon_1k").replace("-", "_")
    codes = ",".join(unique("50off") for _ in range(3))
    body = {"redemption_ID": key, "redemption_name": "coupon_1k", "is_active": "false",
            "allowed_redeemp_points": "1000", "redemption_value": "$50",
            "giftcard_description": "1k points", "terms_and_conds_text": "check terms",
            "redemption_instructions": "apply at checkout", "giftcard_coupon_codes": codes,
            "coupon_expiry": "30-May-2099"}  # fmt: skip
    data = ok(ss.post("/redemptions", body))
    assert_shape(data, REDEMPTION)
    assert (data["redemption_id"], data["redemption_name"]) == (key, "coupon_1k")
    assert (data["allowed_redeem_points"], data["redemption_value"]) == (1000, "50")
    assert data["is_active"] is False
    assert data["giftcard_coupon_codes"].split(",") == sorted(codes.split(","))
    assert data["coupon_expiry"] == "30-May-2099"
    assert DAY.match(data["coupon_expiry"])
    assert data["associated_levels"] == ["all"]
    assert data["enable_coupon_based_incentive"] is True
    assert data["id"].startswith("rwd_") and data["merchant_id"] == ss.partner_id


def test_create_redemption_takes_json(ss: Loyalty) -> None:
    body = {"redemption_id": unique("j").replace("-", "_"), "redemption_name": "Tote",
            "allowed_redeem_points": 10, "redemption_value": 12.5,
            "giftcard_description": "a bag", "terms_and_conds_text": "t",
            "giftcard_coupon_codes": f"{unique('T')},{unique('T')}", "coupon_expiry": "12/31/2099",
            "is_active": True}  # fmt: skip
    data = ok(ss.post("/redemptions", json=body))
    assert (data["redemption_value"], data["coupon_expiry"]) == ("12.50", "31-Dec-2099")


def test_create_redemption_needs_its_required_parameters(ss: Loyalty) -> None:
    body = {"redemption_id": "r_1", "redemption_name": "n", "allowed_redeem_points": 1,
            "redemption_value": 1, "giftcard_description": "d", "terms_and_conds_text": "t",
            "giftcard_coupon_codes": "A", "coupon_expiry": "30-May-2099"}  # fmt: skip
    for drop in body:
        r = ss.post("/redemptions", {k: v for k, v in body.items() if k != drop})
        refused(r, 400, "missing parameters")


def test_create_redemption_refuses_bad_values(ss: Loyalty) -> None:
    existing = make_redemption(ss)
    refused(ss.post("/redemptions", _body(redemption_id=existing["redemption_id"])), 409,
            "Redemption ID already exists")  # fmt: skip
    r = ss.post("/redemptions", _body(coupon_expiry="someday"))
    assert refused(r, 400).startswith("Invalid coupon_expiry")
    r = ss.post("/redemptions", _body(redemption_value="YES"))
    assert refused(r, 400).startswith("Invalid redemption_value")
    r = ss.post("/redemptions", _body(associated_levels="no_such_level"))
    refused(r, 400, "Invalid Level ID")


def _body(**kw: str) -> dict[str, str]:
    return {"redemption_id": unique("r").replace("-", "_"), "redemption_name": "n",
            "allowed_redeem_points": "5", "redemption_value": "5", "giftcard_description": "d",
            "terms_and_conds_text": "t", "giftcard_coupon_codes": unique("X"),
            "coupon_expiry": "30-May-2099", **kw}  # fmt: skip


def test_get_all_redemptions_pages_them(ss: Loyalty) -> None:
    made = [make_redemption(ss)["redemption_id"] for _ in range(3)]
    page = ok(ss.get("/redemptions"))
    assert_keys(page, REDEMPTION_PAGE_KEYS)
    assert (page["total"], page["more"]) == (3, False)
    assert [r["redemption_id"] for r in page["redemptions"]] == made
    for item in page["redemptions"]:
        assert_shape(item, REDEMPTION)
    first = ok(ss.get("/redemptions", {"count": 2}))
    assert (len(first["redemptions"]), first["more"], first["next_start_index"]) == (2, True, 2)
    rest = ok(ss.get("/redemptions", {"count": 2, "start_index": 2}))
    assert [r["redemption_id"] for r in rest["redemptions"]] == made[2:]


def test_get_redemption_by_its_redemption_id_or_id(ss: Loyalty) -> None:
    made = make_redemption(ss)
    assert ok(ss.get(f"/redemptions/{made['redemption_id']}")) == made
    assert ok(ss.get(f"/redemptions/{made['id']}")) == made


def test_an_unknown_or_foreign_redemption_is_invalid_redemption_id(
    ss: Loyalty, other_ss: Loyalty
) -> None:
    theirs = make_redemption(other_ss)
    for ref in ("$50_Gift_Card", theirs["redemption_id"], theirs["id"]):
        refused(ss.get(f"/redemptions/{ref}"), 404, "Invalid Redemption ID")
        refused(ss.put(f"/redemptions/{ref}", {"is_active": "true"}), 404, "Invalid Redemption ID")


def test_update_redemption_changes_what_is_sent_and_adds_codes(ss: Loyalty) -> None:
    made = make_redemption(ss, allowed_redeem_points=1000)
    codes = made["giftcard_coupon_codes"]
    new = unique("A1")
    # As the document's example does: the whole form again, the list of codes with one more.
    body = {"redemption_name": "test_coupon", "is_active": "true", "allowed_redeem_points": "1",
            "redemption_value": "$50", "giftcard_description": "Redeem It",
            "terms_and_conds_text": "terms", "redemption_instructions": "Please visit",
            "giftcard_coupon_codes": f"{codes},{new}",
            "coupon_expiry": made["coupon_expiry"]}  # fmt: skip
    data = ok(ss.put(f"/redemptions/{made['redemption_id']}", body))
    assert_shape(data, REDEMPTION)
    assert (data["redemption_name"], data["allowed_redeem_points"]) == ("test_coupon", 1)
    assert (data["giftcard_description"], data["redemption_instructions"]) == (
        "Redeem It", "Please visit",
    )  # fmt: skip
    assert set(data["giftcard_coupon_codes"].split(",")) == {*codes.split(","), new}
    assert data["created_time"] == made["created_time"]


def test_update_redemption_refuses_to_move_the_codes_expiry(ss: Loyalty) -> None:
    made = make_redemption(ss, coupon_expiry="30-May-2099")
    r = ss.put(f"/redemptions/{made['redemption_id']}", {"coupon_expiry": "21-Nov-2099"})
    assert refused(r, 400).startswith("Invalid coupon_expiry")
    assert ok(ss.put(f"/redemptions/{made['id']}", json={"is_active": False}))["is_active"] is False


def test_an_option_for_a_level_refuses_users_below_it(ss: Loyalty) -> None:
    level = make_level(ss, level_minimum_points=1_000_000)
    option = make_redemption(ss, allowed_redeem_points=1, associated_levels=level["level_id"])
    assert option["associated_levels"] == [level["level_id"]]
    user = make_user(ss)
    award(ss, user["user_email"], make_activity(ss)["activity_id"])
    r = ss.post(
        "/redeem", {"user_email": user["user_email"], "redemption_id": option["redemption_id"]}
    )
    refused(r, 422, "User's level is not eligible for this redemption option")
