"""Get All Activities, Create, Get, Update Activity (functions 12 to 15)."""

from __future__ import annotations

from tests.api.shopsocially.conftest import Loyalty, make_activity, ok, refused
from tests.api.shopsocially.document import (
    ACTIVITY,
    ACTIVITY_LIST_KEYS,
    TIME,
    assert_keys,
    assert_shape,
)
from tests.factories import unique

# The document's curl for Create Activity, as curl sends it (spaces and all).
DOCUMENT_CURL = (
    "+max_award_frequency+=+10&+is_active+=+False&+approval_method+=+immediately"
    "&+points_per_activity+=+100&+bonus_mutliplier+=+%E2%80%98%E2%80%99"
    "&+max_award_frequency_interval+=+day+&+activity_name+=+emailsubscriber"
    "&+activity_description+=+subscribe+to+newsletter&+activity_type+=+fixed"
    "&+activity_id+=+{id}+"
)


def test_the_documents_create_activity_curl_works(ss: Loyalty) -> None:
    key = unique("email_subscriber").replace("-", "_")
    r = ss.client.post(
        "/v2/loyalty/activities",
        content=DOCUMENT_CURL.format(id=key),
        headers={**ss.headers, "content-type": "application/x-www-form-urlencoded"},
    )
    data = ok(r)
    assert_shape(data, ACTIVITY)
    assert data["activity_id"] == key
    assert (data["activity_name"], data["activity_description"]) == (
        "emailsubscriber", "subscribe to newsletter",
    )  # fmt: skip
    assert (data["approval_method"], data["is_active"], data["activity_type"]) == (
        "immediate", False, "fixed",
    )  # fmt: skip
    assert (data["points_per_activity"], data["bonus_multiplier"]) == (100, 1)
    assert (data["max_award_frequency"], data["max_award_frequency_interval"]) == (10, "day")
    assert data["merchant_id"] == ss.partner_id
    assert data["id"].startswith("act_")
    assert TIME.match(data["created_time"]) and TIME.match(data["updated_time"])


def test_create_activity_takes_json_and_defaults_to_inactive(ss: Loyalty) -> None:
    body = {"activity_id": unique("j").replace("-", "_"), "activity_name": "Review",
            "activity_description": "Wrote a review", "activity_type": "bonus_multiplier",
            "approval_method": "monthly", "max_award_frequency": 2,
            "max_award_frequency_interval": "week", "bonus_multiplier": 1.5,
            "points_expiration_period": 90}  # fmt: skip
    data = ok(ss.post("/activities", json=body))
    assert (data["is_active"], data["bonus_multiplier"], data["bonus_multiper"]) == (
        False, 1.5, "1.5",
    )  # fmt: skip
    assert (data["approval_method"], data["points_expiration_period"]) == ("monthly", 90)


def test_create_activity_needs_its_required_parameters(ss: Loyalty) -> None:
    body = {"activity_id": "a_b", "activity_name": "n", "activity_description": "d",
            "activity_type": "fixed", "approval_method": "immediate",
            "max_award_frequency": 1, "max_award_frequency_interval": "day"}  # fmt: skip
    for drop in body:
        r = ss.post("/activities", {k: v for k, v in body.items() if k != drop})
        refused(r, 400, "missing parameters")


def test_create_activity_refuses_bad_values(ss: Loyalty) -> None:
    r = ss.post("/activities", {"activity_id": unique("x").replace("-", "_"),
                                "activity_name": "n", "activity_description": "d",
                                "activity_type": "sometimes", "approval_method": "immediate",
                                "max_award_frequency": 1,
                                "max_award_frequency_interval": "day"})  # fmt: skip
    assert refused(r, 400).startswith("Invalid activity_type")
    existing = make_activity(ss)
    r = ss.post("/activities", {"activity_id": existing["activity_id"], "activity_name": "n",
                                "activity_description": "d", "activity_type": "fixed",
                                "approval_method": "immediate", "max_award_frequency": 1,
                                "max_award_frequency_interval": "day"})  # fmt: skip
    refused(r, 409, "Activity ID already exists")


def test_get_all_activities_lists_them_with_the_builtin_purchase(ss: Loyalty) -> None:
    made = make_activity(ss)
    data = ok(ss.get("/activities"))
    assert isinstance(data, list)
    for item in data:
        assert_keys(item, ACTIVITY_LIST_KEYS)
        assert_shape(item, {**ACTIVITY, "max_award_frequency": None, "loyalty_activity_img": None,
                            "max_award_frequency_interval": None})  # fmt: skip
    by_id = {a["activity_id"]: a for a in data}
    assert by_id["made_a_purchase"]["ss_internal"] is True
    assert by_id[made["activity_id"]]["ss_internal"] is False


def test_get_activity_by_its_activity_id_or_id(ss: Loyalty) -> None:
    made = make_activity(ss)
    assert ok(ss.get(f"/activities/{made['activity_id']}")) == made
    assert ok(ss.get(f"/activities/{made['id']}")) == made


def test_an_unknown_or_foreign_activity_is_invalid_activity_id(
    ss: Loyalty, other_ss: Loyalty
) -> None:
    theirs = make_activity(other_ss)
    for ref in ("no_such", theirs["activity_id"], theirs["id"]):
        refused(ss.get(f"/activities/{ref}"), 404, "Invalid Activity ID")
        refused(ss.put(f"/activities/{ref}", {"is_active": "true"}), 404, "Invalid Activity ID")


def test_update_activity_changes_only_what_is_sent(ss: Loyalty) -> None:
    made = make_activity(ss, points_per_activity=100, is_active="true")
    r = ss.put(f"/activities/{made['activity_id']}", {"points_per_activity": 20,
               "is_active": "False", "max_award_frequency_interval": "lifetime"})  # fmt: skip
    data = ok(r)
    assert_shape(data, ACTIVITY)
    assert (data["points_per_activity"], data["is_active"]) == (20, False)
    assert data["max_award_frequency_interval"] == "lifetime"
    assert (data["activity_name"], data["approval_method"]) == (
        made["activity_name"], made["approval_method"],
    )  # fmt: skip
    data = ok(ss.put(f"/activities/{made['id']}", json={"activity_name": "Renamed"}))
    assert (data["activity_name"], data["points_per_activity"]) == ("Renamed", 20)


def test_update_activity_refuses_bad_values(ss: Loyalty) -> None:
    made = make_activity(ss)
    r = ss.put(f"/activities/{made['activity_id']}", {"approval_method": "whenever"})
    assert refused(r, 400).startswith("Invalid approval_method")


def test_a_monthly_award_shows_when_it_will_be_approved(ss: Loyalty, tenant, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from tests.factories import insert_member

    clock.freeze(datetime(2026, 4, 30, 20, tzinfo=UTC))
    tenant.api.post(
        "/activities", json={"key": "monthly_a", "name": "m", "points": 5, "approval": "monthly"}
    )
    email = "monthly@example.com"
    insert_member(tenant, email=email)
    data = ok(ss.post("/award", {"user_email": email, "activity_id": "monthly_a"}))
    assert data["points_status"] == "pending"
    txn = ok(ss.get(f"/transactions/{data['id']}"))
    assert txn["auto_approval_date"] == "01-May-2026 00:00:00"
