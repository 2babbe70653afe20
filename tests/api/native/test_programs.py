"""The points engine through the native face: activities, approvals, tiers, rewards,
returns against pending awards, and the ShopSocially lifecycle statuses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.factories import Tenant, award, balance, insert_member, unique, verify_tenant


def activity(t: Tenant, **kw: Any) -> dict[str, Any]:
    r = t.api.post("/activities", json={"name": unique("act"), **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())


def earn(t: Tenant, act: str, member: str, **kw: Any) -> Any:
    return t.api.post(f"/activities/{act}/award", json={"memberId": member, **kw})


def set_tz(t: Tenant, tz: str) -> None:
    assert t.api.patch("/settings", json={"timezone": tz}).status_code == 200


def test_fixed_activity_awards_its_points_or_points_passed(tenant: Tenant) -> None:
    a = activity(tenant, key="wrote_review", points=50)
    m = insert_member(tenant)
    r = earn(tenant, "wrote_review", m)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["transaction"]["amount"] == 50 and body["transaction"]["status"] == "auto_approved"
    assert body["transaction"]["activityId"] == a["id"]
    assert earn(tenant, a["id"], m, pointsPassed=7).json()["balance"] == 57


def test_bonus_multiplier_needs_points_passed_and_floors(tenant: Tenant) -> None:
    activity(tenant, key="purchase_x2", kind="bonus_multiplier", multiplier="2.5")
    m = insert_member(tenant)
    r = earn(tenant, "purchase_x2", m)
    assert r.status_code == 400 and r.json()["error"]["field"] == "pointsPassed"
    assert (
        earn(tenant, "purchase_x2", m, pointsPassed="10.99").json()["transaction"]["amount"] == 27
    )


def test_tier_multiplier_applies_to_activity_awards(tenant: Tenant) -> None:
    assert (
        tenant.api.post(
            "/tiers", json={"name": "Gold", "multiplier": "2", "isDefault": True}
        ).status_code
        == 201
    )
    activity(tenant, key="checkin", points=10)
    m = insert_member(tenant)
    award(tenant, m, 1)  # evaluates the tier
    assert earn(tenant, "checkin", m).json()["transaction"]["amount"] == 20


def test_inactive_activity_is_refused(tenant: Tenant) -> None:
    activity(tenant, key="old", points=5, isActive=False)
    r = earn(tenant, "old", insert_member(tenant))
    assert r.status_code == 422 and r.json()["error"]["code"] == "ACTIVITY_INACTIVE"


def test_reference_awards_once(tenant: Tenant) -> None:
    activity(tenant, key="buy", kind="bonus_multiplier", multiplier="1")
    m = insert_member(tenant)
    first = earn(tenant, "buy", m, pointsPassed=100, reference="ORD-1")
    again = earn(tenant, "buy", m, pointsPassed=100, reference="ORD-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["transaction"]["id"] == first.json()["transaction"]["id"]
    assert balance(tenant, m) == 100
    # The reference is an order: the native face sees it and can refund it.
    assert tenant.api.get("/orders", params={"externalOrderId": "ORD-1"}).json()["total"] == 1


def test_daily_frequency_cap_resets_at_local_midnight_across_dst(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    set_tz(tenant, "America/New_York")
    activity(tenant, key="visit", points=1, maxAwardFrequency=2, frequencyPeriod="day")
    m = insert_member(tenant)
    # 2026-03-08 is the spring-forward day in New York: 23 hours long.
    clock.freeze(datetime(2026, 3, 8, 5, 30, tzinfo=UTC))  # 00:30 EST
    assert earn(tenant, "visit", m).status_code == 201
    clock.freeze(datetime(2026, 3, 9, 3, 59, tzinfo=UTC))  # 23:59 EDT, still the 8th
    assert earn(tenant, "visit", m).status_code == 201
    r = earn(tenant, "visit", m)
    assert r.status_code == 422 and r.json()["error"]["code"] == "FREQUENCY_CAP_REACHED"
    clock.freeze(datetime(2026, 3, 9, 4, 0, 1, tzinfo=UTC))  # 00:00:01 EDT on the 9th
    assert earn(tenant, "visit", m).status_code == 201


def test_weekly_monthly_yearly_and_lifetime_caps(tenant: Tenant, clock) -> None:  # type: ignore[no-untyped-def]
    set_tz(tenant, "Europe/Berlin")
    m = insert_member(tenant)
    cases = [
        (
            "week",
            datetime(2026, 3, 29, 21, 59, tzinfo=UTC),
            datetime(2026, 3, 29, 22, 0, 1, tzinfo=UTC),
        ),
        (
            "month",
            datetime(2026, 3, 31, 21, 59, tzinfo=UTC),
            datetime(2026, 3, 31, 22, 0, 1, tzinfo=UTC),
        ),
        (
            "year",
            datetime(2026, 12, 31, 22, 59, tzinfo=UTC),
            datetime(2026, 12, 31, 23, 0, 1, tzinfo=UTC),
        ),
    ]
    for period, last_moment, next_period in cases:
        key = f"cap_{period}"
        activity(tenant, key=key, points=1, maxAwardFrequency=1, frequencyPeriod=period)
        clock.freeze(last_moment)
        assert earn(tenant, key, m).status_code == 201, period
        assert earn(tenant, key, m).status_code == 422, period
        clock.freeze(next_period)
        assert earn(tenant, key, m).status_code == 201, period
    activity(tenant, key="once", points=1, maxAwardFrequency=1, frequencyPeriod="lifetime")
    assert earn(tenant, "once", m).status_code == 201
    clock.advance(days=3650)
    assert earn(tenant, "once", m).status_code == 422


def test_manual_approval_pending_then_approved_or_rejected(tenant: Tenant) -> None:
    activity(tenant, key="ugc", points=30, approval="manual")
    m = insert_member(tenant)
    txn = earn(tenant, "ugc", m).json()["transaction"]
    assert txn["status"] == "pending"
    body = tenant.api.get(f"/members/{m}/points").json()
    assert body["balance"] == 0 and body["pending"] == 30
    # Pending points cannot be spent.
    assert tenant.api.post(f"/members/{m}/points", json={"amount": -1}).status_code == 422
    r = tenant.api.patch(f"/points/transactions/{txn['id']}", json={"status": "approved"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    body = tenant.api.get(f"/members/{m}/points").json()
    assert body["balance"] == 30 and body["pending"] == 0 and body["lifetime"] == 30
    # Deciding twice is refused.
    again = tenant.api.patch(f"/points/transactions/{txn['id']}", json={"status": "rejected"})
    assert again.status_code == 400 and again.json()["error"]["field"] == "status"
    other = earn(tenant, "ugc", m).json()["transaction"]
    assert (
        tenant.api.patch(f"/points/transactions/{other['id']}", json={"status": "rejected"}).json()[
            "status"
        ]
        == "rejected"
    )
    assert tenant.api.get(f"/members/{m}/points").json()["pending"] == 0
    verify_tenant(tenant)


def test_monthly_approval_happens_at_the_start_of_next_local_month(
    tenant: Tenant, clock, db
) -> None:  # type: ignore[no-untyped-def]
    from punchcard.ledger.jobs import approve_monthly

    set_tz(tenant, "America/Los_Angeles")
    activity(tenant, key="monthly", points=40, approval="monthly")
    m = insert_member(tenant)
    clock.freeze(datetime(2026, 4, 30, 20, tzinfo=UTC))  # 13:00 PDT, April 30
    assert earn(tenant, "monthly", m).json()["transaction"]["status"] == "pending"
    clock.freeze(datetime(2026, 5, 1, 6, 59, tzinfo=UTC))  # 23:59 PDT, still April
    approve_monthly(db, clock.now(), tenant_id=tenant.id)
    assert tenant.api.get(f"/members/{m}/points").json()["pending"] == 40
    clock.freeze(datetime(2026, 5, 1, 7, 0, 1, tzinfo=UTC))  # May in Los Angeles
    approve_monthly(db, clock.now(), tenant_id=tenant.id)
    approve_monthly(db, clock.now(), tenant_id=tenant.id)  # running twice changes nothing
    body = tenant.api.get(f"/members/{m}/points").json()
    assert body["pending"] == 0 and body["balance"] == 40
    assert body["transactions"][0]["status"] == "auto_approved"
    verify_tenant(tenant)


def test_expiry_job_expires_lots_and_marks_the_award_expired(tenant: Tenant, clock, db) -> None:  # type: ignore[no-untyped-def]
    from punchcard.ledger.jobs import expire_due_lots

    clock.freeze(datetime(2026, 2, 1, tzinfo=UTC))
    activity(tenant, key="short", points=25, expiryDays=10)
    m = insert_member(tenant)
    txn = earn(tenant, "short", m).json()["transaction"]
    assert txn["expiresAt"] == "2026-02-11T00:00:00.000Z"
    clock.advance(days=11)
    expire_due_lots(db, clock.now(), tenant_id=tenant.id)
    expire_due_lots(db, clock.now(), tenant_id=tenant.id)
    body = tenant.api.get(f"/members/{m}/points").json()
    assert body["balance"] == 0
    assert [(t["type"], t["status"]) for t in body["transactions"]] == [
        ("expire", "expired"),
        ("award", "expired"),
    ]
    verify_tenant(tenant)


def test_spent_award_is_exhausted(tenant: Tenant) -> None:
    m = insert_member(tenant)
    first = award(tenant, m, 10)
    award(tenant, m, -10)
    txn = tenant.api.get(f"/points/transactions/{first['transactionId']}").json()
    assert txn["status"] == "exhausted"
    verify_tenant(tenant)


def test_return_against_a_pending_award_waits_for_the_decision(tenant: Tenant) -> None:
    activity(tenant, key="buy_manual", kind="bonus_multiplier", multiplier="1", approval="manual")
    m = insert_member(tenant)
    txn = earn(tenant, "buy_manual", m, pointsPassed=100, reference="PO-9").json()["transaction"]
    r = tenant.api.post("/orders/PO-9/refund", json={"amount": "40"})
    assert r.status_code == 200 and r.json()["pointsClawedBack"] == 40
    body = tenant.api.get(f"/members/{m}/points").json()
    assert body["pending"] == 60 and body["balance"] == 0
    assert body["transactions"][0]["status"] == "pending_deduction"
    tenant.api.patch(f"/points/transactions/{txn['id']}", json={"status": "approved"})
    body = tenant.api.get(f"/members/{m}/points").json()
    assert body["balance"] == 60 and body["pending"] == 0
    assert {t["status"] for t in body["transactions"]} == {"approved", "deducted"}
    verify_tenant(tenant)


def test_return_against_a_rejected_award_is_withdrawn(tenant: Tenant) -> None:
    activity(tenant, key="buy_m2", kind="bonus_multiplier", multiplier="1", approval="manual")
    m = insert_member(tenant)
    txn = earn(tenant, "buy_m2", m, pointsPassed=50, reference="PO-10").json()["transaction"]
    tenant.api.post("/orders/PO-10/refund", json={"amount": "10"})
    tenant.api.patch(f"/points/transactions/{txn['id']}", json={"status": "rejected"})
    body = tenant.api.get(f"/members/{m}/points").json()
    assert body["pending"] == 0 and body["balance"] == 0
    verify_tenant(tenant)


def test_tiers_period_and_lifetime_with_manual_override(tenant: Tenant) -> None:
    silver = tenant.api.post(
        "/tiers", json={"name": "Silver", "type": "lifetime", "position": 1, "minPoints": 100}
    ).json()
    gold = tenant.api.post(
        "/tiers",
        json={
            "name": "Gold",
            "type": "period",
            "position": 2,
            "minPoints": 300,
            "multiplier": "1.5",
        },
    ).json()
    m = insert_member(tenant)
    award(tenant, m, 150)
    assert tenant.api.get(f"/members/{m}/tier").json()["tier"]["name"] == "Silver"
    award(tenant, m, 200)
    view = tenant.api.get(f"/members/{m}/tier").json()
    assert view["tier"]["name"] == "Gold" and view["periodPoints"] == 350
    # A manual tier is kept through later changes until cleared.
    r = tenant.api.put(f"/members/{m}/tier", json={"tierId": silver["id"]})
    assert r.status_code == 200 and r.json()["name"] == "Silver"
    award(tenant, m, 10)
    assert tenant.api.get(f"/members/{m}/tier").json()["tier"]["name"] == "Silver"
    tenant.api.put(f"/members/{m}/tier", json={"tierId": None})
    assert tenant.api.get(f"/members/{m}/tier").json()["tier"]["id"] == gold["id"]


def test_period_rollover_downgrades_at_the_boundary(tenant: Tenant, clock, db) -> None:  # type: ignore[no-untyped-def]
    from punchcard.tiers.jobs import period_rollover

    clock.freeze(datetime(2026, 12, 20, tzinfo=UTC))
    tenant.api.post(
        "/tiers",
        json={"name": "Base", "type": "period", "position": 0, "minPoints": 0, "isDefault": True},
    )
    tenant.api.post(
        "/tiers", json={"name": "VIP", "type": "period", "position": 1, "minPoints": 100}
    )
    m = insert_member(tenant)
    award(tenant, m, 120)
    assert tenant.api.get(f"/members/{m}/tier").json()["tier"]["name"] == "VIP"
    clock.freeze(datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC))
    assert period_rollover(db, clock.now(), tenant_id=tenant.id) >= 1
    assert tenant.api.get(f"/members/{m}/tier").json()["tier"]["name"] == "Base"
    assert period_rollover(db, clock.now(), tenant_id=tenant.id) == 0  # once per boundary


def test_reward_redemption_pops_one_code_and_charges_once(tenant: Tenant) -> None:
    r = tenant.api.post(
        "/rewards",
        json={
            "key": "$50_gift_card",
            "name": "$50 Gift Card",
            "pointsCost": 1000,
            "monetaryValue": "50",
            "codes": ["GET50OFF", "GET50OFF-2"],
            "terms": "One per order",
        },
    )
    assert r.status_code == 201, r.text
    reward = r.json()
    assert reward["availableCodes"] == 2 and reward["key"] == "$50_gift_card"
    m = insert_member(tenant)
    award(tenant, m, 2500)
    done = tenant.api.post("/rewards/$50_gift_card/redeem", json={"memberId": m})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (
        body["coupon"]["code"] == "GET50OFF" and body["balance"] == 1500 and body["points"] == 1000
    )
    assert body["reward"]["availableCodes"] == 1
    tenant.api.post(f"/rewards/{reward['id']}/redeem", json={"memberId": m})
    empty = tenant.api.post(f"/rewards/{reward['id']}/redeem", json={"memberId": m})
    assert empty.status_code == 409 and empty.json()["error"]["code"] == "POOL_EXHAUSTED"
    assert balance(tenant, m) == 500
    verify_tenant(tenant)


def test_reward_refusals_charge_nothing(tenant: Tenant) -> None:
    gold = tenant.api.post("/tiers", json={"name": "Gold", "minPoints": 10_000}).json()
    tenant.api.post(
        "/rewards", json={"key": "vip", "name": "VIP", "pointsCost": 10, "tierIds": [gold["id"]]}
    )
    tenant.api.post(
        "/rewards", json={"key": "off", "name": "Off", "pointsCost": 10, "isActive": False}
    )
    tenant.api.post("/rewards", json={"key": "one", "name": "One", "pointsCost": 10, "stock": 1})
    tenant.api.post("/rewards", json={"key": "big", "name": "Big", "pointsCost": 10_000})
    m = insert_member(tenant)
    award(tenant, m, 100)
    for key, code in [
        ("vip", "TIER_NOT_ELIGIBLE"),
        ("off", "REWARD_INACTIVE"),
        ("big", "INSUFFICIENT_POINTS"),
    ]:
        r = tenant.api.post(f"/rewards/{key}/redeem", json={"memberId": m})
        assert r.json()["error"]["code"] == code, (key, r.text)
    assert tenant.api.post("/rewards/one/redeem", json={"memberId": m}).status_code == 200
    r = tenant.api.post("/rewards/one/redeem", json={"memberId": m})
    assert r.status_code == 409 and r.json()["error"]["code"] == "OUT_OF_STOCK"
    assert balance(tenant, m) == 90
    assert tenant.api.get("/rewards/one").json()["stock"] == 0
    verify_tenant(tenant)


def test_programs_validation_auth_and_isolation(tenant: Tenant, other_tenant: Tenant) -> None:
    assert (
        tenant.api.post("/activities", json={"name": "x", "kind": "weird"}).json()["error"]["field"]
        == "kind"
    )
    r = tenant.api.post("/activities", json={"name": "x", "maxAwardFrequency": 2})
    assert r.status_code == 400 and r.json()["error"]["field"] == "frequencyPeriod"
    assert tenant.api.post("/rewards", json={"name": "x"}).json()["error"]["field"] == "pointsCost"
    assert (
        tenant.api.post("/tiers", json={"name": "x", "type": "forever"}).json()["error"]["field"]
        == "type"
    )
    assert tenant.client.get("/api/v2/activities").status_code == 401
    assert tenant.key_without("points:read").get("/activities").status_code == 403
    assert (
        tenant.key("rewards:read").post("/rewards", json={"name": "x", "pointsCost": 1}).status_code
        == 403
    )
    theirs = activity(other_tenant, key="theirs", points=1)
    their_reward = other_tenant.api.post("/rewards", json={"name": "r", "pointsCost": 1}).json()
    their_tier = other_tenant.api.post("/tiers", json={"name": "t"}).json()
    m = insert_member(tenant)
    assert tenant.api.get(f"/activities/{theirs['id']}").status_code == 404
    assert earn(tenant, theirs["id"], m).status_code == 404
    assert tenant.api.get(f"/rewards/{their_reward['id']}").status_code == 404
    assert (
        tenant.api.post(f"/rewards/{their_reward['id']}/redeem", json={"memberId": m}).status_code
        == 404
    )
    assert tenant.api.get(f"/tiers/{their_tier['id']}").status_code == 404
    om = insert_member(other_tenant)
    txn = award(other_tenant, om, 5)["transactionId"]
    assert tenant.api.get(f"/points/transactions/{txn}").status_code == 404
    assert (
        tenant.api.patch(f"/points/transactions/{txn}", json={"status": "approved"}).status_code
        == 404
    )


def test_an_activity_key_shaped_like_an_id_is_still_found_by_key(tenant: Tenant) -> None:
    key = "0123456789abcdef0123456789abcdef"
    created = tenant.api.post("/activities", json={"key": key, "name": "Hex", "points": 5})
    assert created.status_code == 201, created.text
    r = tenant.api.get(f"/activities/{key}")
    assert r.status_code == 200 and r.json()["id"] == created.json()["id"]


def test_a_reward_key_shaped_like_an_id_is_still_found_by_key(tenant: Tenant) -> None:
    key = "01234567-89ab-cdef-0123-456789abcdef"
    created = tenant.api.post("/rewards", json={"key": key, "name": "Hex", "pointsCost": 5})
    assert created.status_code == 201, created.text
    r = tenant.api.get(f"/rewards/{key}")
    assert r.status_code == 200 and r.json()["id"] == created.json()["id"]


def test_a_reward_value_its_code_pool_cannot_hold_is_refused_naming_monetary_value(
    tenant: Tenant,
) -> None:
    r = tenant.api.post(
        "/rewards",
        json={"name": "Big", "pointsCost": 10, "monetaryValue": "100000000", "codes": ["BIG-1"]},
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "monetaryValue"
    assert r.json()["error"]["message"] == (
        "monetaryValue: Input should be less than or equal to 99999999"
    )


def test_a_reward_with_both_codes_and_generated_codes_is_refused_naming_codes(
    tenant: Tenant,
) -> None:
    r = tenant.api.post(
        "/rewards",
        json={"name": "Both", "pointsCost": 10, "codes": ["X-1"], "generate": {"count": 2}},
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "codes"
    assert r.json()["error"]["message"] == (
        "codes: Value error, give either codes or generate, not both"
    )
