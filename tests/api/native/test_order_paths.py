"""Paths: any externalOrderId create accepts is addressable; no slash redirects; a key
reused on another endpoint says so."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.factories import Tenant, balance, insert_member, unique, verify_tenant

ODD_IDS = ["SO/2026/0001", "a%b", "with space", "x/refund", "trailing/", "ü/ß?#&"]


def _place(t: Tenant, ext: str, total: str = "100.00") -> str:
    member = insert_member(t)
    r = t.api.post("/orders", json={"externalOrderId": ext, "memberId": member, "total": total})
    assert r.status_code == 201, r.text
    return member


@pytest.mark.parametrize("ext", ODD_IDS)
def test_any_created_id_is_refunded_percent_encoded(tenant: Tenant, ext: str) -> None:
    ext = unique("") + ext  # unique per run, the odd part kept
    member = _place(tenant, ext)
    r = tenant.api.post(f"/orders/{quote(ext, safe='')}/refund", json={"amount": "40.00"})
    assert r.status_code == 200, r.text
    assert r.json()["order"]["externalOrderId"] == ext
    assert r.json()["pointsClawedBack"] == 40
    assert balance(tenant, member) == 60
    verify_tenant(tenant)


def test_slash_may_also_be_written_raw(tenant: Tenant) -> None:
    ext = f"{unique('SO')}/2026/07"
    member = _place(tenant, ext)
    r = tenant.api.post(f"/orders/{ext}/refund", json={})
    assert r.status_code == 200, r.text
    assert r.json()["order"]["status"] == "refunded"
    assert balance(tenant, member) == 0
    # The same order by either spelling: the second refund finds nothing left.
    again = tenant.api.post(f"/orders/{quote(ext, safe='')}/refund", json={"amount": "1.00"})
    assert again.json()["error"]["code"] == "REFUND_EXCEEDS_ORDER", again.text


@pytest.mark.parametrize("ext", ODD_IDS)
def test_get_order_by_external_id_renders_as_the_list(tenant: Tenant, ext: str) -> None:
    ext = unique("") + ext
    _place(tenant, ext, "12.50")
    listed = tenant.api.get("/orders", params={"externalOrderId": ext}).json()["orders"]
    r = tenant.api.get(f"/orders/{quote(ext, safe='')}")
    assert r.status_code == 200, r.text
    assert [r.json()] == listed


def test_get_order_refund_literal_in_the_id(tenant: Tenant) -> None:
    ext = f"{unique('R')}/refund"
    _place(tenant, ext)
    r = tenant.api.get(f"/orders/{ext}")
    assert r.status_code == 200 and r.json()["externalOrderId"] == ext


def test_get_order_of_another_tenant_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    ext = f"{unique('SO')}/x"
    _place(other_tenant, ext)
    r = tenant.api.get(f"/orders/{quote(ext, safe='')}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NOT_FOUND"
    assert r.json()["error"]["field"] == "externalOrderId"
    refund = tenant.api.post(f"/orders/{quote(ext, safe='')}/refund", json={})
    assert refund.status_code == 404


def test_get_order_needs_orders_read(tenant: Tenant) -> None:
    ext = unique("SO")
    _place(tenant, ext)
    r = tenant.key_without("orders:read").get(f"/orders/{ext}")
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


@pytest.mark.parametrize(
    "path",
    ["/api/v2/members/", "/api/v2/stores/", "/api/v1/advocates/", "/addglow/v1/members/"],
)
@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Forwarded-Proto": "https"}],
)
def test_trailing_slash_is_a_404_never_a_redirect(
    tenant: Tenant, path: str, headers: dict[str, str]
) -> None:
    r = tenant.client.get(path, headers={**tenant.api.headers, **headers}, follow_redirects=False)
    assert not 300 <= r.status_code < 400
    assert "location" not in r.headers
    assert r.status_code == 404
    assert "error" in r.json()


def test_no_redirect_over_https_points_at_http(tenant: Tenant) -> None:
    from fastapi.testclient import TestClient

    secure = TestClient(tenant.client.app, base_url="https://loyalty.example")
    for path in ["/api/v2/members/", "/api/v2/orders/", "/docs/", "/api/v2/docs/", "/healthz/"]:
        r = secure.get(path, headers=tenant.api.headers, follow_redirects=False)
        location = r.headers.get("location", "")
        assert not location.startswith("http://"), (path, location)


def test_key_reused_on_another_endpoint_says_different_request(tenant: Tenant) -> None:
    key = {"Idempotency-Key": unique("k")}
    first = tenant.api.post("/stores", json={"name": "North", "code": unique("N")}, headers=key)
    assert first.status_code == 201, first.text
    other = tenant.api.post("/members", json={"email": f"{unique('m')}@x.io"}, headers=key)
    assert other.status_code == 422
    message = other.json()["error"]["message"]
    assert "different request" in message and "body" not in message


def test_key_reused_with_another_body_says_different_request_body(tenant: Tenant) -> None:
    key = {"Idempotency-Key": unique("k")}
    assert (
        tenant.api.post(
            "/stores", json={"name": "North", "code": unique("N")}, headers=key
        ).status_code
        == 201
    )
    again = tenant.api.post("/stores", json={"name": "South", "code": unique("S")}, headers=key)
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert "different request body" in again.json()["error"]["message"]


def test_a_wrong_method_names_the_routes_own_methods(tenant: Tenant) -> None:
    for path, allowed in [("/orders/SO-1/refund", "POST"), ("/orders/batch", "POST")]:
        r = tenant.api.delete(path)
        assert r.status_code == 405, (path, r.text)
        assert r.headers["allow"] == allowed, path
    r = tenant.api.delete("/orders/SO-1")
    assert r.status_code == 405 and r.headers["allow"] == "GET"
