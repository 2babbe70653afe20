"""Settings: /api/v2/settings and /settings/sso-secret."""

from __future__ import annotations

from typing import Any

import pytest

from punchcard.models import Tenant as TenantRow
from tests.factories import Tenant

FIELDS = {
    "timezone",
    "currency",
    "pointsPerCurrencyUnit",
    "pointsExpiryDays",
    "tierPeriod",
    "plan",
    "customAuthEnabled",
    "portalUrl",
    "maxPointsPerAward",
    "country",
    "phoneCountry",
    "pointValue",
    "storefrontOrigins",
    "ssoSecretSet",
}


def test_get_settings_returns_the_defaults(tenant: Tenant) -> None:
    r = tenant.api.get("/settings")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "timezone": "UTC",
        "currency": "USD",
        "pointsPerCurrencyUnit": "1",
        "pointsExpiryDays": None,
        "tierPeriod": "year",
        "plan": "unlimited",
        "customAuthEnabled": False,
        "portalUrl": None,
        "maxPointsPerAward": 1_000_000,
        "country": None,
        "phoneCountry": "US",
        "pointValue": "0.01",
        "storefrontOrigins": [],
        "ssoSecretSet": False,
    }


def test_patch_settings_changes_every_field(tenant: Tenant) -> None:
    body = {
        "timezone": "Europe/Paris",
        "currency": "eur",
        "pointsPerCurrencyUnit": 2.5,
        "pointsExpiryDays": 365,
        "tierPeriod": "quarter",
        "plan": "growth",
        "customAuthEnabled": True,
        "portalUrl": "https://rewards.example.com",
        "maxPointsPerAward": 5000,
        "country": "be",
        "pointValue": "0.005",
        "storefrontOrigins": ["https://shop.example.com"],
    }
    r = tenant.api.patch("/settings", json=body)
    assert r.status_code == 200, r.text
    expected = {
        **body,
        "currency": "EUR",
        "pointsPerCurrencyUnit": "2.5",
        "country": "BE",
        "phoneCountry": "BE",
        "ssoSecretSet": False,
    }
    assert r.json() == expected
    assert tenant.api.get("/settings").json() == expected


def test_points_per_currency_unit_takes_a_decimal_string(tenant: Tenant) -> None:
    r = tenant.api.patch("/settings", json={"pointsPerCurrencyUnit": "0.0125"})
    assert r.status_code == 200 and r.json()["pointsPerCurrencyUnit"] == "0.0125"
    r = tenant.api.patch("/settings", json={"pointsPerCurrencyUnit": 10})
    assert r.status_code == 200 and r.json()["pointsPerCurrencyUnit"] == "10"


def test_patch_leaves_absent_fields_alone_and_null_clears(tenant: Tenant) -> None:
    tenant.api.patch("/settings", json={"pointsExpiryDays": 90, "portalUrl": "https://p.example"})
    r = tenant.api.patch("/settings", json={"timezone": "Asia/Tokyo"})
    assert r.json()["pointsExpiryDays"] == 90 and r.json()["portalUrl"] == "https://p.example"
    r = tenant.api.patch("/settings", json={"pointsExpiryDays": None, "portalUrl": None})
    assert r.status_code == 200, r.text
    assert r.json()["pointsExpiryDays"] is None and r.json()["portalUrl"] is None
    assert r.json()["timezone"] == "Asia/Tokyo"
    assert tenant.api.patch("/settings", json={}).json()["timezone"] == "Asia/Tokyo"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", None),
        ("currency", "EURO"),
        ("currency", "E1"),
        ("currency", None),
        ("pointsPerCurrencyUnit", 0),
        ("pointsPerCurrencyUnit", -1),
        ("pointsPerCurrencyUnit", "abc"),
        ("pointsPerCurrencyUnit", "1.00001"),
        ("pointsPerCurrencyUnit", None),
        ("pointsExpiryDays", 0),
        ("pointsExpiryDays", "soon"),
        ("tierPeriod", "week"),
        ("tierPeriod", None),
        ("plan", "enterprise"),
        ("plan", None),
        ("customAuthEnabled", None),
        ("customAuthEnabled", "maybe"),
        ("portalUrl", "ftp://files.example.com"),
        ("portalUrl", "not a url"),
        ("pointValue", -0.01),
        ("pointValue", "0.0000001"),
        ("pointValue", None),
        ("storefrontOrigins", "https://shop.example"),
        ("storefrontOrigins", None),
        ("storefrontOrigins", [f"https://s{i}.example" for i in range(21)]),
        ("unknownSetting", 1),
    ],
)
def test_patch_settings_validation_names_the_field(tenant: Tenant, field: str, value: Any) -> None:
    r = tenant.api.patch("/settings", json={field: value})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert r.json()["error"]["field"] == field


def test_a_refused_patch_changes_nothing(tenant: Tenant) -> None:
    r = tenant.api.patch("/settings", json={"currency": "GBP", "plan": "enterprise"})
    assert r.status_code == 400
    assert tenant.api.get("/settings").json()["currency"] == "USD"


def test_settings_need_credentials(tenant: Tenant) -> None:
    assert tenant.client.get("/api/v2/settings").status_code == 401
    headers = {"Authorization": "Bearer fl_live_nope"}
    assert tenant.client.patch("/api/v2/settings", json={}, headers=headers).status_code == 401
    assert tenant.client.post("/api/v2/settings/sso-secret", headers=headers).status_code == 401


def test_settings_need_their_scope(tenant: Tenant) -> None:
    r = tenant.key_without("settings:read").get("/settings")
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    reader = tenant.key_without("settings:write")
    assert reader.get("/settings").status_code == 200
    assert reader.patch("/settings", json={"plan": "starter"}).status_code == 403
    assert reader.post("/settings/sso-secret").status_code == 403


def test_an_owner_session_may_read_and_change_settings(tenant: Tenant) -> None:
    r = tenant.owner.patch("/settings", json={"currency": "CAD"})
    assert r.status_code == 200 and r.json()["currency"] == "CAD"


def test_settings_belong_to_the_callers_tenant(tenant: Tenant, other_tenant: Tenant) -> None:
    tenant.api.patch("/settings", json={"currency": "JPY"})
    assert other_tenant.api.get("/settings").json()["currency"] == "USD"


# SSO secret ------------------------------------------------------------------------


def test_rotating_the_sso_secret_shows_it_once(tenant: Tenant) -> None:
    r = tenant.api.post("/settings/sso-secret")
    assert r.status_code == 200, r.text
    secret = r.json()["ssoSecret"]
    assert len(secret) >= 32
    got = tenant.api.get("/settings")
    assert got.json()["ssoSecretSet"] is True
    assert secret not in got.text and "ssoSecret" not in got.json()
    with tenant.db.transaction(write=False) as s:
        row = s.get(TenantRow, tenant.id)
        assert row is not None and row.sso_secret == secret


def test_rotating_the_sso_secret_replaces_the_old_one(tenant: Tenant) -> None:
    first = tenant.api.post("/settings/sso-secret").json()["ssoSecret"]
    second = tenant.api.post("/settings/sso-secret").json()["ssoSecret"]
    assert first != second
    with tenant.db.transaction(write=False) as s:
        row = s.get(TenantRow, tenant.id)
        assert row is not None and row.sso_secret == second


def test_the_response_lists_exactly_the_documented_fields(tenant: Tenant) -> None:
    assert set(tenant.api.get("/settings").json()) == FIELDS


@pytest.mark.parametrize(
    "origin",
    [
        "https://shop.example/path",
        "ftp://shop.example",
        "shop.example",
        "https://user:pw@shop.example",
        "https://shop.example?x=1",
        "https://shop.example:99999",
    ],
)
def test_a_storefront_origin_is_an_origin_named_by_its_position(
    tenant: Tenant, origin: str
) -> None:
    r = tenant.api.patch("/settings", json={"storefrontOrigins": ["https://ok.example", origin]})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "storefrontOrigins[1]"
    assert tenant.api.get("/settings").json()["storefrontOrigins"] == []


def test_storefront_origins_are_kept_as_a_browser_sends_them(tenant: Tenant) -> None:
    sent = ["HTTPS://Shop.Example/", "https://shop.example:443", "http://localhost:3000"]
    r = tenant.api.patch("/settings", json={"storefrontOrigins": sent})
    assert r.status_code == 200, r.text
    assert r.json()["storefrontOrigins"] == ["https://shop.example", "http://localhost:3000"]
