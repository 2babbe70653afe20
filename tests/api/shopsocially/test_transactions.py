"""Get All Transactions, Get / Update Transaction, Get User Transactions (functions 4,
5, 6, 11): MM/DD/YYYY ranges in the merchant's timezone, `points_status` as a JSON
list, 10 a page with `start_index` / `next_start_index` / `more` / `total`."""

from __future__ import annotations

from datetime import UTC, datetime

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
    TIME,
    TRANSACTION,
    TRANSACTION_DETAIL_KEYS,
    TRANSACTION_PAGE,
    assert_keys,
    assert_shape,
)
from tests.conftest import TestClock as Clock
from tests.factories import Tenant

ALL_TIME = {"from_date": "01/01/2000", "to_date": "12/31/2099"}


def _awarded(ss: Loyalty, n: int, **kw: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    user = make_user(ss)
    activity = make_activity(ss, **kw)
    return user, [award(ss, user["user_email"], activity["activity_id"]) for _ in range(n)]


# 4. Get All Transactions --------------------------------------------------------------


def test_the_documents_example_request_answers_its_shape(ss: Loyalty) -> None:
    user, (first,) = _awarded(ss, 1)
    award(
        ss, user["user_email"], "made_a_purchase", points_passed=22, order_id="1452749387649368175"
    )
    r = ss.get("/transactions?from_date=01/01/2000&to_date=12/31/2099"
               '&points_status=["approved","auto_approved"]')  # fmt: skip
    page = ok(r)
    assert_shape(page, TRANSACTION_PAGE)
    assert (page["total"], page["next_start_index"], page["more"]) == (2, 10, False)
    newest = page["transactions"][0]
    assert_keys(newest, TRANSACTION_DETAIL_KEYS)
    assert newest["order_id"] == "1452749387649368175"
    assert newest["activity_id"] == "made_a_purchase"
    assert (newest["points"], newest["available_points"], newest["points_used"]) == (22, 22, 0)
    assert newest["qualified_points"] is True
    assert newest["merchant_id"] == newest["partner_id"] == ss.partner_id
    for key in ("created_time", "updated_time", "approved_time"):
        assert TIME.match(newest[key]), key
    assert page["transactions"][1]["id"] == first["id"]


def test_ten_a_page_with_start_index(ss: Loyalty) -> None:
    _awarded(ss, 12)
    first = ok(ss.get("/transactions", ALL_TIME))
    assert (first["total"], len(first["transactions"]), first["more"]) == (12, 10, True)
    assert first["next_start_index"] == 10
    rest = ok(ss.get("/transactions", {**ALL_TIME, "start_index": first["next_start_index"]}))
    assert (len(rest["transactions"]), rest["more"]) == (2, False)
    ids = [t["id"] for t in first["transactions"] + rest["transactions"]]
    assert len(set(ids)) == 12


def test_points_status_filters(ss: Loyalty) -> None:
    user, _ = _awarded(ss, 2)
    manual = make_activity(ss, approval_method="manual")
    pending = award(ss, user["user_email"], manual["activity_id"])
    got = ok(ss.get("/transactions", {**ALL_TIME, "points_status": '["pending"]'}))
    assert [t["id"] for t in got["transactions"]] == [pending["id"]]
    got = ok(ss.get("/transactions", {**ALL_TIME, "points_status": "['auto_approved']"}))
    assert got["total"] == 2
    got = ok(ss.get("/transactions", {**ALL_TIME, "points_status": "pending,auto_approved"}))
    assert got["total"] == 3
    r = ss.get("/transactions", {**ALL_TIME, "points_status": '["bogus"]'})
    assert refused(r, 400).startswith("Invalid points_status")


def test_an_award_spent_in_full_is_exhausted(ss: Loyalty) -> None:
    user, (first,) = _awarded(ss, 1)
    ok(ss.post("/deduct", {"user_email": user["user_email"], "reason": "x", "points_passed": 100}))
    got = ok(ss.get("/transactions", {**ALL_TIME, "points_status": '["exhausted"]'}))
    (txn,) = got["transactions"]
    assert txn["id"] == first["id"]
    assert (txn["points_used"], txn["available_points"]) == (100, 0)


def test_dates_are_the_merchants_days_and_to_date_is_included(
    ss: Loyalty, tenant: Tenant, clock: Clock
) -> None:
    assert tenant.api.patch("/settings", json={"timezone": "America/New_York"}).status_code == 200
    user = make_user(ss)
    activity = make_activity(ss)
    # 23:30 on March 10 in New York is 03:30 on March 11 in UTC.
    clock.freeze(datetime(2026, 3, 11, 3, 30, tzinfo=UTC))
    award(ss, user["user_email"], activity["activity_id"])
    day = {"from_date": "03/10/2026", "to_date": "03/10/2026"}
    assert ok(ss.get("/transactions", day))["total"] == 1
    assert (
        ok(ss.get("/transactions", {"from_date": "3/11/2026", "to_date": "3/11/2026"}))["total"]
        == 0
    )


def test_dates_are_required_and_must_be_mm_dd_yyyy(ss: Loyalty) -> None:
    refused(ss.get("/transactions", {"to_date": "03/31/2015"}), 400, "missing parameters")
    refused(ss.get("/transactions"), 400, "missing parameters")
    r = ss.get("/transactions", {"from_date": "31/03/2015", "to_date": "03/31/2015"})
    refused(r, 400, "Invalid from_date: expected MM/DD/YYYY")
    r = ss.get("/transactions", {"from_date": "03/31/2015", "to_date": "03/01/2015"})
    assert refused(r, 400).startswith("Invalid to_date")
    r = ss.get("/transactions", {**ALL_TIME, "start_index": "-1"})
    assert refused(r, 400).startswith("Invalid start_index")


def test_another_tenants_transactions_are_not_listed(ss: Loyalty, other_ss: Loyalty) -> None:
    _awarded(other_ss, 1)
    assert ok(ss.get("/transactions", ALL_TIME))["total"] == 0


# 5. Get Transaction -------------------------------------------------------------------


def test_get_transaction_answers_the_documented_fields(ss: Loyalty) -> None:
    _user, (awarded,) = _awarded(ss, 1)
    data = ok(ss.get(f"/transactions/{awarded['id']}"))
    assert_keys(data, TRANSACTION_DETAIL_KEYS)
    assert_shape(data, {**TRANSACTION, "order_id": None, "points_expiration_date": None})
    assert (data["id"], data["points"], data["points_status"]) == (
        awarded["id"], 100, "auto_approved",
    )  # fmt: skip


def test_a_redemption_transaction_names_its_option_and_code(ss: Loyalty) -> None:
    user, _ = _awarded(ss, 1)
    option = make_redemption(ss, allowed_redeem_points=60, giftcard_coupon_codes="CODE60")
    body = {"user_email": user["user_email"], "redemption_id": option["redemption_id"]}
    redeemed = ok(ss.post("/redeem", body))
    data = ok(ss.get(f"/transactions/{redeemed['id']}"))
    assert (data["transaction_type"], data["points_status"]) == ("redeem", "redeemed")
    assert (data["redemption_id"], data["coupon_code"]) == (option["redemption_id"], "CODE60")
    assert data["redemption_value"] == "50"
    assert data["activity_id"] is None and data["approved_time"] == ""


def test_an_unknown_or_foreign_transaction_is_invalid_transaction_id(
    ss: Loyalty, other_ss: Loyalty
) -> None:
    _user, (theirs,) = _awarded(other_ss, 1)
    for ref in ("550ff099fa0eaa0767086968", theirs["id"]):
        refused(ss.get(f"/transactions/{ref}"), 404, "Invalid Transaction ID")
        r = ss.put(f"/transactions/{ref}", {"points_status": "approved"})
        refused(r, 404, "Invalid Transaction ID")


# 6. Update Transaction ----------------------------------------------------------------


def test_approving_a_pending_award_makes_it_spendable(ss: Loyalty) -> None:
    user, (pending,) = _awarded(ss, 1, approval_method="manual")
    assert pending["points_status"] == "pending"
    data = ok(ss.put(f"/transactions/{pending['id']}", {"points_status": "approved"}))
    assert_keys(data, TRANSACTION_DETAIL_KEYS)
    assert data["points_status"] == "approved"
    assert TIME.match(data["approved_time"])
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 100


def test_rejecting_a_pending_award_takes_a_json_body(ss: Loyalty) -> None:
    user, (pending,) = _awarded(ss, 1, approval_method="manual")
    data = ok(ss.put(f"/transactions/{pending['id']}", json={"points_status": "rejected"}))
    assert (data["points_status"], data["approved_time"]) == ("rejected", "")
    assert ok(ss.get(f"/users/{user['user_email']}"))["available_points"] == 0


def test_only_a_pending_award_can_be_decided(ss: Loyalty) -> None:
    _user, (done,) = _awarded(ss, 1)
    r = ss.put(f"/transactions/{done['id']}", {"points_status": "rejected"})
    assert refused(r, 400).startswith("Invalid points_status")
    refused(ss.put(f"/transactions/{done['id']}", {}), 400, "missing parameters")


# 11. Get User Transactions ------------------------------------------------------------


def test_a_users_transactions_are_only_theirs(ss: Loyalty) -> None:
    user, mine = _awarded(ss, 3)
    _awarded(ss, 2)
    page = ok(ss.get(f"/users/{user['user_email']}/transactions", ALL_TIME))
    assert_shape(page, TRANSACTION_PAGE)
    assert page["total"] == 3
    assert {t["id"] for t in page["transactions"]} == {t["id"] for t in mine}
    assert {t["user_email"] for t in page["transactions"]} == {user["user_email"]}


def test_an_unknown_users_transactions_are_invalid_user(ss: Loyalty, other_ss: Loyalty) -> None:
    theirs = make_user(other_ss)
    for email in ("ghost@example.com", theirs["user_email"]):
        refused(ss.get(f"/users/{email}/transactions", ALL_TIME), 404, "Invalid User")
