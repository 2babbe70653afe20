"""The vendor document's response examples (`seeds/003_…`), transcribed where the
document writes valid JSON, and the key sets of its "Response Fields" sections.

Contract tests check that every key the document shows is answered, with a value of
the same JSON type (a `null` in the document matches anything; an int and a float are
both numbers).
"""

from __future__ import annotations

import re
from typing import Any

TIME = re.compile(
    r"^\d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{4} \d{2}:\d{2}:\d{2}$"
)
DAY = re.compile(r"^\d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{4}$")

# 1.1 Award Points
AWARD_KEYS = {
    "user_id", "user_email", "user_last_name", "user_first_name", "activity_id",
    "activity_name", "id", "transaction_type", "points", "points_status", "partner_id",
    "created_time",
}  # fmt: skip
# 2.1 Redeem Points
REDEEM_KEYS = {
    "user_id", "user_email", "user_last_name", "user_first_name", "redemption_id",
    "redemption_name", "redemption_value", "id", "transaction_type", "points", "points_status",
    "coupon_code", "partner_id", "created_time",
}  # fmt: skip
# 3.1 Deduct Points
DEDUCT_KEYS = {
    "user_id", "user_email", "user_last_name", "user_first_name", "id", "transaction_type",
    "points", "points_status", "available_points", "partner_id", "created_time",
}  # fmt: skip

# 4.1 Get All Transactions (also 11.1 Get User Transactions): one transaction.
TRANSACTION = {
    "points_status": "approved",
    "points_used": 0,
    "available_points": 22,
    "points_expired": 0,
    "created_time": "14-Jan-2016 06:33:22",
    "updated_time": "14-Jan-2016 06:33:22",
    "id": "569741320daac146edac90c0",
    "user_id": "54b3b13e0daac1321e07ce1f",
    "points_expiration_date": "14-Mar-2016 06:33:22",
    "approved_by": None,
    "qualified_points": True,
    "redemption_value": None,
    "activity_id": "shared_photo_via_desktop_or_mobile",
    "user_first_name": "Ezio",
    "order_id": "1452749387649368175",
    "reason": None,
    "points_deducted": 0,
    "merchant_id": "137692186f3cfaf9fc0839d8da0934f6",
    "redemptions_list": None,
    "approved_time": "14-Jan-2016 06:33:22",
    "redemption_name": None,
    "auto_approval_date": "",
    "transaction_type": "award",
    "user_last_name": "Auditore",
    "coupon_code": None,
    "points": 22,
    "redemption_id": None,
    "activity_name": "Shared Photo via Mobile or Desktop",
    "user_email": "subhrajyoti@shopsocially.com",
}
# The document shows order_id both set and null (11.1's third record).
TRANSACTION_PAGE = {
    "total": 9,
    "next_start_index": 10,
    "transactions": [{**TRANSACTION, "order_id": None}],
    "more": False,
}
# 5.1 / 6.1 Get / Update Transaction (fields list, plus the example's merchant_id).
TRANSACTION_DETAIL_KEYS = {
    "activity_id", "activity_name", "user_id", "user_first_name", "user_last_name",
    "user_email", "redemption_id", "redemption_name", "coupon_code", "id",
    "auto_approval_date", "points_status", "transaction_type", "points", "approved_by",
    "approved_time", "created_time", "updated_time", "partner_id", "merchant_id",
}  # fmt: skip

# 7.1 Get All Users: the page and one user; the example's other key set.
USER_IN_LIST = {
    "loyalty_life_time_level_name": "",
    "loyalty_lifetime_level_id": "",
    "expiration_schedule": [],
    "last_name": "Williams",
    "redeemed_points": 0,
    "last_award_transaction": {
        "date": "01-Mar-2016 23:51:58",
        "points": 340,
        "name": "Made a Purchase",
    },
    "gender": "unknown",
    "dashboard_url": "https://shopsocially.com/loyalty/predatornutrition/user/x/dashboard",
    "first_name": "Samuel",
    "profile_image_url": "https://d1qbqkkh49kht1.cloudfront.net/65d9.png",
    "available_points": 1040,
    "loyalty_level_id": "leopard",
    "loyalty_level_name": "Leopard",
    "user_id": "56d627733b433356eef79002",
    "user_email": "sam@acosproductionservices.co.uk",
}
USER_PAGE = {
    "next_start_index": 2,
    "total_loyalty_users": 4480,
    "loyalty_users": [USER_IN_LIST],
    "more": True,
}
USER_PAGE_EXAMPLE_KEYS = {"users", "more", "next_start_index", "total"}
USER_EXAMPLE_KEYS = {"loyalty_level", "last_activity_date"}
# 8.1 Get User (fields list and example).
GET_USER = {
    "user_id": "6176be2d5e",
    "user_email": "Rohit@shopsocially.com",
    "first_name": "Rohit",
    "last_name": "B",
    "gender": "male",
    "profile_image_url": "http://example.com/x.png",
    "redeemed_points": 1000,
    "available_points": 200,
    "loyalty_level_id": "platinum",
    "loyalty_lifetime_level_id": "platinum_lifetime",
    "user_language": "en",
    "user_status": "active",
    "expiration_schedule": [{"expiration_date": "07-Jan-2016 23:59:59", "points": 34226}],
    "last_award_transaction": {"date": "07-Dec-2015 13:23:35", "points": 300, "name": "Twitter"},
    "loyalty_level": "platinum",
    "merchant_uid": "",
}
# 9.1 Create User / 10.1 Update User.
CREATE_USER = {
    "user_id": "6176be2d5e",
    "user_email": "Rohit@shopsocially.com",
    "first_name": "Rohit",
    "last_name": "B",
    "profile_image_url": "http://example.com/x.png",
    "gender": "male",
    "redeemed_points": 1000,
    "available_points": 200,
    "loyalty_level_id": "platinum",
    "loyalty_lifetime_level_id": "platinum_lifetime",
    "merchant_uid": "ajk12k34",
}

# 12.1 Get All Activities (fields) and 13 Create Activity (example).
ACTIVITY_LIST_KEYS = {
    "activity_id", "updated_time", "max_award_frequency", "terms_and_conditions", "is_active",
    "ss_internal", "approval_method", "points_per_activity", "bonus_multiplier",
    "created_time", "max_award_frequency_interval", "activity_name", "merchant_id",
    "activity_description", "id", "activity_type",
}  # fmt: skip
ACTIVITY = {
    "activity_id": "share_via_email_API",
    "activity_name": "share_via_email_API",
    "updated_time": "12-Feb-2016 12:36:56",
    "max_award_frequency": 2,
    "is_active": True,
    "points_expiration_period": 0,
    "loyalty_activity_img": "https://d1qbqkkh49kht1.cloudfront.net/c6da.png",
    "id": "56bdd1e88033721c45b1729f",
    "approval_method": "immediate",
    "qualified_points": True,
    "ss_internal": False,
    "points_per_activity": 100,
    "bonus_multiplier": 1,
    "created_time": "12-Feb-2016 12:36:56",
    "max_award_frequency_interval": "day",
    "bonus_multiper": "1.5",
    "merchant_id": "c99ad71fcd6929dc9161b9b01781ce3a",
    "activity_description": "grab_it",
    "points_earning_url": None,
    "activity_type": "fixed",
}

# 16.1 / 17 / 18 / 19 Redemption options (17's example, long HTML shortened).
REDEMPTION = {
    "redemption_name": "coupon_1k",
    "loyalty_redemption_card_img": "https://d1qbqkkh49kht1.cloudfront.net/b32b.png",
    "redemption_value": "50",
    "giftcard_description": "1k points",
    "terms_and_conds_text": "check terms and conditions on site",
    "after_redemption_html": "<div>_COUPON_CODE_</div>",
    "is_active": True,
    "enable_coupon_based_incentive": True,
    "allowed_redeem_points": 1000,
    "associated_levels": ["all"],
    "updated_time": "12-Feb-2016 13:17:06",
    "send_redemption_email": True,
    "redemption_id": "coupon_1k",
    "redemption_instructions": None,
    "merchant_id": "c99ad71fcd6929dc9161b9b01781ce3a",
    "created_time": "12-Feb-2016 13:17:06",
    "coupon_expiry": "10-Apr-2016",
    "redemption_email_subject": "Redemption Confirmation Receipt",
    "giftcard_coupon_codes": "a,b,c,d",
    "id": "56bddb528033721c45b172a0",
    "redemption_email_html": "<div>…</div>",
}
REDEMPTION_PAGE_KEYS = {"total", "redemptions", "more"}

# 20 / 21 / 22 / 23 Loyalty levels (21's example).
LEVEL = {
    "merchant_id": "c99ad71fcd6929dc9161b9b01781ce3a",
    "level_description": "all star level for users",
    "level_position": 10,
    "level_id": "all_star_level",
    "is_active": True,
    "level_bonus_multiplier": 2.5,
    "level_minimum_points": 15000,
    "is_default": False,
    "updated_time": "12-Feb-2016 13:38:36",
    "created_time": "12-Feb-2016 13:38:36",
    "level_name": "all star level",
    "level_type": "lifetime",
    "id": "56bde05c8033721c45b172a1",
}

# 24.1 Return Order.
RETURN = {
    "user_first_name": "Raijin",
    "user_id": "57cbd1b8b0207a0a6ab7905c",
    "auto_approval_date": "",
    "points_status": "pending_deduction",
    "returned_for_order_id": "Order Partially Returned",
    "transaction_type": "deduct",
    "user_last_name": "Thunderkeg",
    "reason": "Order Partially Returned",
    "points": 1,
    "user_email": "subhtestshop@gmail.com",
    "created_time": "06-Oct-2016 10:19:32",
    "updated_time": "06-Oct-2016 10:19:32",
    "partner_id": "137692186f3cfaf9fc0839d8da0934f6",
    "id": "57f62534b0207a09ef8a327f",
    "approved_time": "06-Oct-2016 10:19:32",
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def assert_shape(ours: Any, doc: Any, path: str = "data") -> None:
    """``ours`` has every key of ``doc``, each with a value of the same JSON type."""
    if doc is None:
        return
    assert _kind(ours) == _kind(doc), f"{path}: {ours!r} is not a {_kind(doc)} like {doc!r}"
    if isinstance(doc, dict):
        missing = set(doc) - set(ours)
        assert not missing, f"{path}: missing {sorted(missing)}"
        for key, value in doc.items():
            assert_shape(ours[key], value, f"{path}.{key}")
    elif isinstance(doc, list) and doc and ours:
        for i, item in enumerate(ours):
            assert_shape(item, doc[0], f"{path}[{i}]")


def assert_keys(ours: dict[str, Any], keys: set[str]) -> None:
    missing = keys - set(ours)
    assert not missing, f"missing {sorted(missing)}"
