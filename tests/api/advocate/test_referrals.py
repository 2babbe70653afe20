"""Contract tests for the document's Referrals group (``seeds/002_…``), at ``/api/v1``:

- GET /api/v1/referrals → 200 { referrals: [] }
- GET /api/v1/referrals/:code/stats → 200 { clicks, conversions, revenue }
- POST /api/v1/referrals/track, body { code, visitorId } → 200 { tracked: true }
- POST /api/v1/referrals/convert, body { code, orderId, orderValue }
  → 200 { conversion, pointsAwarded }

plus the document's statuses (400 naming the field, 401, 403, 404) and its error object.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from punchcard.ambassador.payout import DEFAULT_REFERRAL_POINTS
from tests.factories import Api, Tenant, balance, unique
from tests.tracking.factories import make_member, member_code


def v1(api: Api) -> Api:
    return replace(api, base="/api/v1")


def place(t: Tenant, member: dict[str, Any], total: str) -> str:
    ext = unique("ORD-")
    r = t.api.post(
        "/orders", json={"externalOrderId": ext, "memberId": member["id"], "total": total}
    )
    assert r.status_code == 201, r.text
    return ext


def error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()["error"]
    assert set(body) == {"code", "message", "field"}
    return dict(body)


# GET /referrals ------------------------------------------------------------------


def test_list_referrals_lists_every_advocates_code(tenant: Tenant) -> None:
    api = v1(tenant.api)
    ann, bob = make_member(tenant), make_member(tenant)
    ann_code = member_code(tenant, ann)
    api.post("/referrals/track", json={"code": ann_code, "visitorId": "v1"})
    r = api.get("/referrals")
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["referrals"], list) and body["total"] == 2 and body["page"] == 1
    by_code = {x["code"]: x for x in body["referrals"]}
    assert set(by_code) == {ann_code, member_code(tenant, bob)}
    first = by_code[ann_code]
    assert first["advocateId"] == ann["id"] and first["kind"] == "member"
    assert first["url"].endswith(f"/r/{ann_code}")
    assert first["clicks"] == 1 and first["uniqueVisitors"] == 1
    assert first["conversions"] == 0 and first["revenue"] == 0
    # The advocate id is the member's, on /api/v2 too.
    assert tenant.api.get(f"/members/{first['advocateId']}").status_code == 200


def test_list_referrals_pages_with_page_and_limit(tenant: Tenant) -> None:
    api = v1(tenant.api)
    for _ in range(3):
        make_member(tenant)
    everything = [
        x["code"] for x in api.get("/referrals", params={"limit": 100}).json()["referrals"]
    ]
    assert len(everything) == 3
    second = api.get("/referrals", params={"page": 2, "limit": 2}).json()
    assert second["page"] == 2 and second["total"] == 3
    assert [x["code"] for x in second["referrals"]] == everything[2:]
    assert len(api.get("/referrals").json()["referrals"]) == 3  # default limit 20


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "x"}, "page"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
    ],
)
def test_list_referrals_refuses_paging_out_of_range(
    tenant: Tenant, params: dict[str, Any], field: str
) -> None:
    body = error(v1(tenant.api).get("/referrals", params=params), 400)
    assert body["field"] == field


def test_list_referrals_shows_no_other_tenants_codes(tenant: Tenant, other_tenant: Tenant) -> None:
    make_member(other_tenant)
    assert v1(tenant.api).get("/referrals").json()["referrals"] == []


# GET /referrals/:code/stats ------------------------------------------------------


def test_stats_count_clicks_unique_visitors_conversions_and_revenue(tenant: Tenant) -> None:
    api = v1(tenant.api)
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    for visitor in ("v-1", "v-2", "v-1"):
        r = api.post("/referrals/track", json={"code": code, "visitorId": visitor})
        assert r.status_code == 200 and r.json() == {"tracked": True}
    api.post(
        "/referrals/convert",
        json={
            "code": code,
            "orderId": place(tenant, make_member(tenant), "50"),
            "orderValue": 42.5,
        },
    )
    r = api.get(f"/referrals/{code}/stats")
    assert r.status_code == 200, r.text
    assert r.json() == {"clicks": 3, "uniqueVisitors": 2, "conversions": 1, "revenue": 42.5}
    assert isinstance(r.json()["revenue"], float)


def test_stats_of_an_unknown_or_another_tenants_code_are_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = member_code(other_tenant, make_member(other_tenant))
    for code in ("NOPE-NOPE", theirs):
        assert error(v1(tenant.api).get(f"/referrals/{code}/stats"), 404)["code"] == "NOT_FOUND"


# POST /referrals/track -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"visitorId": "v"}, "code"),
        ({"code": "@CODE"}, "visitorId"),
        ({"code": "@CODE", "visitorId": ""}, "visitorId"),
        ({"code": "@CODE", "visitorId": 7}, "visitorId"),
        ({"code": "@CODE", "visitorId": "v" * 129}, "visitorId"),
        ({"code": "@CODE", "visitorId": "v", "url": "/x"}, "url"),
    ],
)
def test_track_refuses_a_bad_body_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    code = member_code(tenant, make_member(tenant))
    body = {k: code if v == "@CODE" else v for k, v in body.items()}
    assert error(v1(tenant.api).post("/referrals/track", json=body), 400)["field"] == field
    assert v1(tenant.api).get(f"/referrals/{code}/stats").json()["clicks"] == 0


def test_track_an_unknown_or_another_tenants_code_is_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = member_code(other_tenant, make_member(other_tenant))
    for code in ("NOPE-NOPE", theirs):
        r = v1(tenant.api).post("/referrals/track", json={"code": code, "visitorId": "v"})
        assert error(r, 404)["field"] == "code"


# POST /referrals/convert ---------------------------------------------------------


def test_convert_records_the_conversion_and_pays_the_referrer(tenant: Tenant) -> None:
    api = v1(tenant.api)
    referrer, friend = make_member(tenant), make_member(tenant)
    code = member_code(tenant, referrer)
    ext = place(tenant, friend, "80.00")
    r = api.post("/referrals/convert", json={"code": code, "orderId": ext, "orderValue": 80})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"conversion", "pointsAwarded"}
    assert body["pointsAwarded"] == DEFAULT_REFERRAL_POINTS
    conversion = body["conversion"]
    assert conversion["id"].startswith("ref_") and conversion["code"] == code
    assert conversion["advocateId"] == referrer["id"]
    assert conversion["referredAdvocateId"] == friend["id"]
    assert conversion["orderId"] == ext and conversion["orderValue"] == 80
    assert conversion["status"] == "converted"
    assert balance(tenant, referrer["id"]) == DEFAULT_REFERRAL_POINTS
    # Once per order id: the same order again awards nothing.
    again = api.post("/referrals/convert", json={"code": code, "orderId": ext, "orderValue": 80})
    assert again.status_code == 200
    assert again.json()["conversion"]["id"] == conversion["id"]
    assert again.json()["pointsAwarded"] == 0
    assert balance(tenant, referrer["id"]) == DEFAULT_REFERRAL_POINTS


def test_convert_an_order_not_yet_ingested_is_pending(tenant: Tenant) -> None:
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    r = v1(tenant.api).post(
        "/referrals/convert", json={"code": code, "orderId": "SHOP-1001", "orderValue": "19.99"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["pointsAwarded"] == 0
    assert r.json()["conversion"]["status"] == "pending"
    assert r.json()["conversion"]["orderValue"] == 19.99


def test_convert_of_the_referrers_own_order_is_400_self_referral(tenant: Tenant) -> None:
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    ext = place(tenant, referrer, "10.00")
    r = v1(tenant.api).post("/referrals/convert", json={"code": code, "orderId": ext})
    assert error(r, 400)["code"] == "SELF_REFERRAL"


def test_convert_of_an_order_another_code_converted_is_400(tenant: Tenant) -> None:
    ext = place(tenant, make_member(tenant), "10.00")
    first, second = (member_code(tenant, make_member(tenant)) for _ in range(2))
    api = v1(tenant.api)
    assert api.post("/referrals/convert", json={"code": first, "orderId": ext}).status_code == 200
    body = error(api.post("/referrals/convert", json={"code": second, "orderId": ext}), 400)
    assert body["code"] == "ORDER_ALREADY_CONVERTED" and body["field"] == "orderId"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"orderId": "O-1"}, "code"),
        ({"code": "@CODE"}, "orderId"),
        ({"code": "@CODE", "orderId": ""}, "orderId"),
        ({"code": "@CODE", "orderId": 12}, "orderId"),
        ({"code": "@CODE", "orderId": "O-1", "orderValue": -1}, "orderValue"),
        ({"code": "@CODE", "orderId": "O-1", "orderValue": "lots"}, "orderValue"),
        ({"code": "@CODE", "orderId": "O-1", "orderValue": 1.234}, "orderValue"),
    ],
)
def test_convert_refuses_a_bad_body_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    code = member_code(tenant, make_member(tenant))
    body = {k: code if v == "@CODE" else v for k, v in body.items()}
    assert error(v1(tenant.api).post("/referrals/convert", json=body), 400)["field"] == field
    assert v1(tenant.api).get(f"/referrals/{code}/stats").json()["conversions"] == 0


def test_convert_an_unknown_or_another_tenants_code_is_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = member_code(other_tenant, make_member(other_tenant))
    ext = place(tenant, make_member(tenant), "10.00")
    for code in ("NOPE-NOPE", theirs):
        r = v1(tenant.api).post("/referrals/convert", json={"code": code, "orderId": ext})
        assert error(r, 404)["field"] == "code"


# 401 and 403 ---------------------------------------------------------------------

ROUTES = [
    ("get", "/referrals", None, "ambassador:read"),
    ("get", "/referrals/@CODE/stats", None, "ambassador:read"),
    ("post", "/referrals/track", {"code": "@CODE", "visitorId": "v"}, "ambassador:write"),
    ("post", "/referrals/convert", {"code": "@CODE", "orderId": "O-9"}, "ambassador:write"),
]


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
def test_every_referral_route_needs_credentials(
    tenant: Tenant, method: str, path: str, body: Any, scope: str
) -> None:
    code = member_code(tenant, make_member(tenant))
    url = "/api/v1" + path.replace("@CODE", code)
    kw = {} if body is None else {"json": {k: v.replace("@CODE", code) for k, v in body.items()}}
    assert error(getattr(tenant.client, method)(url, **kw), 401)
    bad = getattr(tenant.client, method)(url, headers={"Authorization": "Bearer nope"}, **kw)
    assert error(bad, 401)


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
def test_every_referral_route_needs_the_ambassador_scope(
    tenant: Tenant, method: str, path: str, body: Any, scope: str
) -> None:
    code = member_code(tenant, make_member(tenant))
    api = v1(tenant.key_without(scope))
    url = path.replace("@CODE", code)
    kw = {} if body is None else {"json": {k: v.replace("@CODE", code) for k, v in body.items()}}
    assert error(getattr(api, method)(url, **kw), 403)["code"] == "INSUFFICIENT_SCOPE"
    assert v1(tenant.api).get(f"/referrals/{code}/stats").json()["clicks"] == 0
