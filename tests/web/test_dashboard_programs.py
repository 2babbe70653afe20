"""One merchant's journey through the programs and community pages in a real browser
(desktop and phone): an earning rule created and listed, a CSV of coupon codes
uploaded to a new pool and counted, a post made over the API hidden; the index, a form
page and the community page accessible and without sideways scrolling."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server
from tests.factories import unique
from tests.web.browser import assert_accessible, log_in, no_sideways_scroll, register_team


def _a_post(server: Server, api_key: str) -> str:
    """A member's post in a new room, over the API: its text."""
    text = f"Best flat white in town {unique('p')}"
    with httpx.Client(
        base_url=server.url + "/api/v2", headers={"Authorization": f"Bearer {api_key}"}
    ) as c:
        member = c.post("/members", json={"email": f"{unique('m')}@example.com"})
        assert member.status_code == 201, member.text
        room = c.post("/rooms", json={"name": "Regulars"})
        assert room.status_code == 201, room.text
        made = c.post(
            "/posts",
            json={"roomId": room.json()["id"], "memberId": member.json()["id"], "content": text},
        )
        assert made.status_code == 201, made.text
    return text


def test_a_merchant_sets_up_programs_and_moderates(page: Page, live: Server) -> None:
    team = register_team(live)
    text = _a_post(live, team["api_key"])
    log_in(page, live, team["email"], team["password"])
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Programs").click()
    expect(page.get_by_role("heading", name="Programs", exact=True)).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)

    # An earning rule, created on its form and seen in the list.
    page.get_by_role("link", name="Earning rules").click()
    page.get_by_role("link", name="New earning rule").click()
    expect(page.get_by_role("heading", name="New earning rule")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)
    page.get_by_label("Name").fill("Wrote a review")
    page.get_by_label("Points", exact=False).first.fill("30")
    page.get_by_role("button", name="Create rule").click()
    expect(page.get_by_role("status")).to_contain_text("Earning rule “Wrote a review” created")
    row = page.get_by_role("row").filter(has_text="Wrote a review")
    expect(row).to_contain_text("30")
    expect(row).to_contain_text("Active")

    # A new coupon pool from a small CSV file: its count on its page.
    page.goto(live.url + "/dashboard/programs/coupons/new")
    page.get_by_label("Name").fill("Summer")
    page.get_by_label("Discount value").fill("5")
    page.get_by_label("Codes file (CSV)").set_input_files(
        files=[
            {
                "name": "codes.csv",
                "mimeType": "text/csv",
                "buffer": b"code\nSUMMER-1\nSUMMER-2\nSUMMER-2\n\nSUMMER-3\n",
            }
        ]
    )
    page.get_by_role("button", name="Create pool").click()
    expect(page.get_by_role("status")).to_contain_text("3 codes added, 1 duplicate skipped")
    expect(page.locator("#available")).to_have_text("3")
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("row").filter(has_text="Summer")).to_contain_text("3")

    # The community: the post made over the API, hidden.
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Community").click()
    expect(page.get_by_role("heading", name="Community", exact=True)).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)
    post_row = page.get_by_role("row").filter(has_text=text)
    post_row.get_by_role("button", name=re.compile(r"^Hide post")).click()
    expect(page.get_by_role("status")).to_contain_text("Post hidden")
    post_row = page.get_by_role("row").filter(has_text=text)
    expect(post_row).to_contain_text("hidden")
    expect(post_row).to_contain_text(team["email"])
    expect(post_row.get_by_role("button", name=re.compile(r"^Unhide post"))).to_be_visible()
