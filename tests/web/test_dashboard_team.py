"""The team journey in a real browser at desktop and phone width: the owner invites a
viewer from the team page, the viewer opens the mailed link (the ``.eml`` the server
wrote), chooses a password, is in, logs in again, and sees the settings without a Save
button (a POST of theirs is 403). Settings, team, invitation and forgot-password pages
are accessible (axe-core) and never scroll sideways."""

from __future__ import annotations

import re
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server
from tests.factories import unique
from tests.web.browser import assert_accessible, log_in, mail_dir, no_sideways_scroll, register_team

VIEWER_PASSWORD = "viewer's long passphrase"


def _invite_path(server: Server, address: str) -> str:
    """The invitation link's path in the mail to ``address`` (sent after the answer:
    waited for)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for path in sorted(mail_dir(server).glob("*.eml")):
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            assert isinstance(msg, EmailMessage)
            if msg["To"] == address:
                body = msg.get_body(("plain",))
                assert body is not None
                found = re.search(
                    r"https?://\S+?(/dashboard/invite/[A-Za-z0-9_\-]+)", body.get_content()
                )
                assert found, body.get_content()
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no invitation mail to {address}")


def _checked(page: Page) -> None:
    no_sideways_scroll(page)
    assert_accessible(page)


def test_an_owner_invites_a_viewer_who_joins_and_can_only_look(page: Page, live: Server) -> None:
    team = register_team(live)
    log_in(page, live, team["email"], team["password"])
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Save settings")).to_be_visible()
    _checked(page)

    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Team")).to_be_visible()
    viewer = f"{unique('viewer')}@example.com"
    page.get_by_label("Email").fill(viewer)
    page.get_by_label("Role", exact=True).select_option("viewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {viewer}")
    # (At phone width a cell's name starts with its column's label.)
    pending = page.get_by_role("cell", name=re.compile(rf"^(Email: )?{re.escape(viewer)}$"))
    expect(pending).to_be_visible()
    _checked(page)
    page.get_by_role("button", name="Log out").click()

    page.goto(live.url + _invite_path(live, viewer))
    expect(page.get_by_role("heading", name="Join Acme Coffee")).to_be_visible()
    _checked(page)
    page.get_by_label("Your name").fill("Vera Viewer")
    page.get_by_label("Password", exact=True).fill(VIEWER_PASSWORD)
    page.get_by_label("Password again").fill(VIEWER_PASSWORD)
    page.get_by_role("button", name="Join the team").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to the team")
    expect(page.get_by_text(f"{viewer} (viewer)")).to_be_visible()

    # A login of their own, with the password they chose.
    page.get_by_role("button", name="Log out").click()
    log_in(page, live, viewer, VIEWER_PASSWORD)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Timezone")).to_be_disabled()
    expect(page.get_by_role("button", name="Save settings")).to_have_count(0)
    expect(page.get_by_role("button", name="Rotate SSO secret")).to_have_count(0)
    _checked(page)
    token = page.locator('input[name="csrf"]').first.get_attribute("value")
    assert token
    refused = page.request.post(
        live.url + "/dashboard/settings", form={"csrf": token, "currency": "JPY"}
    )
    assert refused.status == 403


def test_the_forgot_password_page(page: Page, live: Server) -> None:
    page.goto(live.url + "/dashboard/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    _checked(page)
    page.get_by_label("Email").fill(f"{unique('nobody')}@example.com")
    page.get_by_role("button", name="Mail me a reset link").click()
    expect(page.get_by_role("status")).to_contain_text("is on its way")
    _checked(page)
    page.goto(live.url + "/dashboard/reset-password?token=from-a-mail")
    expect(page.get_by_label("New password", exact=True)).to_be_visible()
    _checked(page)
