"""Regression tests for the bugs the reliability suite found, one behaviour each.

(The webhook secret kept in Idempotency-Key replays is pinned down in
``test_mass_assignment.py::test_secrets_are_shown_only_when_made``.)
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import TimeoutError as PoolTimeout

from punchcard.api.common import errors
from tests.factories import Tenant


def test_a_405_lists_every_method_of_the_path(client: TestClient, tenant: Tenant) -> None:
    # GET and POST /members are two routes; Starlette named only the first one's.
    r = client.request("PUT", "/api/v2/members", headers=tenant.api.headers)
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    "path",
    [
        "/tracking/stats?to=0",
        "/ambassador/metrics?from=0",
        "/ambassador/candidates?to=1700000000",
        "/referrals/stats?from=0",
        "/orders?to=0.5",
        "/points/transactions?from=1700000000",
    ],
)
def test_a_number_is_not_a_date(path: str, tenant: Tenant) -> None:
    """Pydantic read a number as a Unix timestamp (`to=0` was 1970-01-01)."""
    r = tenant.api.get(path)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] in ("from", "to")


@pytest.mark.parametrize(
    "path",
    [
        "/tracking/stats?to=0001-01-01",
        "/ambassador/candidates?to=0001-01-01",
        "/orders?to=0001-01-01T00:00:00%2B00:01",
        "/referrals/stats?from=9999-12-31",
    ],
)
def test_a_date_at_the_ends_of_the_calendar_is_a_400(path: str, tenant: Tenant) -> None:
    """Windows computed around year 1 or 9999 overflowed (found by `make soak`)."""
    r = tenant.api.get(path)
    assert r.status_code == 400, r.text


def test_iso_dates_still_work(tenant: Tenant) -> None:
    assert tenant.api.get("/tracking/stats?from=2026-01-01&to=2026-01-31").status_code == 200
    assert tenant.api.get("/orders?from=2026-01-01T00:00:00Z").status_code == 200


def test_no_free_database_connection_is_a_503_not_a_500() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/busy")
    def busy() -> None:
        raise PoolTimeout("QueuePool limit reached, connection timed out")

    r = TestClient(app, raise_server_exceptions=False).get("/busy")
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "1"
    assert r.json()["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_a_405_names_the_template_the_url_resolved_to(client: TestClient, tenant: Tenant) -> None:
    # /members/batch (POST) is routed before /members/{id} (GET, PATCH).
    r = client.request("PUT", "/api/v2/members/batch", headers=tenant.api.headers)
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"


def test_a_rewards_codes_outside_a_pools_limits_are_a_400(tenant: Tenant) -> None:
    """The reward's schema allows a value up to 9,999,999,999; its pool's only up to
    99,999,999, and the pool's refusal was an unhandled error."""
    r = tenant.api.post(
        "/rewards",
        json={"name": "Big", "pointsCost": 10, "monetaryValue": "6121540054.92", "codes": ["A"]},
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "monetaryValue"
    long_name = "n" * 200  # the pool is named "Reward: <name>", also at most 200
    assert (
        tenant.api.post(
            "/rewards", json={"name": long_name, "pointsCost": 10, "codes": ["B"]}
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    "path",
    ["/api/v2/coupons/pools?offset=4291403968033576403315415435347755008"],
)
def test_an_offset_past_64_bits_is_a_400(path: str, client: TestClient, tenant: Tenant) -> None:
    r = client.get(path, headers=tenant.api.headers)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "offset"


def test_a_shopsocially_start_index_past_64_bits_is_refused(
    client: TestClient, tenant: Tenant
) -> None:
    h = {"partner-id": tenant.partner_id, "api-key": tenant.api.token}
    r = client.get("/v2/loyalty/redemptions", params={"start_index": 10**40}, headers=h)
    assert r.status_code == 400, r.text


def test_a_shopsocially_update_with_null_fields_is_no_500(
    client: TestClient, tenant: Tenant
) -> None:
    """JSON null on a field the face parses (a coupon expiry) crashed the parser."""
    from tests.reliability.seed import seed

    s = seed(tenant)
    h = {"partner-id": tenant.partner_id, "api-key": tenant.api.token}
    r = client.put(
        f"/v2/loyalty/redemptions/{s.values['ss_redemption']}",
        json={"redemption_name": "Renamed", "coupon_expiry": None, "redemption_value": None},
        headers=h,
    )
    assert r.status_code == 200, r.text
