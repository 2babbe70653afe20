"""Referrals that pay (``ambassador.payout`` / ``referrals.Follower``), through the
real app: the referrer's ``referral`` activity (default, amount, cap, approval), the
clawback on refund, a pending order linked on arrival, the loop that closes on a
referred member's first order, and the friend's welcome reward."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from punchcard.ambassador.payout import DEFAULT_REFERRAL_POINTS
from punchcard.models import OutboxEvent, ReferralCode, ReferralEvent
from tests.factories import Tenant, balance, unique
from tests.tracking.factories import make_member, member_code, member_uuid


def place(t: Tenant, member: dict[str, Any], total: str, ext: str | None = None) -> str:
    ext = ext or unique("ORD-")
    r = t.api.post(
        "/orders", json={"externalOrderId": ext, "memberId": member["id"], "total": total}
    )
    assert r.status_code == 201, r.text
    return ext


def convert(t: Tenant, code: str, order: str, **kw: Any) -> dict[str, Any]:
    r = t.api.post("/referrals/conversions", json={"code": code, "orderId": order, **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())


def refund(t: Tenant, ext: str, amount: str | None = None) -> None:
    body = {} if amount is None else {"amount": amount}
    r = t.api.post(f"/orders/{ext}/refund", json=body)
    assert r.status_code == 200, r.text


def member(t: Tenant, m: dict[str, Any]) -> dict[str, Any]:
    return dict(t.api.get(f"/members/{m['id']}").json())


def conversions(t: Tenant) -> list[ReferralEvent]:
    with t.db.transaction(write=False) as s:
        return list(
            s.scalars(
                select(ReferralEvent).where(
                    ReferralEvent.tenant_id == t.id, ReferralEvent.type == "conversion"
                )
            )
        )


def converted_events(t: Tenant) -> int:
    with t.db.transaction(write=False) as s:
        rows = s.scalars(
            select(OutboxEvent).where(
                OutboxEvent.tenant_id == t.id, OutboxEvent.type == "referral.converted"
            )
        ).all()
    return len(rows)


def test_a_fresh_program_pays_the_referrer_through_the_referral_activity(tenant: Tenant) -> None:
    referrer, friend = make_member(tenant), make_member(tenant)
    ext = place(tenant, friend, "40.00")
    body = convert(tenant, member_code(tenant, referrer), ext)
    assert body["points"] == DEFAULT_REFERRAL_POINTS and body["pending"] is False
    assert balance(tenant, referrer["id"]) == DEFAULT_REFERRAL_POINTS
    # Created on first use, where the merchant's activity endpoints change it.
    activity = tenant.api.get("/activities/referral").json()
    assert activity["key"] == "referral" and activity["points"] == DEFAULT_REFERRAL_POINTS
    assert activity["approval"] == "immediate" and activity["isActive"] is True


def test_the_merchant_sets_the_amount_and_the_frequency_cap(tenant: Tenant) -> None:
    r = tenant.api.post(
        "/activities",
        json={
            "name": "Referral",
            "key": "referral",
            "points": 250,
            "maxAwardFrequency": 1,
            "frequencyPeriod": "lifetime",
        },
    )
    assert r.status_code == 201, r.text
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    first = convert(tenant, code, place(tenant, make_member(tenant), "10.00"))
    second = convert(tenant, code, place(tenant, make_member(tenant), "10.00"))
    assert first["points"] == 250
    # Capped: the conversion still counts, it pays nothing.
    assert second["points"] == 0
    assert balance(tenant, referrer["id"]) == 250
    assert len(conversions(tenant)) == 2


def test_manual_approval_leaves_the_award_pending_and_a_refund_rejects_it(
    tenant: Tenant,
) -> None:
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    convert(tenant, code, place(tenant, make_member(tenant), "10.00"))  # creates the rule
    r = tenant.api.patch("/activities/referral", json={"approval": "manual", "points": 30})
    assert r.status_code == 200, r.text
    before = balance(tenant, referrer["id"])
    ext = place(tenant, make_member(tenant), "10.00")
    assert convert(tenant, code, ext)["points"] == 30
    assert balance(tenant, referrer["id"]) == before
    assert member(tenant, referrer)["pendingPoints"] == 30
    refund(tenant, ext)
    assert member(tenant, referrer)["pendingPoints"] == 0
    assert balance(tenant, referrer["id"]) == before


def test_a_refund_claws_back_the_referrers_points_in_proportion(tenant: Tenant) -> None:
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    ext = place(tenant, make_member(tenant), "80.00")
    convert(tenant, code, ext)
    refund(tenant, ext, "20.00")  # a quarter
    assert balance(tenant, referrer["id"]) == DEFAULT_REFERRAL_POINTS * 3 // 4
    refund(tenant, ext)  # the rest
    assert balance(tenant, referrer["id"]) == 0
    [conversion] = conversions(tenant)
    assert conversion.points_clawed_back == DEFAULT_REFERRAL_POINTS


def test_an_order_not_yet_ingested_is_pending_then_linked_and_paid_on_arrival(
    tenant: Tenant,
) -> None:
    referrer, friend = make_member(tenant), make_member(tenant)
    code = member_code(tenant, referrer)
    pending = convert(tenant, code, "ORD-LATER-1", revenue="55.00")
    assert pending["pending"] is True and pending["externalOrderId"] == "ORD-LATER-1"
    assert pending["orderId"] is None and pending["points"] == 0
    assert balance(tenant, referrer["id"]) == 0
    # The same order id again is the same conversion.
    again = tenant.api.post("/referrals/conversions", json={"code": code, "orderId": "ORD-LATER-1"})
    assert again.status_code == 200 and again.json()["id"] == pending["id"]

    place(tenant, friend, "60.00", ext="ORD-LATER-1")
    assert balance(tenant, referrer["id"]) == DEFAULT_REFERRAL_POINTS
    [conversion] = conversions(tenant)
    assert conversion.order_id is not None and conversion.referred_member_id == member_uuid(friend)
    assert conversion.revenue == 55 and conversion.points == DEFAULT_REFERRAL_POINTS
    assert converted_events(tenant) == 1


def test_a_pending_conversion_of_the_referrers_own_order_is_dropped(tenant: Tenant) -> None:
    referrer = make_member(tenant)
    convert(tenant, member_code(tenant, referrer), "ORD-MINE")
    place(tenant, referrer, "10.00", ext="ORD-MINE")
    assert conversions(tenant) == []
    assert balance(tenant, referrer["id"]) == 10  # the purchase's own points only


def test_the_loop_closes_on_a_referred_members_first_order(tenant: Tenant) -> None:
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    friend = make_member(tenant, referredBy=code.lower())  # codes are retyped
    place(tenant, friend, "25.00")
    assert balance(tenant, referrer["id"]) == DEFAULT_REFERRAL_POINTS
    place(tenant, friend, "25.00")  # only the first order converts
    assert balance(tenant, referrer["id"]) == DEFAULT_REFERRAL_POINTS
    [conversion] = conversions(tenant)
    assert conversion.referred_member_id == member_uuid(friend) and conversion.revenue == 25
    assert converted_events(tenant) == 1
    stats = tenant.api.get("/referrals/stats", params={"memberId": referrer["id"]}).json()
    assert stats["codes"][0]["conversions"] == 1


def test_the_loop_closes_for_a_member_enrolled_in_a_batch_and_an_order_batch(
    tenant: Tenant,
) -> None:
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    email = f"{unique('b')}@example.com"
    r = tenant.api.post("/members/batch", json={"members": [{"email": email, "referredBy": code}]})
    assert r.status_code == 200, r.text
    friend_id = r.json()["results"][0]["id"]
    rows = [
        {"externalOrderId": unique("ORD-"), "memberId": friend_id, "total": "10.00"}
        for _ in range(2)
    ]
    r = tenant.api.post("/orders/batch", json={"orders": rows})
    assert r.status_code == 200 and r.json()["created"] == 2, r.text
    assert balance(tenant, referrer["id"]) == DEFAULT_REFERRAL_POINTS
    assert len(conversions(tenant)) == 1


def test_the_friend_gets_the_welcome_reward_when_the_merchant_sets_one(tenant: Tenant) -> None:
    referrer = make_member(tenant)
    code = member_code(tenant, referrer)
    plain = make_member(tenant, referredBy=code)
    place(tenant, plain, "10.00")
    assert balance(tenant, plain["id"]) == 10  # no welcome activity: the purchase only
    r = tenant.api.post(
        "/activities", json={"name": "Welcome", "key": "referral_welcome", "points": 50}
    )
    assert r.status_code == 201, r.text
    friend = make_member(tenant, referredBy=code)
    place(tenant, friend, "10.00")
    assert balance(tenant, friend["id"]) == 10 + 50


def test_an_unknown_referral_code_at_enrolment_is_404_naming_referred_by(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = member_code(other_tenant, make_member(other_tenant))
    for code in ("NOPE-NOPE", theirs):
        r = tenant.api.post(
            "/members", json={"email": f"{unique('m')}@example.com", "referredBy": code}
        )
        assert r.status_code == 404 and r.json()["error"]["field"] == "referredBy"


def test_every_member_has_a_referral_code_from_enrolment(tenant: Tenant) -> None:
    one = make_member(tenant)
    rows = [{"email": f"{unique('b')}@example.com"} for _ in range(3)]
    r = tenant.api.post("/members/batch", json={"members": rows})
    assert r.status_code == 200, r.text
    ids = [member_uuid(one)] + [member_uuid({"id": x["id"]}) for x in r.json()["results"]]
    with tenant.db.transaction(write=False) as s:
        codes = s.scalars(
            select(ReferralCode).where(
                ReferralCode.tenant_id == tenant.id, ReferralCode.member_id.in_(ids)
            )
        ).all()
    assert sorted(c.member_id for c in codes if c.kind == "member") == sorted(ids)
