"""Phones in E.164 (issue 13): one number written two ways is one member, on enrolment,
lookup, update, batch and magic links; a number without a country code is read in the
tenant's country (its ``country`` setting, else derived); a phone that cannot be a
number is a 400 naming the field (``punchcard members phone-duplicates``:
tests/cli/test_phone_duplicates.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.addglow.conftest import ag
from tests.factories import Tenant, insert_member, unique


def _enrol(t: Tenant, phone: str, **kw: Any) -> Any:
    return t.api.post("/members", json={"phone": phone, **kw})


def _found(t: Tenant, phone: str) -> list[str]:
    r = t.api.get("/members", params={"phone": phone})
    assert r.status_code == 200, r.text
    return [m["id"] for m in r.json()["members"]]


def _refused(r: Any, status: int, code: str, field: str) -> None:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == (code, field), error


def test_a_phone_is_stored_in_e164_and_found_however_it_is_written(tenant: Tenant) -> None:
    r = _enrol(tenant, "+12125550100")
    assert r.status_code == 201, r.text
    member = r.json()
    assert member["phone"] == "+12125550100"
    for spelling in ("(212) 555-0100", "212.555.0100", "+1 212 555 0100", "1-212-555-0100"):
        assert _found(tenant, spelling) == [member["id"]], spelling


def test_the_same_number_written_another_way_is_the_same_member(tenant: Tenant) -> None:
    first = _enrol(tenant, "(212) 555-0100")
    assert first.status_code == 201, first.text
    assert first.json()["phone"] == "+12125550100"
    again = _enrol(tenant, "+1 212-555-0100", email="other@example.com")
    _refused(again, 409, "DUPLICATE_MEMBER", "phone")
    assert again.json()["error"]["existingId"] == first.json()["id"]
    # Nor may another member take it by an update.
    other = _enrol(tenant, "212 555 0101").json()
    r = tenant.api.patch(f"/members/{other['id']}", json={"phone": "2125550100"})
    _refused(r, 409, "DUPLICATE_MEMBER", "phone")


@pytest.mark.parametrize(
    "phone", ["12", "call me", "+1 555 CALL NOW", "+", "1+5550100", "٢١٢٥٥٥٠١٠٠"]
)
def test_a_phone_that_cannot_be_a_number_is_a_400_naming_the_field(
    tenant: Tenant, phone: str
) -> None:
    _refused(_enrol(tenant, phone), 400, "VALIDATION_ERROR", "phone")
    _refused(tenant.api.get("/members", params={"phone": phone}), 400, "VALIDATION_ERROR", "phone")
    m = insert_member(tenant)
    _refused(
        tenant.api.patch(f"/members/{m}", json={"phone": phone}), 400, "VALIDATION_ERROR", "phone"
    )


def test_a_number_without_country_code_is_read_in_the_tenants_country(tenant: Tenant) -> None:
    r = tenant.api.patch("/settings", json={"country": "gb"})
    assert r.status_code == 200, r.text
    assert (r.json()["country"], r.json()["phoneCountry"]) == ("GB", "GB")
    member = _enrol(tenant, "020 7946 0958").json()
    assert member["phone"] == "+442079460958"
    assert _found(tenant, "+44 20 7946 0958") == [member["id"]]
    # A number with its country code is that country's, whatever the tenant's.
    assert _enrol(tenant, "+1 (212) 555-0100").json()["phone"] == "+12125550100"


def test_the_default_country_comes_from_the_timezone_then_the_currency(tenant: Tenant) -> None:
    assert tenant.api.get("/settings").json()["phoneCountry"] == "US"  # UTC, USD
    r = tenant.api.patch("/settings", json={"timezone": "Europe/Paris", "currency": "EUR"})
    assert (r.json()["country"], r.json()["phoneCountry"]) == (None, "FR")
    assert _enrol(tenant, "01 42 68 53 00").json()["phone"] == "+33142685300"
    r = tenant.api.patch("/settings", json={"timezone": "UTC", "currency": "GBP"})
    assert r.json()["phoneCountry"] == "GB"
    # The setting wins, and null gives the derived one back.
    assert tenant.api.patch("/settings", json={"country": "DE"}).json()["phoneCountry"] == "DE"
    r = tenant.api.patch("/settings", json={"country": None})
    assert (r.json()["country"], r.json()["phoneCountry"]) == (None, "GB")


@pytest.mark.parametrize("country", ["ZZ", "USA", "1", ""])
def test_an_unknown_country_is_a_400_naming_country(tenant: Tenant, country: str) -> None:
    r = tenant.api.patch("/settings", json={"country": country})
    _refused(r, 400, "VALIDATION_ERROR", "country")


def test_a_batch_treats_two_spellings_as_one_number(tenant: Tenant) -> None:
    held = _enrol(tenant, "+12125550100").json()
    rows = [
        {"email": "a@example.com", "phone": "(212) 555-0101"},
        {"email": "b@example.com", "phone": "212.555.0101"},
        {"email": "c@example.com", "phone": "212 555 0100"},
        {"email": "d@example.com", "phone": "not a phone"},
    ]
    r = tenant.api.post("/members/batch", json={"members": rows})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["created", "error", "error", "error"]
    assert [x["error"]["field"] for x in results[1:]] == ["phone", "phone", "phone"]
    assert results[2]["error"]["code"] == "DUPLICATE_MEMBER"
    assert results[3]["error"]["code"] == "VALIDATION_ERROR"
    assert _found(tenant, "2125550101") == [results[0]["id"]]
    assert _found(tenant, "2125550100") == [held["id"]]


def test_a_magic_link_finds_the_member_by_the_number_however_written(tenant: Tenant) -> None:
    assert tenant.api.patch("/settings", json={"customAuthEnabled": True}).status_code == 200
    held = _enrol(tenant, "+12125550100").json()
    body = {"customAuthSub": unique("auth0|"), "phoneNumber": "(212) 555-0100"}
    r = ag(tenant).post("/auth/magic-link", json=body)
    assert r.status_code in (200, 201), r.text
    assert _found(tenant, "+12125550100") == [held["id"]]
    assert tenant.api.get("/members", params={"phone": "2125550100"}).json()["total"] == 1
    bad = ag(tenant).post(
        "/auth/magic-link", json={"customAuthSub": unique("auth0|"), "phoneNumber": "12"}
    )
    assert bad.status_code == 400, bad.text
    assert bad.json()["error"]["field"] == "phoneNumber"
