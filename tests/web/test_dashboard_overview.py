"""The overview in a real browser, desktop and phone: after logging in, the KPI cards
and the three SVG charts (each an image with an aria-label summarising it) show the
program's figures; a custom period goes through the labelled GET form; the page is
accessible (axe-core) and never scrolls sideways at 390 px."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server
from tests.web.browser import assert_accessible, log_in, no_sideways_scroll, register_team


def test_the_overview_shows_cards_and_charts(page: Page, live: Server) -> None:
    team = register_team(live)
    headers = {"Authorization": f"Bearer {team['api_key']}"}
    with httpx.Client(base_url=live.url + "/api/v2", headers=headers) as c:
        r = c.post("/members", json={"email": "ada@example.com"})
        assert r.status_code == 201, r.text
        member = r.json()["id"]
        body = {"externalOrderId": "W-1", "memberId": member, "total": "42.00"}
        assert c.post("/orders", json=body).status_code == 201
        assert c.post(f"/members/{member}/points", json={"amount": -10}).status_code == 200
    log_in(page, live, team["email"], team["password"])
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    expect(page.locator('[data-kpi="Points issued"]')).to_have_text("42")
    expect(page.locator('[data-kpi="Orders"]')).to_have_text("1")
    charts = page.get_by_role("img")
    expect(charts).to_have_count(3)
    expect(page.get_by_role("img", name=re.compile(r"^Points per day"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^Members by tier"))).to_be_visible()
    label = page.get_by_role("img", name=re.compile(r"^Points per day")).get_attribute("aria-label")
    assert label is not None and "Issued total 42" in label
    no_sideways_scroll(page)
    assert_accessible(page)

    page.get_by_label("Period", exact=True).select_option("7")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=7"))
    expect(page.locator('[data-kpi="Points redeemed"]')).to_have_text("0")
    page.get_by_label("From date").fill("2026-12-09")
    page.get_by_label("To date").fill("2026-12-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("To date must not be before the From date")
    no_sideways_scroll(page)
    assert_accessible(page)
