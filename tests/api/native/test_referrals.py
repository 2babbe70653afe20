"""Referrals (native extension): /api/v2/referrals/clicks, /conversions, /stats."""

from __future__ import annotations

from sqlalchemy import select

from punchcard.app import event_renderers
from punchcard.models import OutboxEvent
from tests.factories import Tenant
from tests.tracking.factories import (
    make_code,
    make_member,
    make_order,
    member_code,
)


def convert(t: Tenant, **body: object) -> dict:
    r = t.api.post("/referrals/conversions", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_click_is_recorded(tenant: Tenant) -> None:
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    r = tenant.api.post(
        "/referrals/clicks", json={"code": code, "visitorId": "v-42", "url": "/r/landing"}
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["id"].startswith("ref_") and body["code"] == code
    assert body["visitorId"] == "v-42" and body["createdAt"].endswith("Z")
    # The landing page shows in the tracking stats.
    pages = tenant.api.get("/tracking/stats").json()["byPage"]
    assert pages == [{"url": "/r/landing", "events": 1}]


def test_codes_match_regardless_of_case(tenant: Tenant) -> None:
    code = make_code(tenant, make_member(tenant))
    r = tenant.api.post("/referrals/clicks", json={"code": code.lower()})
    assert r.status_code == 202 and r.json()["code"] == code


def test_an_unknown_code_is_404_naming_code(tenant: Tenant) -> None:
    r = tenant.api.post("/referrals/clicks", json={"code": "NOPE-NOPE"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "code"
    r = tenant.api.post("/referrals/conversions", json={"code": "NOPE-NOPE"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "code"


def test_a_conversion_by_order_defaults_member_and_revenue_and_emits_an_event(
    tenant: Tenant,
) -> None:
    referrer, friend = make_member(tenant), make_member(tenant)
    code = member_code(tenant, referrer)
    order = make_order(tenant, friend, "120.00", status="partially_refunded", refunded="20.00")
    body = convert(tenant, code=code, orderId=order["externalOrderId"])
    assert body["id"].startswith("ref_")
    assert body["code"] == code
    assert body["referrerId"] == referrer["id"]
    assert body["referredMemberId"] == friend["id"]
    assert body["orderId"] == order["id"]
    assert body["revenue"] == "100.00" and body["currency"] == "USD"
    assert body["createdAt"].endswith("Z")

    with tenant.db.transaction(write=False) as s:
        events = s.scalars(
            select(OutboxEvent).where(
                OutboxEvent.tenant_id == tenant.id, OutboxEvent.type == "referral.converted"
            )
        ).all()
    assert len(events) == 1
    assert events[0].resource_id == body["id"]
    assert event_renderers()["referral.converted"](events[0].payload) == body


def test_one_conversion_per_order(tenant: Tenant) -> None:
    referrer, friend = make_member(tenant), make_member(tenant)
    code = member_code(tenant, referrer)
    order = make_order(tenant, friend, "50.00")
    first = convert(tenant, code=code, orderId=order["id"], revenue="45.5")
    assert first["revenue"] == "45.50"
    again = tenant.api.post(
        "/referrals/conversions", json={"code": code, "orderId": order["externalOrderId"]}
    )
    assert again.status_code == 200 and again.json() == first
    other = make_code(tenant, make_member(tenant))
    r = tenant.api.post("/referrals/conversions", json={"code": other, "orderId": order["id"]})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "ORDER_ALREADY_CONVERTED"
    assert r.json()["error"]["field"] == "orderId"
    stats = tenant.api.get("/referrals/stats", params={"memberId": referrer["id"]}).json()
    assert stats["codes"][0]["conversions"] == 1


def test_a_conversion_without_an_order(tenant: Tenant) -> None:
    referrer, friend = make_member(tenant), make_member(tenant)
    code = make_code(tenant, referrer)
    body = convert(tenant, code=code, memberId=friend["id"])
    assert body["orderId"] is None and body["revenue"] == "0.00"
    assert body["referredMemberId"] == friend["id"]


def test_conversion_validation_names_the_field(tenant: Tenant, other_tenant: Tenant) -> None:
    referrer, friend = make_member(tenant), make_member(tenant)
    code = member_code(tenant, referrer)

    def post(**body: object) -> tuple[int, str | None]:
        r = tenant.api.post("/referrals/conversions", json=body)
        return r.status_code, r.json()["error"]["field"]

    assert post(code=code, revenue="-1") == (400, "revenue")
    assert post(code=code, revenue="lots") == (400, "revenue")
    assert post(revenue="1") == (400, "code")
    assert post(code=code, orderId="ord_" + "0" * 32) == (404, "orderId")  # an id of ours
    assert post(code=code, memberId="mem_" + "0" * 32) == (404, "memberId")
    order = make_order(tenant, friend, "10.00")
    own_order = make_order(tenant, referrer, "10.00")
    assert post(code=code, orderId=own_order["id"]) == (422, "memberId")
    assert post(code=code, memberId=referrer["id"]) == (422, "memberId")
    someone = make_member(tenant)
    assert post(code=code, orderId=order["id"], memberId=someone["id"]) == (400, "memberId")
    theirs = make_member(other_tenant)
    their_order = make_order(other_tenant, theirs, "10.00")
    assert post(code=code, memberId=theirs["id"]) == (404, "memberId")
    assert post(code=code, orderId=their_order["id"]) == (404, "orderId")
    r = tenant.api.post("/referrals/clicks", json={"code": code, "visitorId": "v" * 129})
    assert r.status_code == 400 and r.json()["error"]["field"] == "visitorId"


def test_stats_per_code(tenant: Tenant) -> None:
    ann, bob, friend = make_member(tenant), make_member(tenant), make_member(tenant)
    ann_code, bob_code = member_code(tenant, ann), member_code(tenant, bob)
    affiliate = make_code(tenant, ann)
    for _ in range(3):
        tenant.api.post("/referrals/clicks", json={"code": affiliate})
    tenant.api.post("/referrals/clicks", json={"code": bob_code})
    convert(tenant, code=affiliate, orderId=make_order(tenant, friend, "30.00")["id"])
    convert(tenant, code=affiliate, orderId=make_order(tenant, friend, "12.50")["id"])
    convert(tenant, code=ann_code, memberId=friend["id"], revenue="5")

    r = tenant.api.get("/referrals/stats")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 4  # three members' own codes and one affiliate code
    top = body["codes"][0]
    assert top == {
        "code": affiliate,
        "memberId": ann["id"],
        "kind": "affiliate",
        "clicks": 3,
        "uniqueVisitors": 0,  # clicks without a visitor id count as clicks only
        "conversions": 2,
        "revenue": "42.50",
    }
    by_code = {c["code"]: c for c in body["codes"]}
    assert by_code[ann_code]["conversions"] == 1 and by_code[ann_code]["revenue"] == "5.00"
    assert by_code[bob_code]["clicks"] == 1 and by_code[bob_code]["conversions"] == 0

    only = tenant.api.get("/referrals/stats", params={"kind": "affiliate"}).json()
    assert [c["code"] for c in only["codes"]] == [affiliate] and only["total"] == 1
    mine = tenant.api.get("/referrals/stats", params={"memberId": ann["id"]}).json()
    assert {c["code"] for c in mine["codes"]} == {ann_code, affiliate}
    paged = tenant.api.get("/referrals/stats", params={"limit": 1, "offset": 1}).json()
    assert paged["total"] == 4 and len(paged["codes"]) == 1
    old = tenant.api.get("/referrals/stats", params={"from": "2001-01-01", "to": "2001-01-31"})
    assert all(c["clicks"] == 0 and c["conversions"] == 0 for c in old.json()["codes"])


def test_stats_validation_names_the_field(tenant: Tenant) -> None:
    r = tenant.api.get("/referrals/stats", params={"kind": "vip"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "kind"
    r = tenant.api.get("/referrals/stats", params={"memberId": "bob"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "memberId"


def test_referrals_need_credentials(tenant: Tenant) -> None:
    assert tenant.client.get("/api/v2/referrals/stats").status_code == 401
    for path in ("/referrals/clicks", "/referrals/conversions"):
        assert tenant.client.post("/api/v2" + path, json={"code": "X"}).status_code == 401


def test_referrals_need_their_scope(tenant: Tenant) -> None:
    code = member_code(tenant, make_member(tenant))
    assert tenant.key_without("ambassador:read").get("/referrals/stats").status_code == 403
    read_only = tenant.key("ambassador:read")
    r = read_only.post("/referrals/clicks", json={"code": code})
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert read_only.post("/referrals/conversions", json={"code": code}).status_code == 403


def test_another_tenants_codes_are_unknown_and_invisible(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = make_member(other_tenant)
    their_code = make_code(other_tenant, theirs)
    other_tenant.api.post("/referrals/clicks", json={"code": their_code})
    r = tenant.api.post("/referrals/clicks", json={"code": their_code})
    assert r.status_code == 404 and r.json()["error"]["field"] == "code"
    assert tenant.api.post("/referrals/conversions", json={"code": their_code}).status_code == 404
    assert tenant.api.get("/referrals/stats").json()["total"] == 0
    r = tenant.api.get("/referrals/stats", params={"memberId": theirs["id"]})
    assert r.json()["total"] == 0
