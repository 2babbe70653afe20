"""The document's Advocates table, row by row:

- GET /advocates (page, limit, search, tier) → 200 ``{advocates: [], total, page}``
- GET /advocates/:id → 200 ``{advocate}`` | 404
- POST /advocates ``{email, name, metadata}`` → 201 ``{advocate}`` | 400
- PATCH /advocates/:id ``{name, tier, metadata}`` → 200 ``{advocate}`` | 404
- POST /advocates/:id/points ``{amount, description, type}`` → 200
  ``{transaction, newBalance}``

plus the statuses every endpoint has (400 naming the field, 401, 403 without the scope,
404 for another tenant's id), and the same advocate seen through ``/api/v2``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.advocate.conftest import events, give, make_advocate, refused, v1, without
from tests.factories import Api, Tenant, unique

NIL = "mem_" + "0" * 32


def _tier(t: Tenant, name: str, min_points: int, position: int) -> dict[str, Any]:
    r = t.api.post("/tiers", json={"name": name, "minPoints": min_points, "position": position})
    assert r.status_code == 201, r.text
    return dict(r.json())


# --- GET /advocates ------------------------------------------------------------------


def test_list_answers_advocates_total_and_page(tenant: Tenant, api: Api) -> None:
    made = [make_advocate(tenant, name=f"Ada {i}") for i in range(3)]
    r = api.get("/advocates")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"advocates", "total", "page"}
    assert body["total"] == 3 and body["page"] == 1
    assert [a["id"] for a in body["advocates"]] == [a["id"] for a in made]


def test_list_pages_with_page_and_limit(tenant: Tenant, api: Api) -> None:
    made = [make_advocate(tenant)["id"] for _ in range(5)]
    body = api.get("/advocates", params={"page": 2, "limit": 2}).json()
    assert body["page"] == 2 and body["total"] == 5
    assert [a["id"] for a in body["advocates"]] == made[2:4]
    last = api.get("/advocates", params={"page": 3, "limit": 2}).json()
    assert [a["id"] for a in last["advocates"]] == made[4:]


def test_limit_defaults_to_20(tenant: Tenant, api: Api) -> None:
    for _ in range(21):
        make_advocate(tenant)
    body = api.get("/advocates").json()
    assert len(body["advocates"]) == 20 and body["total"] == 21


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
    ],
)
def test_paging_out_of_range_is_a_400_naming_the_parameter(
    api: Api, params: dict[str, Any], field: str
) -> None:
    refused(api.get("/advocates", params=params), 400, "VALIDATION_ERROR", field)


def test_search_matches_the_name_and_the_email(tenant: Tenant, api: Api) -> None:
    ada = make_advocate(tenant, name="Ada Lovelace", email=f"{unique('ada')}@example.com")
    grace = make_advocate(tenant, name="Grace Hopper", email=f"{unique('gh')}@navy.example")
    by_name = api.get("/advocates", params={"search": "lovel"}).json()
    assert [a["id"] for a in by_name["advocates"]] == [ada["id"]] and by_name["total"] == 1
    by_email = api.get("/advocates", params={"search": "NAVY.example"}).json()
    assert [a["id"] for a in by_email["advocates"]] == [grace["id"]]
    by_full_name = api.get("/advocates", params={"search": "grace hop"}).json()
    assert [a["id"] for a in by_full_name["advocates"]] == [grace["id"]]


def test_search_does_not_match_other_identities(tenant: Tenant, api: Api) -> None:
    ext = unique("crm")
    r = tenant.api.post("/members", json={"email": f"{unique('x')}@example.com", "externalId": ext})
    assert r.status_code == 201
    assert api.get("/advocates", params={"search": ext}).json()["total"] == 0


def test_tier_filters_by_tier_id_or_name(tenant: Tenant, api: Api) -> None:
    gold = _tier(tenant, "Gold", 1000, 2)
    rich = make_advocate(tenant)
    make_advocate(tenant)
    give(tenant, rich["id"], 1500)
    for value in (gold["id"], "Gold", "gold"):
        body = api.get("/advocates", params={"tier": value}).json()
        assert [a["id"] for a in body["advocates"]] == [rich["id"]], value
        assert body["advocates"][0]["tier"] == {"id": gold["id"], "name": "Gold"}
    assert api.get("/advocates", params={"tier": "Platinum"}).json()["total"] == 0


def test_list_needs_members_read(tenant: Tenant) -> None:
    refused(without(tenant, "members:read").get("/advocates"), 403, "INSUFFICIENT_SCOPE")


def test_list_needs_a_key(tenant: Tenant) -> None:
    r = tenant.client.get("/api/v1/advocates")
    refused(r, 401, "UNAUTHORIZED")


def test_list_shows_only_the_tenants_advocates(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    make_advocate(other_tenant)
    mine = make_advocate(tenant)
    assert [a["id"] for a in api.get("/advocates").json()["advocates"]] == [mine["id"]]


# --- GET /advocates/:id --------------------------------------------------------------


def test_get_answers_the_advocate(tenant: Tenant, api: Api) -> None:
    made = make_advocate(tenant, name="Ada Lovelace", metadata={"team": "blue"})
    r = api.get(f"/advocates/{made['id']}")
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"advocate"}
    advocate = r.json()["advocate"]
    assert advocate == made
    assert advocate["name"] == "Ada Lovelace" and advocate["metadata"] == {"team": "blue"}
    assert advocate["points"] == 0 and advocate["status"] == "active"


@pytest.mark.parametrize("bad", [NIL, "mem_nothex", "42", "rwd_" + "1" * 32])
def test_get_an_unknown_or_malformed_id_is_404(api: Api, bad: str) -> None:
    refused(api.get(f"/advocates/{bad}"), 404, "NOT_FOUND")


def test_get_another_tenants_advocate_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_advocate(other_tenant)
    refused(v1(tenant).get(f"/advocates/{theirs['id']}"), 404, "NOT_FOUND")


def test_get_needs_members_read(tenant: Tenant) -> None:
    made = make_advocate(tenant)
    r = without(tenant, "members:read").get(f"/advocates/{made['id']}")
    refused(r, 403, "INSUFFICIENT_SCOPE")


# --- POST /advocates -----------------------------------------------------------------


def test_create_answers_201_with_the_advocate(tenant: Tenant, api: Api) -> None:
    email = f"{unique('Ada')}@Example.com"
    r = api.post("/advocates", json={"email": email, "name": "Ada", "metadata": {"a": 1}})
    assert r.status_code == 201, r.text
    assert set(r.json()) == {"advocate"}
    advocate = r.json()["advocate"]
    assert advocate["id"].startswith("mem_")
    assert advocate["email"] == email.lower()
    assert advocate["name"] == "Ada" and advocate["metadata"] == {"a": 1}
    assert advocate["referralCode"]


def test_name_is_split_onto_first_and_last_name_and_joined_back(tenant: Tenant) -> None:
    made = make_advocate(tenant, name="  Ada King   Lovelace ")
    member = tenant.api.get(f"/members/{made['id']}").json()
    assert (member["firstName"], member["lastName"]) == ("Ada", "King   Lovelace")
    assert made["name"] == "Ada King   Lovelace"
    single = make_advocate(tenant, name="Cher")
    member = tenant.api.get(f"/members/{single['id']}").json()
    assert (member["firstName"], member["lastName"]) == ("Cher", None)


def test_the_advocate_is_the_member_on_api_v2(tenant: Tenant) -> None:
    made = make_advocate(tenant, name="Ada Lovelace", metadata={"k": "v"})
    member = tenant.api.get(f"/members/{made['id']}")
    assert member.status_code == 200
    assert member.json()["email"] == made["email"]
    assert member.json()["metadata"] == {"k": "v"}
    assert events(tenant, "member.created")


def test_create_without_an_email_is_a_400_naming_email(api: Api) -> None:
    error = refused(api.post("/advocates", json={"name": "Ada"}), 400, "VALIDATION_ERROR", "email")
    assert error["message"] == "Email is required"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": 5}, "email"),
        ({"email": None}, "email"),
        ({"email": "a@example.com", "name": 7}, "name"),
        ({"email": "a@example.com", "name": "x" * 101}, "name"),
        ({"email": "a@example.com", "metadata": "x"}, "metadata"),
        ({"email": "a@example.com", "phone": "+15550100"}, "phone"),
    ],
)
def test_create_with_bad_input_is_a_400_naming_the_field(
    tenant: Tenant, api: Api, body: dict[str, Any], field: str
) -> None:
    refused(api.post("/advocates", json=body), 400, "VALIDATION_ERROR", field)
    assert api.get("/advocates").json()["total"] == 0


def test_a_duplicate_email_is_a_400_validation_error_naming_email(tenant: Tenant, api: Api) -> None:
    made = make_advocate(tenant)
    r = api.post("/advocates", json={"email": made["email"].upper()})
    refused(r, 400, "VALIDATION_ERROR", "email")
    assert api.get("/advocates").json()["total"] == 1


def test_create_needs_members_write(tenant: Tenant) -> None:
    r = without(tenant, "members:write").post("/advocates", json={"email": "a@example.com"})
    refused(r, 403, "INSUFFICIENT_SCOPE")


# --- PATCH /advocates/:id ------------------------------------------------------------


def test_patch_changes_name_and_metadata_and_leaves_the_rest(tenant: Tenant, api: Api) -> None:
    made = make_advocate(tenant, name="Ada Lovelace", metadata={"a": 1})
    r = api.patch(f"/advocates/{made['id']}", json={"name": "Grace Hopper"})
    assert r.status_code == 200, r.text
    assert r.json()["advocate"]["name"] == "Grace Hopper"
    assert r.json()["advocate"]["metadata"] == {"a": 1}
    r = api.patch(f"/advocates/{made['id']}", json={"metadata": {"b": 2}})
    assert r.json()["advocate"]["metadata"] == {"b": 2}
    assert r.json()["advocate"]["name"] == "Grace Hopper"
    member = tenant.api.get(f"/members/{made['id']}").json()
    assert (member["firstName"], member["lastName"]) == ("Grace", "Hopper")


def test_patch_null_name_clears_it(tenant: Tenant, api: Api) -> None:
    made = make_advocate(tenant, name="Ada Lovelace")
    r = api.patch(f"/advocates/{made['id']}", json={"name": None})
    assert r.status_code == 200 and r.json()["advocate"]["name"] is None


def test_patch_tier_by_name_or_id_sets_a_manual_tier_and_null_clears_it(
    tenant: Tenant, api: Api
) -> None:
    silver = _tier(tenant, "Silver", 100, 1)
    gold = _tier(tenant, "Gold", 1000, 2)
    made = make_advocate(tenant)
    give(tenant, made["id"], 150)  # earns Silver
    r = api.patch(f"/advocates/{made['id']}", json={"tier": "gold"})
    assert r.status_code == 200, r.text
    assert r.json()["advocate"]["tier"] == {"id": gold["id"], "name": "Gold"}
    give(tenant, made["id"], 1)  # a manual tier is kept through later changes
    assert api.get(f"/advocates/{made['id']}").json()["advocate"]["tier"]["id"] == gold["id"]
    r = api.patch(f"/advocates/{made['id']}", json={"tier": None})
    assert r.json()["advocate"]["tier"]["id"] == silver["id"]
    r = api.patch(f"/advocates/{made['id']}", json={"tier": gold["id"]})
    assert r.json()["advocate"]["tier"]["id"] == gold["id"]
    native = tenant.api.get(f"/members/{made['id']}/tier").json()
    assert native["tier"]["id"] == gold["id"]


def test_patch_an_unknown_tier_is_a_400_naming_tier_and_changes_nothing(
    tenant: Tenant, api: Api
) -> None:
    made = make_advocate(tenant, name="Ada")
    r = api.patch(f"/advocates/{made['id']}", json={"tier": "Platinum", "name": "Grace"})
    refused(r, 400, "VALIDATION_ERROR", "tier")
    assert api.get(f"/advocates/{made['id']}").json()["advocate"]["name"] == "Ada"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": 1}, "name"), ({"tier": 3}, "tier"), ({"email": "x@example.com"}, "email")],
)
def test_patch_bad_input_is_a_400_naming_the_field(
    tenant: Tenant, api: Api, body: dict[str, Any], field: str
) -> None:
    made = make_advocate(tenant)
    refused(api.patch(f"/advocates/{made['id']}", json=body), 400, "VALIDATION_ERROR", field)


def test_patch_an_unknown_or_another_tenants_advocate_is_404(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    theirs = make_advocate(other_tenant, name="Theirs")
    for target in (NIL, theirs["id"]):
        refused(api.patch(f"/advocates/{target}", json={"name": "X"}), 404, "NOT_FOUND")
        refused(api.patch(f"/advocates/{target}", json={"tier": None}), 404, "NOT_FOUND")
    assert v1(other_tenant).get(f"/advocates/{theirs['id']}").json()["advocate"]["name"] == "Theirs"


def test_patch_needs_members_write(tenant: Tenant) -> None:
    made = make_advocate(tenant)
    r = without(tenant, "members:write").patch(f"/advocates/{made['id']}", json={"name": "X"})
    refused(r, 403, "INSUFFICIENT_SCOPE")


# --- POST /advocates/:id/points ------------------------------------------------------


def test_award_answers_the_transaction_and_the_new_balance(tenant: Tenant, api: Api) -> None:
    made = make_advocate(tenant)
    r = api.post(f"/advocates/{made['id']}/points", json={"amount": 50, "description": "Review"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"transaction", "newBalance"}
    assert body["newBalance"] == 50
    tx = body["transaction"]
    assert tx["id"].startswith("txn_") and tx["advocateId"] == made["id"]
    assert (tx["type"], tx["amount"], tx["description"]) == ("award", 50, "Review")
    # The same entry and balance through the native face.
    native = tenant.api.get(f"/members/{made['id']}/points").json()
    assert native["balance"] == 50
    assert [t["id"] for t in native["transactions"]] == [tx["id"]]
    assert len(events(tenant, "points.awarded")) == 1


def test_deduct_takes_points_through_the_ledger(tenant: Tenant, api: Api) -> None:
    made = make_advocate(tenant)
    give(tenant, made["id"], 50)
    r = api.post(f"/advocates/{made['id']}/points", json={"amount": 20, "type": "deduct"})
    assert r.status_code == 200, r.text
    assert r.json()["newBalance"] == 30
    assert (r.json()["transaction"]["type"], r.json()["transaction"]["amount"]) == ("deduct", -20)
    assert tenant.api.get(f"/members/{made['id']}/points").json()["balance"] == 30


def test_a_deduct_beyond_the_balance_is_a_400_and_changes_nothing(tenant: Tenant, api: Api) -> None:
    made = make_advocate(tenant)
    give(tenant, made["id"], 10)
    r = api.post(f"/advocates/{made['id']}/points", json={"amount": 11, "type": "deduct"})
    refused(r, 400, "INSUFFICIENT_POINTS")
    assert api.get(f"/advocates/{made['id']}").json()["advocate"]["points"] == 10


def test_an_idempotency_key_awards_once(tenant: Tenant, api: Api) -> None:
    made = make_advocate(tenant)
    h = {"Idempotency-Key": unique("k")}
    first = api.post(f"/advocates/{made['id']}/points", json={"amount": 5}, headers=h)
    again = api.post(f"/advocates/{made['id']}/points", json={"amount": 5}, headers=h)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert api.get(f"/advocates/{made['id']}").json()["advocate"]["points"] == 5


def test_a_reused_idempotency_key_with_another_body_is_a_400(tenant: Tenant, api: Api) -> None:
    made = make_advocate(tenant)
    h = {"Idempotency-Key": unique("k")}
    assert api.post(f"/advocates/{made['id']}/points", json={"amount": 5}, headers=h).is_success
    r = api.post(f"/advocates/{made['id']}/points", json={"amount": 6}, headers=h)
    refused(r, 400, "IDEMPOTENCY_KEY_REUSED")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": "5"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": 5, "type": "gift"}, "type"),
        ({"amount": 5, "description": 3}, "description"),
    ],
)
def test_points_bad_input_is_a_400_naming_the_field(
    tenant: Tenant, api: Api, body: dict[str, Any], field: str
) -> None:
    made = make_advocate(tenant)
    refused(api.post(f"/advocates/{made['id']}/points", json=body), 400, "VALIDATION_ERROR", field)
    assert api.get(f"/advocates/{made['id']}").json()["advocate"]["points"] == 0


def test_points_for_an_unknown_or_another_tenants_advocate_is_404(
    tenant: Tenant, other_tenant: Tenant, api: Api
) -> None:
    theirs = make_advocate(other_tenant)
    for target in (NIL, theirs["id"]):
        refused(api.post(f"/advocates/{target}/points", json={"amount": 5}), 404, "NOT_FOUND")
    assert v1(other_tenant).get(f"/advocates/{theirs['id']}").json()["advocate"]["points"] == 0


def test_points_need_the_points_scope(tenant: Tenant) -> None:
    made = make_advocate(tenant)
    r = without(tenant, "points:write").post(f"/advocates/{made['id']}/points", json={"amount": 5})
    refused(r, 403, "INSUFFICIENT_SCOPE")
    assert v1(tenant).get(f"/advocates/{made['id']}").json()["advocate"]["points"] == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/advocates/" + NIL),
        ("POST", "/advocates"),
        ("PATCH", "/advocates/" + NIL),
        ("POST", f"/advocates/{NIL}/points"),
    ],
)
def test_every_advocate_endpoint_needs_a_valid_key(tenant: Tenant, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer fl_live_not-a-key"}):
        r = tenant.client.request(method, "/api/v1" + path, json={}, headers=headers)
        refused(r, 401, "UNAUTHORIZED")
