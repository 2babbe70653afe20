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


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PATCH", "/rewards/{reward}", {"isActive": 0}, "isActive"),
        ("PATCH", "/webhooks/{webhook}", {"enabled": 0.0}, "enabled"),
        ("POST", "/tracking/events", {"type": "page_view", "url": False}, "url"),
        ("POST", "/members/{member}/points", {"amount": "5"}, "amount"),
        ("POST", "/members/{member}/points", {"amount": 5, "expiresAt": 0}, "expiresAt"),
    ],
)
def test_a_value_of_another_json_type_is_a_400_not_a_coercion(
    method: str, path: str, body: dict[str, object], field: str, tenant: Tenant
) -> None:
    """Pydantic's lax mode read `0` as false, `"5"` as 5 and `0` as 1970-01-01 (found by
    `make soak`); every request body is now held to its documented JSON types."""
    from tests.reliability.seed import seed

    s = seed(tenant)
    ids = {"reward": s.values["reward"], "webhook": s.values["webhook"], "member": s.member}
    r = tenant.api.client.request(
        method, "/api/v2" + path.format(**ids), json=body, headers=tenant.api.headers
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field
    if method == "PATCH":  # and nothing changed
        assert tenant.api.get(path.format(**ids)).json()[field] is True


def test_a_shopsocially_json_list_is_not_a_comma_separated_string(
    client: TestClient, tenant: Tenant
) -> None:
    """`giftcard_coupon_codes` is a "String Value (comma separated)"; a JSON list was
    taken though the document (and the OpenAPI one) says string (found by `make soak`)."""
    from tests.reliability.seed import seed

    s = seed(tenant)
    h = {"partner-id": tenant.partner_id, "api-key": tenant.api.token}
    r = client.put(
        f"/v2/loyalty/redemptions/{s.values['ss_redemption']}",
        json={"giftcard_coupon_codes": ["A1", "A2"]},
        headers=h,
    )
    assert r.status_code == 400, r.text
    assert r.json() == {
        "reason": "Invalid giftcard_coupon_codes: Input should be a valid string",
        "success": False,
    }


def test_a_tracking_batch_documents_its_items_as_judged_one_by_one(
    client: TestClient, tenant: Tenant
) -> None:
    """A batch with a malformed event is a 202 listing it in `errors` (by design); the
    document held batch items to the event schema, so the fuzzer saw an invalid request
    accepted. The document now says what the endpoint does."""
    doc = client.get("/api/v2/openapi.json").json()
    body = doc["paths"]["/api/v2/tracking/events"]["post"]["requestBody"]
    batch = body["content"]["application/json"]["schema"]["oneOf"][1]
    assert set(batch["properties"]["events"]["items"]) == {"description"}
    r = tenant.api.post("/tracking/events", json={"events": [{"type": "x", "memberId": {}}]})
    assert r.status_code == 202, r.text
    assert r.json()["rejected"] == 1
