"""The native face words the core's precise error codes in its own contract: the code
and message it has always answered (``api/native/errors.py``)."""

from __future__ import annotations

from typing import Any

from tests.factories import Tenant, award, insert_member


def error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return dict(r.json()["error"])


def test_an_unknown_activity_is_not_found_invalid_activity_id(tenant: Tenant) -> None:
    assert error(tenant.api.get("/activities/nope"), 404) == {
        "code": "NOT_FOUND",
        "message": "Invalid Activity ID",
        "field": "id",
    }


def test_an_unknown_reward_is_not_found_invalid_redemption_id(tenant: Tenant) -> None:
    assert error(tenant.api.get("/rewards/nope"), 404) == {
        "code": "NOT_FOUND",
        "message": "Invalid Redemption ID",
        "field": "id",
    }


def test_an_unknown_tier_is_not_found_invalid_level_id(tenant: Tenant) -> None:
    assert error(tenant.api.get("/tiers/nope"), 404) == {
        "code": "NOT_FOUND",
        "message": "Invalid Level ID",
        "field": "id",
    }


def test_an_unknown_transaction_is_not_found_invalid_transaction_id(tenant: Tenant) -> None:
    assert error(tenant.api.get("/points/transactions/txn_nope"), 404) == {
        "code": "NOT_FOUND",
        "message": "Invalid Transaction ID",
        "field": "id",
    }


def test_a_reward_without_codes_left_is_pool_exhausted(tenant: Tenant) -> None:
    r = tenant.api.post("/rewards", json={"name": "Card", "pointsCost": 10, "codes": ["ONE"]})
    assert r.status_code == 201, r.text
    m = insert_member(tenant)
    award(tenant, m, 100)
    redeem = f"/rewards/{r.json()['id']}/redeem"
    assert tenant.api.post(redeem, json={"memberId": m}).status_code == 200
    assert error(tenant.api.post(redeem, json={"memberId": m}), 409) == {
        "code": "POOL_EXHAUSTED",
        "message": "No codes left for this redemption option",
        "field": "rewardId",
    }


def test_a_reference_awarded_to_another_member_is_a_duplicate_order(tenant: Tenant) -> None:
    assert (
        tenant.api.post("/activities", json={"name": "Buy", "key": "buy", "points": 10}).status_code
        == 201
    )
    first, second = insert_member(tenant), insert_member(tenant)
    body = {"memberId": first, "reference": "ORD-1"}
    assert tenant.api.post("/activities/buy/award", json=body).status_code == 201
    again = tenant.api.post("/activities/buy/award", json=body | {"memberId": second})
    assert error(again, 409) == {
        "code": "DUPLICATE_ORDER",
        "message": "This order_id was already used",
        "field": "reference",
    }
