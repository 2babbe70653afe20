"""One journey through the dashboard's operations pages in a real browser (desktop and
phone): create an API key and read it once, use it on the API, revoke it and see 401;
refund an order that came in over the API; every page accessible (axe-core) and never
wider than the screen."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server
from tests.factories import unique
from tests.web.browser import assert_accessible, log_in, no_sideways_scroll, register_team


def looks_right(page: Page) -> None:
    no_sideways_scroll(page)
    assert_accessible(page)


def test_keys_orders_webhooks_and_audit_in_a_browser(page: Page, live: Server) -> None:
    team = register_team(live)
    api = httpx.Client(
        base_url=live.url + "/api/v2", headers={"Authorization": f"Bearer {team['api_key']}"}
    )
    log_in(page, live, team["email"], team["password"])
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    # An API key, shown once.
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys", exact=True)).to_be_visible()
    looks_right(page)
    page.get_by_label("Name").fill("Till 3")
    page.get_by_label("Read only (every read scope)").check()
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name="API key created")).to_be_visible()
    plaintext = page.locator("#plaintext").inner_text().strip()
    assert plaintext.startswith("fl_live_") and page.content().count(plaintext) == 1
    looks_right(page)

    key = {"Authorization": f"Bearer {plaintext}"}
    assert httpx.get(live.url + "/api/v2/members", headers=key).status_code == 200

    page.get_by_role("link", name="All keys").click()
    expect(page.get_by_role("link", name="Till 3")).to_be_visible()
    assert plaintext not in page.content()
    page.get_by_role("link", name="Till 3").click()
    expect(page.get_by_role("cell", name="/api/v2/members")).to_be_visible()
    looks_right(page)
    page.get_by_role("button", name="Revoke this key").click()
    expect(page.get_by_role("status")).to_contain_text("Till 3 is revoked")
    assert plaintext not in page.content() and plaintext not in page.url
    assert httpx.get(live.url + "/api/v2/members", headers=key).status_code == 401

    # An order over the API, refunded in the dashboard.
    member = api.post("/members", json={"email": f"{unique('shopper')}@example.com"})
    assert member.status_code == 201, member.text
    member_id = member.json()["id"]
    ext = f"web/{unique('ord')}"
    order = api.post(
        "/orders",
        json={"externalOrderId": ext, "memberId": member_id, "total": "80.00",
              "items": [{"name": "Beans 1kg", "price": "80.00"}]},
    )  # fmt: skip
    assert order.status_code == 201, order.text
    earned = order.json()["pointsAwarded"]
    assert earned > 0

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Orders").click()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    looks_right(page)
    page.get_by_role("link", name=ext).click()
    expect(page.get_by_role("heading", name=f"Order {ext}")).to_be_visible()
    expect(page.get_by_role("cell", name="Beans 1kg")).to_be_visible()
    looks_right(page)
    page.get_by_label(re.compile(r"^Amount")).fill("twenty")
    page.get_by_role("button", name="Refund").click()
    expect(page.locator("#amount-error")).to_contain_text("amount must be a decimal amount")
    page.get_by_label(re.compile(r"^Amount")).fill("20")
    page.get_by_label("Reason (optional)").fill("Bag split")
    page.get_by_role("button", name="Refund").click()
    expect(page.get_by_role("status")).to_contain_text("points clawed back")
    expect(page.get_by_role("cell", name="Bag split")).to_be_visible()
    after = api.get("/orders/" + quote(ext, safe="")).json()
    assert after["status"] == "partially_refunded" and after["refundedAmount"] == "20.00"
    points = api.get(f"/members/{member_id}/points").json()["balance"]
    assert points == earned - after["pointsClawedBack"] < earned

    # Webhooks and the audit log.
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks")).to_be_visible()
    expect(page.get_by_label("URL of your receiver")).to_be_visible()
    looks_right(page)
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(
        page.get_by_role("cell", name=re.compile(r"dashboard.orders.+refund$")).first
    ).to_be_visible()
    looks_right(page)
    api.close()
