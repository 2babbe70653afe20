"""The member-mail settings page (``/dashboard/settings/mail``): shows the templates
and a preview, saves them, refuses a bad template at its field with nothing saved,
previews unsaved; a viewer sees but cannot change; one browser check of the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from punchcard.db.uow import Database
from punchcard.kit.crypto import hash_password
from punchcard.kit.ids import new_id
from punchcard.models import User
from punchcard.notifications.repository import SettingsRepository
from punchcard.notifications.templates import DEFAULTS, Kind
from tests.e2e.conftest import Server
from tests.factories import PASSWORD, Tenant, unique
from tests.web.browser import assert_accessible, log_in, no_sideways_scroll, register_team

PATH = "/dashboard/settings/mail"


@pytest.fixture(autouse=True)
def _signed_out(client: TestClient) -> Iterator[None]:
    """The suite's client is shared: start and end every test signed out."""
    client.cookies.clear()
    yield
    client.cookies.clear()


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def sign_in(client: TestClient, email: str) -> None:
    token = csrf(client, "/dashboard/login")
    r = client.post(
        "/dashboard/login",
        data={"email": email, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def form(**changes: str) -> dict[str, str]:
    data = {"days_ahead": "7", "intent": "save"}
    for kind in Kind:
        data[f"{kind}_enabled"] = "on"
        data[f"{kind}_subject"], data[f"{kind}_body"] = DEFAULTS[kind]
    data.update(changes)
    return data


def post(client: TestClient, data: dict[str, Any]) -> Any:
    return client.post(PATH, data={**data, "csrf": csrf(client, PATH)}, follow_redirects=False)


def viewer(db: Database, tenant: Tenant) -> str:
    email = f"{unique('viewer')}@example.com"
    with db.transaction() as s:
        at = db.clock.now()
        hashed = hash_password(PASSWORD)
        s.add(User(id=new_id(), tenant_id=tenant.id, email=email, name="V", role="viewer",
                   password_hash=hashed, created_at=at, updated_at=at))  # fmt: skip
    return email


def test_the_page_shows_the_default_templates_and_their_preview(
    client: TestClient, tenant: Tenant
) -> None:
    sign_in(client, tenant.owner_email)
    r = client.get(PATH)
    assert r.status_code == 200
    assert 'id="days_ahead"' in r.text and 'value="7"' in r.text
    assert "Preview for a sample member" in r.text
    assert "Hi Alex," in r.text  # the sample member
    assert f"/portal/{tenant.partner_id}/" in r.text
    assert "Mails so far: 0 sent" in r.text


def test_saving_changes_the_templates_and_the_days_ahead(
    client: TestClient, tenant: Tenant, db: Database
) -> None:
    sign_in(client, tenant.owner_email)
    r = post(client, form(days_ahead="3", points_expiring_subject="Hurry {{ first_name }}!",
                          tier_changed_enabled=""))  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"].startswith(PATH + "?notice=")
    with db.transaction(write=False) as s:
        row = SettingsRepository(s, tenant.id).get()
    assert row is not None
    assert row.expiry_days_ahead == 3 and row.expiry_subject == "Hurry {{ first_name }}!"
    assert row.tier_enabled is False
    assert row.tier_subject is None and row.tier_body is None  # still the defaults
    page = client.get(PATH).text
    assert "Hurry Alex!" in page and 'value="3"' in page


def test_a_bad_template_is_refused_at_its_field_and_nothing_is_saved(
    client: TestClient, tenant: Tenant, db: Database
) -> None:
    sign_in(client, tenant.owner_email)
    r = post(client, form(days_ahead="5", tier_changed_body="Hi {{ frist_name }"))
    assert r.status_code == 400
    assert 'id="tier_changed_body-error"' in r.text
    assert 'aria-describedby="tier_changed_body-error"' in r.text
    assert "Line 1:" in r.text
    assert "Hi {{ frist_name }" in r.text  # the merchant's text is kept in the form
    r = post(client, form(points_expiring_subject="{{ nickname }}", days_ahead="0"))
    assert r.status_code == 400
    assert "Unknown variable &#39;nickname&#39;" in r.text
    assert 'id="points_expiring_subject-error"' in r.text and 'id="days_ahead-error"' in r.text
    with db.transaction(write=False) as s:
        assert SettingsRepository(s, tenant.id).get() is None


def test_preview_renders_the_form_unsaved_and_escaped(
    client: TestClient, tenant: Tenant, db: Database
) -> None:
    sign_in(client, tenant.owner_email)
    body = "<b>{{ shop_name }}</b> for {{ first_name }}"
    r = post(client, form(intent="preview", points_expiring_body=body))
    assert r.status_code == 200
    assert "&lt;b&gt;Acme Coffee&lt;/b&gt; for Alex" in r.text
    assert "<b>Acme Coffee</b>" not in r.text
    with db.transaction(write=False) as s:
        assert SettingsRepository(s, tenant.id).get() is None


def test_a_viewer_sees_the_page_but_cannot_change_it(
    client: TestClient, tenant: Tenant, db: Database
) -> None:
    sign_in(client, viewer(db, tenant))
    page = client.get(PATH)
    assert page.status_code == 200
    assert "can see these settings but not change them" in page.text
    assert 'value="save"' not in page.text
    r = post(client, form(days_ahead="2"))
    assert r.status_code == 403
    with db.transaction(write=False) as s:
        assert SettingsRepository(s, tenant.id).get() is None


def test_a_post_without_the_csrf_token_is_refused(
    client: TestClient, tenant: Tenant, db: Database
) -> None:
    sign_in(client, tenant.owner_email)
    r = client.post(PATH, data=form(days_ahead="2"), follow_redirects=False)
    assert r.status_code == 403
    with db.transaction(write=False) as s:
        assert SettingsRepository(s, tenant.id).get() is None


def test_signed_out_the_page_asks_for_the_login(client: TestClient) -> None:
    r = client.get(PATH, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/dashboard/login?next={PATH}"


def test_the_page_is_accessible_and_fits_a_phone(page: Page, live: Server) -> None:
    team = register_team(live)
    log_in(page, live, team["email"], team["password"])
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.goto(live.url + PATH)
    expect(page.get_by_role("heading", name="Member mail")).to_be_visible()
    page.get_by_label("Subject").first.fill("{{ nope }}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#points_expiring_subject-error")).to_contain_text("nope")
    no_sideways_scroll(page)
    assert_accessible(page)


def test_one_tenants_templates_are_not_anothers(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    sign_in(client, tenant.owner_email)
    assert post(client, form(points_expiring_subject="Mine {{ shop_name }}")).status_code == 303
    client.cookies.clear()
    sign_in(client, other_tenant.owner_email)
    page = client.get(PATH).text
    assert "Mine " not in page
    assert "of your Other Co points expire on" in page
