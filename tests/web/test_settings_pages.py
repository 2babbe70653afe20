"""``/dashboard/settings`` in-process: every class of field saved through the core (the
snapshot version bumps), a bad value of each class re-rendered at its field with
nothing written, the SSO secret shown once at rotation, a viewer who sees but cannot
save (403)."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from punchcard.models import AuditRecord
from punchcard.models import Tenant as TenantRow
from tests.factories import PASSWORD, Tenant, new_user
from tests.web.pages import Browser


def _owner(app: Any, t: Tenant) -> Browser:
    b = Browser(app)
    b.log_in(t.owner_email, PASSWORD)
    return b


def _row(t: Tenant) -> TenantRow:
    with t.db.transaction(write=False) as s:
        row = s.get(TenantRow, t.id)
        assert row is not None
        s.expunge(row)
        return row


def _form(b: Browser, **changes: str) -> dict[str, str]:
    """The settings form as the page filled it, with ``changes``."""
    html = b.get("/dashboard/settings").text

    values: dict[str, str] = {}
    for name, value in re.findall(
        r'<input id="[^"]+" name="([a-z_]+)" type="(?:text|url)" value="([^"]*)"', html
    ):
        values[name] = unescape(value)
    for name in ("tier_period", "plan"):
        found = re.search(rf'<select id="{name}".*?<option value="([^"]+)" selected', html, re.S)
        assert found, name
        values[name] = found.group(1)
    if 'name="custom_auth_enabled" type="checkbox" value="on" checked' in html:
        values["custom_auth_enabled"] = "on"
    area = re.search(r'<textarea id="storefront_origins"[^>]*>([^<]*)</textarea>', html)
    assert area
    values["storefront_origins"] = unescape(area.group(1))
    values.update(changes)
    return values


def test_the_page_shows_the_current_settings(client: TestClient, app: Any, tenant: Tenant) -> None:
    b = _owner(app, tenant)
    r = b.get("/dashboard/settings")
    assert r.status_code == 200
    assert f'name="timezone" type="text" value="{_row(tenant).timezone}"' in r.text
    assert "Save settings" in r.text and "Rotate SSO secret" in r.text
    assert 'href="/dashboard/settings/mail"' in r.text
    assert "No SSO secret is set yet." in r.text


def test_every_kind_of_field_is_saved_and_bumps_the_snapshot(
    client: TestClient, app: Any, tenant: Tenant
) -> None:
    b = _owner(app, tenant)
    before = _row(tenant).config_version
    r = b.post(
        "/dashboard/settings",
        _form(
            b,
            timezone="Europe/Paris",
            currency="eur",
            points_per_currency_unit="2.5",
            points_expiry_days="365",
            tier_period="quarter",
            plan="growth",
            custom_auth_enabled="on",
            portal_url="https://rewards.example/portal",
            max_points_per_award="5000",
            country="fr",
            point_value="0.02",
            storefront_origins="https://Shop.example/\n\nhttps://staging.shop.example:8443\n",
        ),
    )
    assert r.status_code == 303 and "notice=Settings" in r.headers["location"]
    row = _row(tenant)
    assert (row.timezone, row.currency, row.tier_period, row.plan) == (
        "Europe/Paris",
        "EUR",
        "quarter",
        "growth",
    )
    assert Decimal(row.points_per_currency_unit) == Decimal("2.5")
    assert (row.points_expiry_days, row.max_points_per_award, row.country) == (365, 5000, "FR")
    assert row.custom_auth_enabled and row.portal_url == "https://rewards.example/portal"
    assert Decimal(row.point_value) == Decimal("0.02")
    assert row.storefront_origins == ["https://shop.example", "https://staging.shop.example:8443"]
    assert row.config_version > before
    page = b.get("/dashboard/settings").text
    assert "Settings saved" in b.get(r.headers["location"]).text
    assert "https://shop.example\nhttps://staging.shop.example:8443" in page
    # Blank clears the nullable ones; unticked turns custom auth off.
    form = _form(b, points_expiry_days="", portal_url="", country="", storefront_origins="")
    del form["custom_auth_enabled"]
    assert b.post("/dashboard/settings", form).status_code == 303
    row = _row(tenant)
    assert (row.points_expiry_days, row.portal_url, row.country) == (None, None, None)
    assert not row.custom_auth_enabled and row.storefront_origins == []


BAD = [
    # (field, value, words of the message): text the core refuses, numbers that do not
    # read, numbers out of range, a choice off the list, a URL, an origin.
    ("timezone", "Mars/Olympus", "timezone"),
    ("currency", "EURO", "ISO 4217"),
    ("points_per_currency_unit", "abc", "Enter a number"),
    ("points_per_currency_unit", "-1", "positive"),
    ("point_value", "0.0000001", "6 decimals"),
    ("points_expiry_days", "0", "between 1 and"),
    ("points_expiry_days", "ten", "whole number"),
    ("max_points_per_award", "0", "between 1 and"),
    ("max_points_per_award", "", "needs a value"),
    ("tier_period", "decade", "tierPeriod must be one of"),
    ("plan", "platinum", "plan must be one of"),
    ("portal_url", "ftp://files.example", "http(s) URL"),
    ("country", "XX", "ISO 3166"),
    (
        "storefront_origins",
        "https://shop.example\nhttps://shop.example/path",
        "“https://shop.example/path” is not an origin",
    ),
]


@pytest.mark.parametrize(("name", "value", "words"), BAD)
def test_a_bad_value_stays_on_the_form_at_its_field_and_nothing_is_written(
    client: TestClient, app: Any, tenant: Tenant, name: str, value: str, words: str
) -> None:
    b = _owner(app, tenant)
    before = _row(tenant)
    # A good change alongside the bad one: it must not be written either.
    r = b.post(
        "/dashboard/settings",
        _form(b, **{"currency": "GBP", name: value})
        if name != "currency"
        else _form(b, **{"timezone": "Europe/London", name: value}),
    )
    assert r.status_code == 400, r.text
    assert f'id="{name}-error"' in r.text and words in unescape(r.text)
    assert f'aria-describedby="{name}-error' in r.text
    assert "Nothing was saved" in r.text
    after = _row(tenant)
    assert (after.currency, after.timezone, after.config_version) == (
        before.currency,
        before.timezone,
        before.config_version,
    )


def test_rotating_shows_the_secret_once(client: TestClient, app: Any, tenant: Tenant) -> None:
    b = _owner(app, tenant)
    b.get("/dashboard/settings")
    r = b.post("/dashboard/settings/sso-secret")
    assert r.status_code == 200
    secret = _row(tenant).sso_secret
    assert secret and secret in r.text
    assert "shown only this once" in r.text
    again = b.get("/dashboard/settings")
    assert secret not in again.text and "An SSO secret is set." in again.text
    app.state.audit.flush()
    with tenant.db.transaction(write=False) as s:
        paths = s.scalars(select(AuditRecord.path).where(AuditRecord.tenant_id == tenant.id)).all()
    assert "/dashboard/settings/sso-secret" in paths and not any(secret in p for p in paths)
    # A second rotation replaces it; the first no longer is the tenant's.
    b.post("/dashboard/settings/sso-secret")
    assert _row(tenant).sso_secret != secret


def _viewer(app: Any, t: Tenant) -> Browser:
    _, email = new_user(t, "viewer")
    b = Browser(app)
    b.log_in(email, PASSWORD)
    return b


def test_a_viewer_sees_the_settings_but_cannot_change_them(
    client: TestClient, app: Any, tenant: Tenant
) -> None:
    b = _viewer(app, tenant)
    page = b.get("/dashboard/settings")
    assert page.status_code == 200 and "Timezone" in page.text
    assert "Save settings" not in page.text and "Rotate SSO secret" not in page.text
    assert "<fieldset disabled>" in page.text
    before = _row(tenant)
    r = b.post("/dashboard/settings", {"currency": "JPY"})
    assert r.status_code == 403
    assert b.post("/dashboard/settings/sso-secret").status_code == 403
    after = _row(tenant)
    assert (after.currency, after.sso_secret) == (before.currency, before.sso_secret)


def test_a_change_needs_the_sites_token(client: TestClient, app: Any, tenant: Tenant) -> None:
    b = _owner(app, tenant)
    b.get("/dashboard/settings")
    r = b.http.post("/dashboard/settings", data={"currency": "JPY", "csrf": "forged"})
    assert r.status_code == 403
    assert _row(tenant).currency != "JPY"
