"""Orders: /orders, /orders/batch, /orders/{externalOrderId}/refund."""

from __future__ import annotations

from typing import Any

from tests.factories import Tenant, award, balance, insert_member, unique, verify_tenant


def order(t: Tenant, member: str, total: str = "240.50", **kw: Any) -> dict[str, Any]:
    body = {
        "externalOrderId": kw.pop("externalOrderId", unique("SO-")),
        "memberId": member,
        "total": total,
        **kw,
    }
    r = t.api.post("/orders", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def set_rate(t: Tenant, rate: str) -> None:
    from decimal import Decimal

    from punchcard.models import Tenant as TenantRow

    with t.db.transaction() as s:
        row = s.get(TenantRow, t.id)
        assert row is not None
        row.points_per_currency_unit = Decimal(rate)


def test_order_earns_floor_of_amount_times_rate(tenant: Tenant) -> None:
    m = insert_member(tenant)
    o = order(tenant, m, "240.50")
    assert o["pointsAwarded"] == 240 and o["balance"] == 240
    assert o["status"] == "paid" and o["total"] == "240.50" and o["currency"] == "USD"
    assert o["id"].startswith("ord_") and o["memberId"] == m
    set_rate(tenant, "2.5")
    assert order(tenant, m, "10.99")["pointsAwarded"] == 27  # floor(27.475)
    verify_tenant(tenant)


def test_tier_multiplier_applies_to_orders(tenant: Tenant) -> None:
    from punchcard.kit.ids import new_id
    from punchcard.models import Tier

    with tenant.db.transaction() as s:
        at = tenant.db.clock.now()
        s.add(
            Tier(
                tenant_id=tenant.id,
                id=new_id(),
                name="Gold",
                type="lifetime",
                position=1,
                min_points=0,
                multiplier=1.5,
                is_active=True,
                is_default=True,
                created_at=at,
                updated_at=at,
            )
        )
    m = insert_member(tenant)
    award(tenant, m, 1)  # re-evaluates the tier
    assert order(tenant, m, "100.00")["pointsAwarded"] == 150


def test_ineligible_items_earn_nothing(tenant: Tenant) -> None:
    m = insert_member(tenant)
    o = order(
        tenant,
        m,
        "60.00",
        items=[
            {"sku": "A", "quantity": 2, "price": "20.00"},
            {"sku": "GIFTCARD", "quantity": 1, "price": "20.00", "eligible": False},
        ],
    )
    assert o["pointsAwarded"] == 40


def test_same_order_twice_awards_once(tenant: Tenant) -> None:
    m = insert_member(tenant)
    body = {"externalOrderId": "SO-44821", "memberId": m, "total": "100.00"}
    first = tenant.api.post("/orders", json=body)
    second = tenant.api.post("/orders", json=body)
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert balance(tenant, m) == 100
    changed = tenant.api.post("/orders", json={**body, "total": "101.00"})
    assert changed.status_code == 409 and changed.json()["error"]["field"] == "externalOrderId"
    verify_tenant(tenant)


def test_partial_then_full_refund_claws_back_in_proportion(tenant: Tenant) -> None:
    m = insert_member(tenant)
    o = order(tenant, m, "200.00", externalOrderId="SO-1")
    assert o["pointsAwarded"] == 200
    r = tenant.api.post("/orders/SO-1/refund", json={"amount": "50.00", "refundId": "R1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["pointsClawedBack"] == 50 and body["balance"] == 150
    assert (
        body["order"]["status"] == "partially_refunded"
        and body["order"]["refundedAmount"] == "50.00"
    )
    # The same refundId again changes nothing.
    again = tenant.api.post("/orders/SO-1/refund", json={"amount": "50.00", "refundId": "R1"})
    assert again.status_code == 200 and again.json()["balance"] == 150
    # No amount: refund the rest.
    rest = tenant.api.post("/orders/SO-1/refund", json={}).json()
    assert rest["pointsClawedBack"] == 150 and rest["balance"] == 0
    assert rest["order"]["status"] == "refunded" and rest["order"]["pointsClawedBack"] == 200
    verify_tenant(tenant)


def test_refund_beyond_what_is_left_is_400(tenant: Tenant) -> None:
    m = insert_member(tenant)
    order(tenant, m, "20.00", externalOrderId="SO-2")
    r = tenant.api.post("/orders/SO-2/refund", json={"amount": "20.01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "amount"
    assert tenant.api.post("/orders/SO-2/refund", json={}).status_code == 200
    r = tenant.api.post("/orders/SO-2/refund", json={})
    assert r.status_code == 400 and r.json()["error"]["field"] == "amount"


def test_refund_after_spending_leaves_a_debt_paid_by_later_credits(tenant: Tenant) -> None:
    m = insert_member(tenant)
    order(tenant, m, "100.00", externalOrderId="SO-3")
    award(tenant, m, -80)
    r = tenant.api.post("/orders/SO-3/refund", json={}).json()
    assert r["pointsClawedBack"] == 100 and r["balance"] == -80
    # Nothing else may overdraw: a deduct is refused while in debt.
    assert tenant.api.post(f"/members/{m}/points", json={"amount": -1}).status_code == 422
    assert award(tenant, m, 100)["balance"] == 20
    verify_tenant(tenant)


def test_rounding_never_claws_back_more_than_earned(tenant: Tenant) -> None:
    m = insert_member(tenant)
    order(tenant, m, "10.00", externalOrderId="SO-4")
    for amount in ("3.33", "3.33", "3.34"):
        assert tenant.api.post("/orders/SO-4/refund", json={"amount": amount}).status_code == 200
    body = tenant.api.get("/orders", params={"externalOrderId": "SO-4"}).json()["orders"][0]
    assert body["pointsClawedBack"] == 10 and body["status"] == "refunded"
    verify_tenant(tenant)


def test_batch_reports_each_row(tenant: Tenant) -> None:
    m = insert_member(tenant)
    order(tenant, m, "5.00", externalOrderId="B-0")
    r = tenant.api.post(
        "/orders/batch",
        json={
            "orders": [
                {"externalOrderId": "B-1", "memberId": m, "total": "10.00"},
                {"externalOrderId": "B-0", "memberId": m, "total": "5.00"},
                {"externalOrderId": "B-2", "memberId": m},
                {"externalOrderId": "B-3", "memberId": "mem_nope", "total": "1.00"},
            ]
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["status"] for x in body["results"]] == ["created", "duplicate", "error", "error"]
    assert body["results"][0]["pointsAwarded"] == 10
    assert body["results"][2]["error"]["field"] == "total"
    assert body["results"][3]["error"]["code"] == "NOT_FOUND"
    assert (body["created"], body["duplicates"], body["failed"]) == (1, 1, 2)
    assert balance(tenant, m) == 15
    verify_tenant(tenant)


def test_batch_limits(tenant: Tenant) -> None:
    assert (
        tenant.api.post("/orders/batch", json={"orders": []}).json()["error"]["field"] == "orders"
    )
    too_many = [{"externalOrderId": str(i)} for i in range(501)]
    r = tenant.api.post("/orders/batch", json={"orders": too_many})
    assert r.status_code == 400 and r.json()["error"]["field"] == "orders"


def test_list_orders_filters(tenant: Tenant) -> None:
    a, b = insert_member(tenant), insert_member(tenant)
    order(tenant, a, "1.00")
    order(tenant, b, "2.00")
    body = tenant.api.get("/orders", params={"memberId": a}).json()
    assert body["total"] == 1 and body["orders"][0]["memberId"] == a
    receipts = tenant.api.get(f"/members/{b}/receipts").json()
    assert [x["total"] for x in receipts["receipts"]] == ["2.00"]


def test_order_validation_names_the_field(tenant: Tenant) -> None:
    m = insert_member(tenant)
    for body, field in [
        ({"memberId": m, "total": "1"}, "externalOrderId"),
        ({"externalOrderId": "x", "total": "1"}, "memberId"),
        ({"externalOrderId": "x", "memberId": m, "total": "abc"}, "total"),
        ({"externalOrderId": "x", "memberId": m, "total": "-1"}, "total"),
        ({"externalOrderId": "x", "memberId": m, "total": "1", "currency": "usd"}, "currency"),
        (
            {"externalOrderId": "x", "memberId": m, "total": "1", "eligibleAmount": "2"},
            "eligibleAmount",
        ),
        ({"externalOrderId": "x", "memberId": m, "total": "1", "storeId": "nope"}, "storeId"),
        (
            {"externalOrderId": "x", "memberId": m, "total": "1", "items": [{"price": "x"}]},
            "items.0.price",
        ),
    ]:
        r = tenant.api.post("/orders", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error"]["field"] == field, (body, r.json())
    assert (
        tenant.api.get("/orders", params={"status": "weird"}).json()["error"]["field"] == "status"
    )


def test_orders_auth_scope_and_isolation(tenant: Tenant, other_tenant: Tenant) -> None:
    assert tenant.client.get("/api/v2/orders").status_code == 401
    assert tenant.key_without("orders:read").get("/orders").status_code == 403
    assert tenant.key("orders:read").post("/orders", json={}).status_code == 403
    om = insert_member(other_tenant)
    order(other_tenant, om, "9.00", externalOrderId="THEIRS")
    assert tenant.api.post("/orders/THEIRS/refund", json={}).status_code == 404
    assert tenant.api.get("/orders").json()["total"] == 0
    r = tenant.api.post("/orders", json={"externalOrderId": "mine", "memberId": om, "total": "1"})
    assert r.status_code == 404
