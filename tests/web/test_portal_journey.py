"""The member portal's core journey in a real browser against a real server, at desktop
and phone width: join with an email, open the mailed sign-in link, press Sign in, see
the balance and the check-in QR code, and a register scanning that code checks the
member in (once a day per store) over the native API."""

from __future__ import annotations

import re
import time
from email import message_from_bytes, policy
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server
from tests.factories import unique
from tests.web.browser import (
    assert_accessible,
    decode_qr,
    mail_dir,
    no_sideways_scroll,
    register_team,
)


def sign_in_link(server: Server, email: str, partner_id: str) -> str:
    """The path of the sign-in link mailed to ``email`` (an ``.eml`` in the mail dir)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for path in sorted(mail_dir(server).glob("*.eml")):
            msg = message_from_bytes(path.read_bytes(), policy=policy.default)
            if msg["To"] == email:
                body = msg.get_body().get_content()  # type: ignore[union-attr]
                found = re.search(rf"https?://\S+?(/portal/{partner_id}/magic/\S+)", body)
                assert found, body
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {email} in {mail_dir(server)}")


def test_join_sign_in_and_check_in_with_the_qr_code(
    page: Page, live: Server, tmp_path: Path
) -> None:
    team = register_team(live)
    pid = team["partner_id"]
    api = httpx.Client(
        base_url=live.url + "/api/v2", headers={"Authorization": f"Bearer {team['api_key']}"}
    )
    email = f"{unique('walk')}@example.com"

    page.goto(f"{live.url}/portal/{pid}/join")
    expect(page.get_by_role("heading", name=re.compile("Join or sign in"))).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("First name (optional)").fill("Walker")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    found = api.get("/members", params={"email": email}).json()["members"]
    assert len(found) == 1 and found[0]["firstName"] == "Walker"
    member_id = found[0]["id"]
    caps = api.get("/captures", params={"memberId": member_id}).json()["captures"]
    assert [c["source"] for c in caps] == ["portal"]
    r = api.post(f"/members/{member_id}/points", json={"amount": 75})
    assert r.status_code == 200, r.text

    page.goto(live.url + sign_in_link(live, email, pid))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/portal/{pid}/$"))
    expect(page.locator("#balance")).to_have_text("75")
    qr = page.get_by_role("img", name=re.compile("QR"))
    expect(qr).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)

    # htmx swaps in a fresh code (what "every 60s" does), under the page's CSP.
    page.evaluate(
        f"htmx.ajax('GET', '/portal/{pid}/qr', {{target: '#checkin-qr', swap: 'outerHTML'}})"
    )
    expect(page.get_by_role("img", name=re.compile("QR"))).to_be_visible()

    png = tmp_path / "qr.png"
    page.get_by_role("img", name=re.compile("QR")).screenshot(path=str(png))
    scanned = decode_qr(png)
    assert scanned.startswith("pc1."), scanned

    store = api.post("/stores", json={"code": unique("TILL-"), "name": "Till"})
    assert store.status_code == 201, store.text
    store_id = store.json()["id"]
    first = api.post("/checkins", json={"qr": scanned, "storeId": store_id})
    assert first.status_code == 200, first.text
    assert first.json()["memberId"] == member_id and first.json()["isNewCapture"] is True
    second = api.post("/checkins", json={"qr": scanned, "storeId": store_id})
    assert second.status_code == 200 and second.json()["isNewCapture"] is False
    assert second.json()["capture"]["id"] == first.json()["capture"]["id"]

    # Signing out ends it: home asks to sign in again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("signed out")
    page.goto(f"{live.url}/portal/{pid}/")
    expect(page).to_have_url(re.compile(rf"/portal/{pid}/join\?next="))
    api.close()
