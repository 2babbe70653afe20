"""The dashboard's members pages in a real browser, at desktop and phone width: find a
member made over the API by email, open their page, adjust their points, and see the
new balance both on the page and over the API; the pages are accessible and never
scroll sideways."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server
from tests.factories import unique
from tests.web.browser import assert_accessible, log_in, no_sideways_scroll, register_team


def test_find_a_member_and_adjust_their_points(page: Page, live: Server) -> None:
    team = register_team(live)
    email = f"{unique('ada')}@example.com"
    api = httpx.Client(
        base_url=live.url + "/api/v2", headers={"Authorization": f"Bearer {team['api_key']}"}
    )
    with api:
        made = api.post(
            "/members",
            json={
                "email": email,
                "firstName": "Ada",
                "lastName": "Lovelace",
                "phone": "+12125550147",
            },
        )
        assert made.status_code == 201, made.text
        member_id = made.json()["id"]
        awarded = api.post(f"/members/{member_id}/points", json={"amount": 100})
        assert awarded.status_code == 200, awarded.text

        log_in(page, live, team["email"], team["password"])
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()
        page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Members").click()
        expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
        page.get_by_label("Find a member").fill(email.upper())
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name=f"Results for “{email.upper()}”")).to_be_visible()
        no_sideways_scroll(page)
        assert_accessible(page)

        page.get_by_role("link", name="Ada Lovelace").click()
        expect(page).to_have_url(re.compile(rf"/dashboard/members/{member_id}$"))
        expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
        expect(page.locator("#balance")).to_have_text("100")
        no_sideways_scroll(page)
        assert_accessible(page)

        page.get_by_label("Points (negative deducts)").fill("+250")
        page.get_by_label("Reason").fill("Goodwill after a late delivery")
        page.get_by_role("button", name="Adjust points").click()
        expect(page.get_by_role("status")).to_have_text("Awarded 250 points; balance 350")
        expect(page.locator("#balance")).to_have_text("350")
        ledger = page.get_by_role("table", name="Ledger")
        expect(ledger.locator("tbody tr").first).to_contain_text("Goodwill after a late delivery")
        no_sideways_scroll(page)
        assert_accessible(page)

        seen = api.get(f"/members/{member_id}")
        assert seen.status_code == 200 and seen.json()["pointsBalance"] == 350


def test_a_bad_adjustment_names_the_field_in_the_browser(page: Page, live: Server) -> None:
    team = register_team(live)
    with httpx.Client(
        base_url=live.url + "/api/v2", headers={"Authorization": f"Bearer {team['api_key']}"}
    ) as api:
        made = api.post("/members", json={"email": f"{unique('bad')}@example.com"})
        assert made.status_code == 201, made.text
        member_id = made.json()["id"]
        log_in(page, live, team["email"], team["password"])
        expect(page.get_by_role("heading", name="Overview")).to_be_visible()
        page.goto(f"{live.url}/dashboard/members/{member_id}")
        page.get_by_label("Points (negative deducts)").fill("-40")
        page.get_by_label("Reason").fill("Too much")
        page.get_by_role("button", name="Adjust points").click()
        expect(page.get_by_role("alert")).to_contain_text("0 points available; 40 requested")
        expect(page.get_by_label("Points (negative deducts)")).to_have_value("-40")
        expect(page.get_by_label("Points (negative deducts)")).to_have_attribute(
            "aria-invalid", "true"
        )
        no_sideways_scroll(page)
        assert_accessible(page)
        assert api.get(f"/members/{member_id}").json()["pointsBalance"] == 0
