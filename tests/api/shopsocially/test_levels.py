"""Get All Loyalty Levels, Create, Update, Get Loyalty Level (functions 20 to 23)."""

from __future__ import annotations

from tests.api.shopsocially.conftest import Loyalty, make_level, ok, refused
from tests.api.shopsocially.document import LEVEL, TIME, assert_shape


def test_the_documents_create_level_curl_works(ss: Loyalty) -> None:
    # The curl sends minimum_points and bonus_multiplier, and no level_position.
    body = {" level_id ": "all_star_level", " level_name ": "all star level",
            " is_active ": "false", " minimum_points ": "5000", " level_type ": "period",
            " level_description ": "all star level for users",
            " bonus_multiplier ": "2.5"}  # fmt: skip
    data = ok(ss.post("/levels", body))
    assert_shape(data, LEVEL)
    assert (data["level_name"], data["level_type"], data["is_active"]) == (
        "all star level", "period", False,
    )  # fmt: skip
    assert (data["level_minimum_points"], data["level_bonus_multiplier"]) == (5000, 2.5)
    assert (data["level_position"], data["is_default"]) == (0, False)
    assert data["merchant_id"] == ss.partner_id
    assert TIME.match(data["created_time"])
    # The merchant's own level_id is kept and addresses the level from then on.
    assert data["level_id"] == "all_star_level"
    assert ok(ss.get("/levels/all_star_level"))["level_name"] == "all star level"
    refused(ss.post("/levels", {**{k.strip(): v for k, v in body.items()}}), 409)


def test_create_level_answers_the_documented_fields(ss: Loyalty) -> None:
    data = make_level(ss)
    assert_shape(data, LEVEL)
    assert (data["level_position"], data["level_minimum_points"]) == (10, 15000)
    assert (data["level_bonus_multiplier"], data["level_type"]) == (2.5, "lifetime")
    assert data["id"].startswith("tier_")


def test_create_level_needs_its_required_parameters(ss: Loyalty) -> None:
    body = {"level_id": "l", "level_name": "n", "level_description": "d",
            "level_type": "period", "level_minimum_points": 1,
            "level_bonus_multiplier": 1}  # fmt: skip
    for drop in body:
        r = ss.post("/levels", {k: v for k, v in body.items() if k != drop})
        refused(r, 400, "missing parameters")
    r = ss.post("/levels", {**body, "level_type": "forever"})
    assert refused(r, 400).startswith("Invalid level_type")


def test_get_all_levels_lists_them_lowest_first(ss: Loyalty) -> None:
    high = make_level(ss, level_position=9)
    low = make_level(ss, level_position=1)
    data = ok(ss.get("/levels"))
    assert [lv["level_id"] for lv in data] == [low["level_id"], high["level_id"]]
    for item in data:
        assert_shape(item, LEVEL)


def test_get_and_update_a_level(ss: Loyalty) -> None:
    made = make_level(ss)
    assert ok(ss.get(f"/levels/{made['level_id']}")) == made
    data = ok(ss.put(f"/levels/{made['level_id']}", {"level_type": "period",
                     "minimum_points": "20000", "level_name": "Platinum"}))  # fmt: skip
    assert_shape(data, LEVEL)
    assert (data["level_type"], data["level_minimum_points"], data["level_name"]) == (
        "period", 20000, "Platinum",
    )  # fmt: skip
    assert (data["level_description"], data["created_time"]) == (
        made["level_description"], made["created_time"],
    )  # fmt: skip
    data = ok(ss.put(f"/levels/{made['id']}", json={"is_default": True}))
    assert data["is_default"] is True


def test_an_unknown_or_foreign_level_is_invalid_level_id(ss: Loyalty, other_ss: Loyalty) -> None:
    theirs = make_level(other_ss)
    for ref in ("platinum_level", theirs["level_id"]):
        refused(ss.get(f"/levels/{ref}"), 404, "Invalid Level ID")
        refused(ss.put(f"/levels/{ref}", {"level_name": "x"}), 404, "Invalid Level ID")
