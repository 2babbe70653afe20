"""The portal's pages in a real browser (desktop and phone): a signed-in member redeems
a reward and finds its code among the coupons, opens AddGlow's ``/room/general`` and
posts; history, rewards, referrals and rooms are accessible and never scroll sideways; the
SSO hand-off's confirmation page is accessible and its button signs in."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page, expect

from punchcard.db.uow import Database
from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.kit.ids import parse
from punchcard.members import service as members
from punchcard.tenants.service import get_by_partner_id
from tests.e2e.conftest import Server
from tests.factories import unique
from tests.web.browser import assert_accessible, no_sideways_scroll, register_team


def _member_session(db: Database, partner_id: str, member: str, kind: str = "portal") -> str:
    member_id = parse("mem", member)
    assert member_id is not None
    with db.transaction() as s:
        tenant = get_by_partner_id(s, partner_id)
        assert tenant is not None
        row = members.get(s, Principal(tenant.id, frozenset()), member_id=member_id)
        return member_sessions.open_session(
            s, row, kind=member_sessions.MemberSessionKind(kind), ttl_seconds=3600
        ).token


def test_a_member_redeems_sees_the_code_and_posts_in_general(
    page: Page, live: Server, db: Database
) -> None:
    team = register_team(live)
    code = unique("SAVE")
    with httpx.Client(
        base_url=live.url + "/api/v2", headers={"Authorization": f"Bearer {team['api_key']}"}
    ) as api:
        member = api.post("/members", json={"email": f"{unique('b')}@example.com"}).json()["id"]
        assert api.post(f"/members/{member}/points", json={"amount": 800}).status_code == 200
        body = {"name": "Five dollars off", "pointsCost": 500, "codes": [code]}
        assert api.post("/rewards", json=body).status_code == 201
        assert api.post("/rooms", json={"name": "General"}).status_code == 201
    token = _member_session(db, team["partner_id"], member)
    host = urlsplit(live.url).hostname
    page.context.add_cookies(
        [{"name": member_sessions.PORTAL_COOKIE, "value": token, "domain": host, "path": "/"}]
    )
    base = f"{live.url}/portal/{team['partner_id']}"

    page.goto(base + "/rewards")
    expect(page.get_by_role("heading", name="Five dollars off")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="Redeem Five dollars off for 500 points").click()
    expect(page.get_by_role("status")).to_have_text("Redeemed Five dollars off for 500 points.")
    expect(page.locator("#coupon-code")).to_have_text(code)
    page.get_by_role("link", name="See all your coupons").click()
    expect(page).to_have_url(re.compile(r"/coupons$"))
    expect(page.get_by_text(code)).to_be_visible()

    page.goto(base + "/history")
    expect(page.get_by_text("Redeemed 500 points for Five dollars off")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)

    page.goto(base + "/referrals")
    expect(page.get_by_label("Your referral link")).to_have_value(re.compile(r"/r/"))
    no_sideways_scroll(page)
    assert_accessible(page)

    page.goto(base + "/rooms")
    no_sideways_scroll(page)
    assert_accessible(page)
    page.goto(base + "/room/general")
    expect(page.get_by_role("heading", name="General", exact=True)).to_be_visible()
    page.get_by_label("Write a post").fill("Hello from the browser")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Posted.")
    expect(page.get_by_text("Hello from the browser")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)


def test_the_sso_hand_off_asks_before_it_signs_in(page: Page, live: Server, db: Database) -> None:
    team = register_team(live)
    with httpx.Client(
        base_url=live.url + "/api/v2", headers={"Authorization": f"Bearer {team['api_key']}"}
    ) as api:
        body = {"email": f"{unique('s')}@example.com", "firstName": "Widget"}
        member = api.post("/members", json=body).json()["id"]
    token = _member_session(db, team["partner_id"], member, kind="sso")
    base = f"{live.url}/portal/{team['partner_id']}"

    page.goto(f"{base}/sso?sessionToken={token}")
    expect(page.get_by_role("heading", name="Sign in to Acme Coffee")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == member_sessions.PORTAL_COOKIE]
    no_sideways_scroll(page)
    assert_accessible(page)
    # Chromium's own POST (its real Origin) is taken as ours: the portal opens.
    page.get_by_role("button", name="Continue to Acme Coffee's portal").click()
    expect(page).to_have_url(base + "/")
    expect(page.get_by_text("Widget")).to_be_visible()
