"""The document's Rewards table, row by row:

- GET /rewards (status, type; page, limit) → 200 ``{rewards: []}``
- GET /rewards/:id → 200 ``{reward}`` | 404
- POST /rewards ``{name, description, pointsCost, type, stock}`` → 201 ``{reward}`` | 400
- POST /rewards/:id/redeem ``{advocateId}`` → 200 ``{redemption}`` | 400 insufficient points

plus 400 OUT_OF_STOCK, 401, 403 without ``rewards``, 404 for another tenant's ids, the
face's OpenAPI statuses, and the same rewards through ``/api/v2``.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.api.advocate.conftest import (
    events,
    give,
    make_advocate,
    make_reward,
    refused,
    v1,
    without,
)
from tests.factories import Api, Tenant, unique

NIL_REWARD = "rwd_" + "0" * 32
NIL_MEMBER = "mem_" + "0" * 32


def _redeem(api: Api, reward: dict[str, Any], advocate: dict[str, Any]) -> Any:
    return api.post(f"/rewards/{reward['id']}/redeem", json={"advocateId": advocate["id"]})


def _points(api: Api, advocate: dict[str, Any]) -> int:
    return int(api.get(f"/advocates/{advocate['id']}").json()["advocate"]["points"])


def _stock(api: Api, reward: dict[str, Any]) -> int | None:
    return api.get(f"/rewards/{reward['id']}").json()["reward"]["stock"]  # type: ignore[no-any-return]


# --- POST /rewards -------------------------------------------------------------------


def test_create_answers_201_with_the_reward(tenant: Tenant, api: Api) -> None:
    r = api.post(
        "/rewards",
        json={
            "name": "Hoodie",
            "description": "Brand hoodie",
            "pointsCost": 500,
            "type": "product",
            "stock": 10,
        },
    )
    assert r.status_code == 201, r.text
    assert set(r.json()) == {"reward"}
    reward = r.json()["reward"]
    assert reward["id"].startswith("rwd_")
    assert {k: reward[k] for k in ("name", "description", "pointsCost", "type", "stock")} == {
        "name": "Hoodie",
        "description": "Brand hoodie",
        "pointsCost": 500,
        "type": "product",
        "stock": 10,
    }
    assert reward["status"] == "active"


def test_create_defaults_to_custom_and_unlimited_stock(tenant: Tenant, api: Api) -> None:
    reward = make_reward(tenant)
    assert reward["type"] == "custom" and reward["stock"] is None
    explicit = make_reward(tenant, stock=None, type="gift_card")
    assert explicit["stock"] is None and explicit["type"] == "gift_card"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pointsCost": 5}, "name"),
        ({"name": "X"}, "pointsCost"),
        ({"name": "", "pointsCost": 5}, "name"),
        ({"name": "X", "pointsCost": 0}, "pointsCost"),
        ({"name": "X", "pointsCost": "5"}, "pointsCost"),
        ({"name": "X", "pointsCost": 5, "type": "voucher"}, "type"),
        ({"name": "X", "pointsCost": 5, "stock": -1}, "stock"),
        ({"name": "X", "pointsCost": 5, "stock": 1.5}, "stock"),
        ({"name": "X", "pointsCost": 5, "key": "x"}, "key"),
    ],
)
def test_create_with_bad_input_is_a_400_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    refused(api.post("/rewards", json=body), 400, "VALIDATION_ERROR", field)
    assert api.get("/rewards").json()["rewards"] == []


def test_create_needs_rewards_write(tenant: Tenant) -> None:
    r = without(tenant, "rewards:write").post("/rewards", json={"name": "X", "pointsCost": 5})
    refused(r, 403, "INSUFFICIENT_SCOPE")


# --- GET /rewards/:id ----------------------------------------------------------------


def test_get_answers_the_reward(tenant: Tenant, api: Api) -> None:
    made = make_reward(tenant, type="experience", stock=3)
    r = api.get(f"/rewards/{made['id']}")
    assert r.status_code == 200 and r.json() == {"reward": made}


@pytest.mark.parametrize("bad", [NIL_REWARD, "rwd_xyz", "hoodie", "mem_" + "1" * 32])
def test_get_an_unknown_or_malformed_id_is_404(api: Api, bad: str) -> None:
    assert api.get(f"/rewards/{bad}").status_code == 404
    refused(api.get(f"/rewards/{bad}"), 404, "REWARD_NOT_FOUND")


def test_get_another_tenants_reward_is_404(tenant: Tenant, other_tenant: Tenant, api: Api) -> None:
    theirs = make_reward(other_tenant)
    refused(api.get(f"/rewards/{theirs['id']}"), 404, "REWARD_NOT_FOUND")


def test_get_needs_rewards_read(tenant: Tenant) -> None:
    made = make_reward(tenant)
    refused(
        without(tenant, "rewards:read").get(f"/rewards/{made['id']}"), 403, "INSUFFICIENT_SCOPE"
    )


# --- GET /rewards --------------------------------------------------------------------


def test_list_answers_the_rewards(tenant: Tenant, api: Api) -> None:
    made = [make_reward(tenant) for _ in range(3)]
    body = api.get("/rewards").json()
    assert body["rewards"] == made
    assert body["total"] == 3 and body["page"] == 1


def test_list_filters_by_status(tenant: Tenant, api: Api) -> None:
    on = make_reward(tenant)
    off = make_reward(tenant)
    assert tenant.api.patch(f"/rewards/{off['id']}", json={"isActive": False}).status_code == 200
    active = api.get("/rewards", params={"status": "active"}).json()["rewards"]
    inactive = api.get("/rewards", params={"status": "inactive"}).json()["rewards"]
    assert [r["id"] for r in active] == [on["id"]]
    assert [r["id"] for r in inactive] == [off["id"]] and inactive[0]["status"] == "inactive"


def test_list_filters_by_type(tenant: Tenant, api: Api) -> None:
    card = make_reward(tenant, type="gift_card")
    make_reward(tenant, type="product")
    listed = api.get("/rewards", params={"type": "gift_card"}).json()["rewards"]
    assert [r["id"] for r in listed] == [card["id"]]
    assert api.get("/rewards", params={"type": "experience"}).json()["rewards"] == []


def test_list_pages_with_page_and_limit(tenant: Tenant, api: Api) -> None:
    made = [make_reward(tenant)["id"] for _ in range(5)]
    body = api.get("/rewards", params={"page": 2, "limit": 2}).json()
    assert [r["id"] for r in body["rewards"]] == made[2:4] and body["page"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"type": "voucher"}, "type"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"page": 0}, "page"),
    ],
)
def test_list_bad_parameters_are_a_400_naming_them(
    api: Api, params: dict[str, Any], field: str
) -> None:
    refused(api.get("/rewards", params=params), 400, "VALIDATION_ERROR", field)


def test_list_shows_only_the_tenants_rewards(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    make_reward(other_tenant)
    mine = make_reward(tenant)
    assert [r["id"] for r in api.get("/rewards").json()["rewards"]] == [mine["id"]]


def test_list_needs_rewards_read(tenant: Tenant) -> None:
    refused(without(tenant, "rewards:read").get("/rewards"), 403, "INSUFFICIENT_SCOPE")


# --- the same rewards on /api/v2 -----------------------------------------------------


def test_the_reward_is_the_native_reward_with_its_type(tenant: Tenant, api: Api) -> None:
    made = make_reward(tenant, type="discount", stock=4, pointsCost=70)
    native = tenant.api.get(f"/rewards/{made['id']}").json()
    assert (native["type"], native["stock"], native["pointsCost"], native["isActive"]) == (
        "discount",
        4,
        70,
        True,
    )
    listed = tenant.api.get("/rewards", params={"type": "discount"}).json()["rewards"]
    assert [r["id"] for r in listed] == [made["id"]]
    r = tenant.api.post("/rewards", json={"name": "Trip", "pointsCost": 9, "type": "experience"})
    assert r.status_code == 201
    assert api.get(f"/rewards/{r.json()['id']}").json()["reward"]["type"] == "experience"
    changed = tenant.api.patch(f"/rewards/{made['id']}", json={"type": "product"})
    assert changed.status_code == 200, changed.text
    assert api.get(f"/rewards/{made['id']}").json()["reward"]["type"] == "product"


# --- POST /rewards/:id/redeem --------------------------------------------------------


def test_redeem_spends_the_points_and_takes_one_from_stock(tenant: Tenant, api: Api) -> None:
    reward = make_reward(tenant, pointsCost=100, stock=2)
    advocate = make_advocate(tenant)
    give(tenant, advocate["id"], 250)
    r = _redeem(api, reward, advocate)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"redemption"}
    red = r.json()["redemption"]
    assert red["id"].startswith("txn_")
    assert (red["rewardId"], red["advocateId"], red["pointsSpent"]) == (
        reward["id"],
        advocate["id"],
        100,
    )
    assert red["couponCode"] is None and red["createdAt"].endswith("Z")
    assert red["newBalance"] == 150 == _points(api, advocate)
    assert _stock(api, reward) == 1
    # The redemption is the ledger entry, seen on /api/v2 too.
    entry = tenant.api.get(f"/points/transactions/{red['id']}").json()
    assert (entry["type"], entry["amount"]) == ("redeem", -100)
    (event,) = events(tenant, "reward.redeemed")
    assert uuid.UUID(event.payload["transaction_id"]).hex == red["id"].removeprefix("txn_")
    assert event.payload["coupon_code"] is None and event.payload["points"] == 100


def test_redeem_unlimited_stock_stays_unlimited(tenant: Tenant, api: Api) -> None:
    reward = make_reward(tenant, pointsCost=10)
    advocate = make_advocate(tenant)
    give(tenant, advocate["id"], 30)
    for _ in range(3):
        assert _redeem(api, reward, advocate).status_code == 200
    assert _stock(api, reward) is None and _points(api, advocate) == 0


def test_insufficient_points_is_a_400_and_charges_nothing(tenant: Tenant, api: Api) -> None:
    reward = make_reward(tenant, pointsCost=100, stock=3)
    advocate = make_advocate(tenant)
    give(tenant, advocate["id"], 99)
    refused(_redeem(api, reward, advocate), 400, "INSUFFICIENT_POINTS")
    assert _points(api, advocate) == 99 and _stock(api, reward) == 3
    assert events(tenant, "reward.redeemed") == []


def test_out_of_stock_is_a_400_distinct_from_insufficient_points(tenant: Tenant, api: Api) -> None:
    reward = make_reward(tenant, pointsCost=10, stock=1)
    first, second = make_advocate(tenant), make_advocate(tenant)
    give(tenant, first["id"], 10)
    give(tenant, second["id"], 10)
    assert _redeem(api, reward, first).status_code == 200
    refused(_redeem(api, reward, second), 400, "OUT_OF_STOCK")
    assert _points(api, second) == 10 and _stock(api, reward) == 0


def test_a_reward_with_a_pool_of_codes_hands_out_one_code_then_is_out_of_stock(
    tenant: Tenant, api: Api
) -> None:
    r = tenant.api.post("/rewards", json={"name": "Card", "pointsCost": 10, "codes": ["GC-1"]})
    assert r.status_code == 201, r.text
    reward = {"id": r.json()["id"]}
    first, second = make_advocate(tenant), make_advocate(tenant)
    give(tenant, first["id"], 10)
    give(tenant, second["id"], 10)
    red = _redeem(api, reward, first)
    assert red.status_code == 200, red.text
    assert red.json()["redemption"]["couponCode"] == "GC-1"
    refused(_redeem(api, reward, second), 400, "OUT_OF_STOCK")
    assert _points(api, second) == 10


def test_an_inactive_reward_is_a_400(tenant: Tenant, api: Api) -> None:
    reward = make_reward(tenant, pointsCost=10)
    tenant.api.patch(f"/rewards/{reward['id']}", json={"isActive": False})
    advocate = make_advocate(tenant)
    give(tenant, advocate["id"], 10)
    refused(_redeem(api, reward, advocate), 400, "REWARD_INACTIVE")
    assert _points(api, advocate) == 10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "advocateId"),
        ({"advocateId": 5}, "advocateId"),
        ({"advocateId": NIL_MEMBER, "x": 1}, "x"),
    ],
)
def test_redeem_bad_input_is_a_400_naming_the_field(
    tenant: Tenant, api: Api, body: dict[str, Any], field: str
) -> None:
    reward = make_reward(tenant)
    refused(api.post(f"/rewards/{reward['id']}/redeem", json=body), 400, "VALIDATION_ERROR", field)


def test_redeem_for_an_unknown_or_another_tenants_advocate_is_404_naming_advocate_id(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    reward = make_reward(tenant, pointsCost=1)
    theirs = make_advocate(other_tenant)
    give(other_tenant, theirs["id"], 5)
    for target in (NIL_MEMBER, theirs["id"], "nonsense"):
        r = api.post(f"/rewards/{reward['id']}/redeem", json={"advocateId": target})
        refused(r, 404, "NOT_FOUND", "advocateId")
    assert _points(v1(other_tenant), theirs) == 5


def test_redeem_another_tenants_reward_is_404(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    theirs = make_reward(other_tenant, pointsCost=1, stock=1)
    advocate = make_advocate(tenant)
    give(tenant, advocate["id"], 5)
    for target in (theirs, {"id": NIL_REWARD}):
        refused(_redeem(api, target, advocate), 404, "REWARD_NOT_FOUND")
    assert _points(api, advocate) == 5 and _stock(v1(other_tenant), theirs) == 1


def test_redeem_needs_rewards_write(tenant: Tenant) -> None:
    reward = make_reward(tenant, pointsCost=1)
    advocate = make_advocate(tenant)
    give(tenant, advocate["id"], 1)
    r = _redeem(without(tenant, "rewards:write"), reward, advocate)
    refused(r, 403, "INSUFFICIENT_SCOPE")
    assert _points(v1(tenant), advocate) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/rewards"),
        ("GET", f"/rewards/{NIL_REWARD}"),
        ("POST", "/rewards"),
        ("POST", f"/rewards/{NIL_REWARD}/redeem"),
    ],
)
def test_every_reward_endpoint_needs_a_valid_key(tenant: Tenant, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": f"Bearer {unique('fl_live_')}"}):
        r = tenant.client.request(method, "/api/v1" + path, json={}, headers=headers)
        refused(r, 401, "UNAUTHORIZED")


# --- the face's OpenAPI --------------------------------------------------------------


def test_openapi_documents_the_documents_statuses_and_no_409_or_422(tenant: Tenant) -> None:
    doc = tenant.client.get("/api/v1/openapi.json").json()
    assert doc["paths"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert not codes & {"409", "422"}, (method, path, codes)
            assert {"400", "401", "403", "404", "429"} <= codes, (method, path, codes)
    assert set(doc["components"]["securitySchemes"]) == {"HTTPBearer"}
    assert "swagger" in tenant.client.get("/api/v1/docs").text.lower()
