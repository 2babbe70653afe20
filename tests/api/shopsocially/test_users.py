"""Get All Users, Get User, Create User, Update User (functions 7 to 10)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.api.shopsocially.conftest import (
    Loyalty,
    award,
    make_activity,
    make_level,
    make_user,
    ok,
    refused,
)
from tests.api.shopsocially.document import (
    CREATE_USER,
    GET_USER,
    TIME,
    USER_EXAMPLE_KEYS,
    USER_PAGE,
    USER_PAGE_EXAMPLE_KEYS,
    assert_keys,
    assert_shape,
)
from tests.conftest import TestClock as Clock
from tests.factories import unique

ALL_TIME = {"from_date": "01/01/2000", "to_date": "12/31/2099"}

# 9. Create User -----------------------------------------------------------------------


def test_create_user_answers_the_documented_fields(ss: Loyalty) -> None:
    email = f"{unique('rohit')}@shopsocially.com"
    data = make_user(
        ss, email=email, uid="ajk12k34", gender="male", profile_image_url="http://x/y.png"
    )
    assert_shape(data, CREATE_USER)
    assert data["user_email"] == email
    assert data["user_id"].startswith("mem_")
    assert (data["first_name"], data["last_name"]) == ("Rohit", "B")
    assert (data["gender"], data["profile_image_url"]) == ("male", "http://x/y.png")
    assert (data["merchant_uid"], data["available_points"], data["redeemed_points"]) == (
        "ajk12k34", 0, 0,
    )  # fmt: skip


def test_create_user_takes_the_curls_names_and_a_level(ss: Loyalty) -> None:
    # The document's curl sends user_email and loyalty_level where its table says
    # email and loyalty_level_id.
    level = make_level(ss, level_type="lifetime", level_minimum_points=5000)
    email = f"{unique('u')}@example.com"
    body = {"user_email": email, "first_name": "A", "last_name": "B", "uid": unique("uid"),
            "loyalty_level": level["level_id"]}  # fmt: skip
    data = ok(ss.post("/users", body))
    assert data["user_email"] == email
    assert data["loyalty_level_id"] == data["loyalty_lifetime_level_id"] == level["level_id"]


def test_create_user_takes_a_json_body(ss: Loyalty) -> None:
    email = f"{unique('u')}@example.com"
    r = ss.post("/users", json={"email": email, "first_name": "A", "last_name": "B", "uid": "u1x"})
    assert ok(r)["merchant_uid"] == "u1x"


def test_create_user_needs_its_required_parameters(ss: Loyalty) -> None:
    body = {"email": "a@example.com", "first_name": "A", "last_name": "B", "uid": "u"}
    for drop in body:
        r = ss.post("/users", {k: v for k, v in body.items() if k != drop})
        refused(r, 400, "missing parameters")


def test_a_malformed_email_is_invalid_user(ss: Loyalty) -> None:
    r = ss.post(
        "/users", {"email": "not-an-email", "first_name": "A", "last_name": "B", "uid": "u"}
    )
    refused(r, 400, "Invalid User")


def test_an_email_or_uid_already_enrolled_is_refused(ss: Loyalty) -> None:
    user = make_user(ss)
    r = ss.post("/users", {"email": user["user_email"], "first_name": "A", "last_name": "B",
                           "uid": unique("uid")})  # fmt: skip
    refused(r, 409, "User already exists")
    r = ss.post("/users", {"email": f"{unique('u')}@example.com", "first_name": "A",
                           "last_name": "B", "uid": user["merchant_uid"]})  # fmt: skip
    refused(r, 409, "User already exists")


def test_an_unknown_or_foreign_level_is_invalid_level_id(ss: Loyalty, other_ss: Loyalty) -> None:
    theirs = make_level(other_ss)
    for level in ("platinum", theirs["level_id"]):
        r = ss.post("/users", {"email": f"{unique('u')}@example.com", "first_name": "A",
                               "last_name": "B", "uid": unique("uid"),
                               "loyalty_level_id": level})  # fmt: skip
        refused(r, 400, "Invalid Level ID")


# 8. Get User --------------------------------------------------------------------------


def test_get_user_answers_the_documented_fields(ss: Loyalty, clock: Clock) -> None:
    clock.freeze(datetime(2026, 1, 7, 12, 0, tzinfo=UTC))
    user = make_user(ss, gender="male")
    activity = make_activity(ss, activity_name="Became a Twitter Follower",
                             points_expiration_period=30)  # fmt: skip
    award(ss, user["user_email"], activity["activity_id"], points_passed=300)
    data = ok(ss.get(f"/users/{user['user_email']}"))
    assert_shape(data, GET_USER)
    assert data["available_points"] == 300
    assert data["expiration_schedule"] == [
        {"expiration_date": "06-Feb-2026 23:59:59", "points": 300}
    ]
    assert data["last_award_transaction"] == {
        "date": "07-Jan-2026 12:00:00", "points": 300, "name": "Became a Twitter Follower",
    }  # fmt: skip
    assert (data["user_status"], data["merchant_uid"]) == ("active", user["merchant_uid"])


def test_a_new_user_has_no_last_award(ss: Loyalty) -> None:
    user = make_user(ss)
    data = ok(ss.get(f"/users/{user['user_email']}"))
    assert (data["last_award_transaction"], data["expiration_schedule"]) == ({}, [])
    assert data["loyalty_level_id"] == ""


def test_an_unknown_or_foreign_user_is_invalid_user(ss: Loyalty, other_ss: Loyalty) -> None:
    theirs = make_user(other_ss)
    for email in ("ghost@example.com", theirs["user_email"]):
        refused(ss.get(f"/users/{email}"), 404, "Invalid User")


# 7. Get All Users ---------------------------------------------------------------------


def test_get_all_users_answers_both_documented_key_sets(ss: Loyalty) -> None:
    user = make_user(ss)
    award(ss, user["user_email"], make_activity(ss)["activity_id"])
    page = ok(ss.get("/users", ALL_TIME))
    assert_shape(page, USER_PAGE)
    assert_keys(page, USER_PAGE_EXAMPLE_KEYS)
    assert page["users"] == page["loyalty_users"]
    assert page["total"] == page["total_loyalty_users"] == 1
    (listed,) = page["loyalty_users"]
    assert_keys(listed, USER_EXAMPLE_KEYS)
    assert listed["user_id"] == user["user_id"]
    assert TIME.match(listed["last_activity_date"])
    assert (page["more"], page["next_start_index"]) == (False, 100)


def test_users_page_by_count_and_start_index(ss: Loyalty) -> None:
    made = [make_user(ss)["user_id"] for _ in range(5)]
    first = ok(ss.get("/users", {**ALL_TIME, "count": 2}))
    assert (first["total_loyalty_users"], first["next_start_index"], first["more"]) == (5, 2, True)
    seen = [u["user_id"] for u in first["loyalty_users"]]
    start = first["next_start_index"]
    while True:
        page = ok(ss.get("/users", {**ALL_TIME, "count": 2, "start_index": start}))
        seen += [u["user_id"] for u in page["loyalty_users"]]
        if not page["more"]:
            break
        start = page["next_start_index"]
    assert seen == made


def test_users_filter_by_enrollment_or_last_activity(ss: Loyalty, clock: Clock) -> None:
    clock.freeze(datetime(2025, 6, 1, 12, tzinfo=UTC))
    user = make_user(ss)
    activity = make_activity(ss)
    clock.freeze(datetime(2025, 7, 1, 12, tzinfo=UTC))
    award(ss, user["user_email"], activity["activity_id"])
    june = {"from_date": "06/01/2025", "to_date": "06/30/2025"}
    july = {"from_date": "07/01/2025", "to_date": "07/01/2025"}
    assert ok(ss.get("/users", june))["total"] == 1
    assert ok(ss.get("/users", july))["total"] == 0
    assert ok(ss.get("/users", {**july, "filter_by": "last_activity_date"}))["total"] == 1
    assert ok(ss.get("/users", {**june, "filter_by": "last_activity_date"}))["total"] == 0


def test_get_all_users_refuses_as_the_document_does(ss: Loyalty) -> None:
    refused(ss.get("/users"), 400, "MissingParams")
    refused(ss.get("/users", {"from_date": "01/01/2000"}), 400, "MissingParams")
    r = ss.get("/users", {**ALL_TIME, "filter_by": "birthday"})
    assert refused(r, 400).startswith("Invalid filter_by")
    r = ss.get("/users", {**ALL_TIME, "count": 0})
    assert refused(r, 400).startswith("Invalid count")


def test_another_tenants_users_are_not_listed(ss: Loyalty, other_ss: Loyalty) -> None:
    make_user(other_ss)
    assert ok(ss.get("/users", ALL_TIME))["total"] == 0


# 10. Update User ----------------------------------------------------------------------


def test_update_user_moves_them_to_a_level_by_uid(ss: Loyalty) -> None:
    user = make_user(ss, uid="akj89q0")
    level = make_level(ss, level_type="period", level_name="Platinum")
    data = ok(ss.put("/users/akj89q0", {"loyalty_level_id": level["level_id"]}))
    assert_shape(data, CREATE_USER)
    assert (data["user_id"], data["merchant_uid"]) == (user["user_id"], "akj89q0")
    assert data["loyalty_level_id"] == level["level_id"]
    listed = ok(ss.get(f"/users/{user['user_email']}"))
    assert listed["loyalty_level_name"] == "Platinum"


def test_update_user_takes_the_curls_loyalty_level_and_json(ss: Loyalty) -> None:
    make_user(ss, uid="u-json")
    level = make_level(ss)
    data = ok(ss.put("/users/u-json", json={"loyalty_level": level["level_id"]}))
    assert data["loyalty_level_id"] == level["level_id"]


def test_update_user_changes_names_and_profile(ss: Loyalty) -> None:
    make_user(ss, uid="u-name", gender="female")
    data = ok(ss.put("/users/u-name", {"first_name": "Ezio", "profile_image_url": "http://i/p"}))
    assert (data["first_name"], data["profile_image_url"], data["gender"]) == (
        "Ezio", "http://i/p", "female",
    )  # fmt: skip


def test_update_of_an_unknown_or_foreign_uid_is_invalid_user(
    ss: Loyalty, other_ss: Loyalty
) -> None:
    make_user(other_ss, uid="theirs-1")
    level = make_level(ss)
    for uid in ("nobody", "theirs-1"):
        refused(
            ss.put(f"/users/{uid}", {"loyalty_level_id": level["level_id"]}), 404, "Invalid User"
        )
    make_user(ss, uid="mine-1")
    r = ss.put("/users/mine-1", {"loyalty_level_id": "no_such_level"})
    refused(r, 400, "Invalid Level ID")
