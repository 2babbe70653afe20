"""The dashboard's orders, webhooks, API keys and audit log pages, in process (a real
SQLite file or PostgreSQL, the app through FastAPI's TestClient): each page and each
action on its good path, bad input (a message naming the field, nothing written), a
viewer (sees, never changes; keys and audit: not even sees), another tenant's id (a
404 page), and the secrets shown exactly once."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import PASSWORD, Tenant, balance, insert_member, new_user, unique

# A whole key (a list shows only its first characters).
PLAINTEXT = r"fl_live_[A-Za-z0-9_\-]{32,}"


class Dash:
    """A browser-like client signed in to the dashboard (its own cookie jar)."""

    def __init__(self, app: FastAPI, email: str) -> None:
        self.http = TestClient(app)
        token = self.csrf("/dashboard/login")
        r = self.http.post(
            "/dashboard/login",
            data={"email": email, "password": PASSWORD, "csrf": token},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text

    def csrf(self, path: str) -> str:
        html = self.http.get(path).text
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found, html
        return found.group(1)

    def get(self, path: str) -> Any:
        return self.http.get(path, follow_redirects=False)

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True) -> Any:
        body: dict[str, Any] = dict(data or {})
        if csrf:
            body["csrf"] = self.http.cookies.get("punchcard_csrf") or self.csrf("/dashboard/")
        return self.http.post(path, data=body, follow_redirects=False)


@pytest.fixture
def owner(app: FastAPI, tenant: Tenant) -> Dash:
    return Dash(app, tenant.owner_email)


def add_user(t: Tenant, role: str) -> str:
    return new_user(t, role)[1]


@pytest.fixture
def viewer(app: FastAPI, tenant: Tenant) -> Dash:
    return Dash(app, add_user(tenant, "viewer"))


def place(t: Tenant, member_id: str, ext: str, total: str = "100.00", **kw: Any) -> dict[str, Any]:
    body = {"externalOrderId": ext, "memberId": member_id, "total": total, **kw}
    r = t.api.post("/orders", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def order_path(ext: str) -> str:
    return "/dashboard/orders/" + quote(ext, safe="")


def notice(r: Any) -> str:
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


# Orders -------------------------------------------------------------------------------


def test_the_orders_list_shows_filters_and_pages(owner: Dash, tenant: Tenant) -> None:
    alice = insert_member(tenant, email=f"{unique('alice')}@example.com")
    bob = insert_member(tenant)
    alice_email = tenant.api.get(f"/members/{alice}").json()["email"]
    place(tenant, alice, "A-1", "40.00")
    rows = [{"externalOrderId": f"B-{i:02}", "memberId": bob, "total": "1.00"} for i in range(26)]
    assert tenant.api.post("/orders/batch", json={"orders": rows}).json()["created"] == 26

    page = owner.get("/dashboard/orders")
    assert page.status_code == 200
    assert "1\u201325 of 27" in page.text and "Next page" in page.text
    second = owner.get("/dashboard/orders?offset=25")
    assert "26\u201327 of 27" in second.text and "Previous page" in second.text

    mine = owner.get("/dashboard/orders?member=" + quote(alice_email))
    assert "A-1" in mine.text and "B-0" not in mine.text and "40.00" in mine.text
    assert alice_email in mine.text and "1\u20131 of 1" in mine.text
    one = owner.get("/dashboard/orders?order=B-07")
    assert "B-07" in one.text and "B-08" not in one.text and "A-1" not in one.text
    nobody = owner.get("/dashboard/orders?member=nobody%40example.com")
    assert nobody.status_code == 200 and "No order matches" in nobody.text


def test_an_order_page_shows_lines_and_ledger_effects(owner: Dash, tenant: Tenant) -> None:
    member = insert_member(tenant)
    ext = f"shop/{unique('o')}/1"  # a `/` in the id
    items = [
        {"name": "Flat white", "sku": "FW", "quantity": 2, "price": "4.50"},
        {"name": "Gift card", "quantity": 1, "price": "10.00", "eligible": False},
    ]
    placed = place(tenant, member, ext, "19.00", items=items)
    assert placed["pointsAwarded"] > 0
    for path in (order_path(ext), "/dashboard/orders/" + ext):
        r = owner.get(path)
        assert r.status_code == 200, path
        assert "Flat white" in r.text and "Gift card" in r.text and ">FW<" in r.text
        assert "award" in r.text and f">{placed['pointsAwarded']}<" in r.text
        assert 'name="amount"' in r.text


def test_a_partial_then_full_refund_claws_points_back(owner: Dash, tenant: Tenant) -> None:
    member = insert_member(tenant)
    ext = f"R/{unique('o')}"
    placed = place(tenant, member, ext, "100.00")
    earned = placed["pointsAwarded"]
    assert balance(tenant, member) == earned > 0

    r = owner.post(order_path(ext) + "/refund", {"amount": "25.00", "reason": "One cup cold"})
    assert "notice=Refunded" in notice(r)
    order = tenant.api.get("/orders/" + quote(ext, safe="")).json()
    assert order["status"] == "partially_refunded" and order["refundedAmount"] == "25.00"
    assert balance(tenant, member) == earned - order["pointsClawedBack"]
    assert order["pointsClawedBack"] == earned // 4

    page = owner.get(notice(r))
    assert "One cup cold" in page.text and "clawback" in page.text
    r = owner.post(order_path(ext) + "/refund", {"amount": "", "reason": ""})
    assert "notice=Refunded" in notice(r)
    order = tenant.api.get("/orders/" + quote(ext, safe="")).json()
    assert order["status"] == "refunded" and order["refundedAmount"] == "100.00"
    assert balance(tenant, member) == 0
    assert 'name="amount"' not in owner.get(order_path(ext)).text  # nothing left


def test_the_same_refund_form_sent_twice_refunds_once(owner: Dash, tenant: Tenant) -> None:
    member = insert_member(tenant)
    ext = unique("twice")
    place(tenant, member, ext, "100.00")
    form = {"amount": "10", "reason": "", "refund_key": uuid.uuid4().hex}
    notice(owner.post(order_path(ext) + "/refund", form))
    notice(owner.post(order_path(ext) + "/refund", form))
    assert tenant.api.get(f"/orders/{ext}").json()["refundedAmount"] == "10.00"


@pytest.mark.parametrize(
    ("amount", "reason", "field", "says"),
    [
        ("ten", "", "amount", "amount must be a decimal amount"),
        ("-5", "", "amount", "amount must be positive"),
        ("0", "", "amount", "amount must be positive"),
        ("100.01", "", "amount", "amount exceeds what is left to refund"),
        ("5", "x" * 501, "reason", "reason must be at most 500 characters"),
    ],
)
def test_a_bad_refund_names_its_field_and_writes_nothing(
    owner: Dash, tenant: Tenant, amount: str, reason: str, field: str, says: str
) -> None:
    member = insert_member(tenant)
    ext = unique("bad")
    earned = place(tenant, member, ext, "100.00")["pointsAwarded"]
    r = owner.post(order_path(ext) + "/refund", {"amount": amount, "reason": reason})
    assert r.status_code == 400
    assert f'id="{field}-error"' in r.text and says in r.text
    assert f'aria-describedby="{field}-error"' in r.text
    order = tenant.api.get(f"/orders/{ext}").json()
    assert order["refundedAmount"] == "0.00" and order["status"] == "paid"
    assert balance(tenant, member) == earned


def test_a_viewer_sees_orders_but_cannot_refund(viewer: Dash, tenant: Tenant) -> None:
    member = insert_member(tenant)
    ext = unique("v")
    earned = place(tenant, member, ext)["pointsAwarded"]
    assert viewer.get("/dashboard/orders").status_code == 200
    page = viewer.get(order_path(ext))
    assert page.status_code == 200 and 'name="amount"' not in page.text
    r = viewer.post(order_path(ext) + "/refund", {"amount": "10"})
    assert r.status_code == 403 and "Not allowed" in r.text
    assert balance(tenant, member) == earned


def test_another_tenants_order_is_not_found(
    owner: Dash, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = insert_member(other_tenant)
    ext = unique("theirs")
    earned = place(other_tenant, theirs, ext)["pointsAwarded"]
    page = owner.get(order_path(ext))
    assert page.status_code == 404 and "Not found" in page.text and "<html" in page.text
    r = owner.post(order_path(ext) + "/refund", {"amount": "1"})
    assert r.status_code == 404
    assert balance(other_tenant, theirs) == earned
    assert ext not in owner.get("/dashboard/orders").text


def test_a_change_without_the_csrf_token_is_refused(owner: Dash, tenant: Tenant) -> None:
    member = insert_member(tenant)
    ext = unique("csrf")
    place(tenant, member, ext)
    r = owner.post(order_path(ext) + "/refund", {"amount": "1"}, csrf=False)
    assert r.status_code == 403
    assert tenant.api.get(f"/orders/{ext}").json()["refundedAmount"] == "0.00"


# Webhooks -----------------------------------------------------------------------------


def _endpoint_id(location: str) -> str:
    found = re.search(r"/dashboard/webhooks/(wh_[0-9a-f]{32})", location)
    assert found, location
    return found.group(1)


def create_endpoint(owner: Dash, url: str = "http://127.0.0.1:9/in") -> tuple[str, str]:
    r = owner.post("/dashboard/webhooks", {"url": url, "events": ["order.created"]})
    assert r.status_code == 200, r.text
    secret = re.search(r"whsec_[A-Za-z0-9_\-+/=]+", r.text)
    assert secret, r.text
    return _endpoint_id(r.text), secret.group(0)


def test_a_webhook_secret_is_shown_once_at_creation(owner: Dash, tenant: Tenant) -> None:
    wid, secret = create_endpoint(owner)
    listed = tenant.api.get(f"/webhooks/{wid}").json()
    assert listed["url"] == "http://127.0.0.1:9/in" and listed["events"] == ["order.created"]
    for path in ("/dashboard/webhooks", f"/dashboard/webhooks/{wid}", "/dashboard/audit"):
        page = owner.get(path)
        assert page.status_code == 200 and secret not in page.text, path
    assert "127.0.0.1:9/in" in owner.get("/dashboard/webhooks").text


def test_rotating_shows_the_new_secret_once(owner: Dash, tenant: Tenant) -> None:
    wid, first = create_endpoint(owner)
    r = owner.post(f"/dashboard/webhooks/{wid}/rotate-secret")
    assert r.status_code == 200 and "New signing secret" in r.text
    second = re.search(r"whsec_[A-Za-z0-9_\-+/=]+", r.text)
    assert second and second.group(0) != first
    assert second.group(0) not in owner.get(f"/dashboard/webhooks/{wid}").text


@pytest.mark.parametrize(
    ("form", "field", "says"),
    [
        ({"url": "http://169.254.169.254/latest", "events": ["*"]}, "url", "metadata"),
        ({"url": "ftp://example.com/x", "events": ["*"]}, "url", "URL must use http or https"),
        ({"url": "", "events": ["*"]}, "url", "url is required"),
        ({"url": "http://127.0.0.1:9/x"}, "events", "at least one event type"),
        ({"url": "http://127.0.0.1:9/x", "events": ["no.such"]}, "events", "Unknown event"),
    ],
)
def test_a_bad_webhook_names_its_field_and_writes_nothing(
    owner: Dash, tenant: Tenant, form: dict[str, Any], field: str, says: str
) -> None:
    r = owner.post("/dashboard/webhooks", form)
    assert r.status_code == 400
    assert f'id="{field}-error"' in r.text and says in r.text
    assert "whsec_" not in r.text
    assert tenant.api.get("/webhooks").json()["total"] == 0


def test_enable_disable_and_delete_an_endpoint(owner: Dash, tenant: Tenant) -> None:
    wid, _ = create_endpoint(owner)
    r = owner.post(f"/dashboard/webhooks/{wid}/enabled", {"enabled": "false"})
    assert "Endpoint+disabled" in notice(r)
    assert tenant.api.get(f"/webhooks/{wid}").json()["enabled"] is False
    assert ">Enable<" in owner.get(f"/dashboard/webhooks/{wid}").text
    notice(owner.post(f"/dashboard/webhooks/{wid}/enabled", {"enabled": "true"}))
    assert tenant.api.get(f"/webhooks/{wid}").json()["enabled"] is True
    bad = owner.post(f"/dashboard/webhooks/{wid}/enabled", {"enabled": "maybe"})
    assert bad.status_code == 400 and "enabled must be true or false" in bad.text
    notice(owner.post(f"/dashboard/webhooks/{wid}/delete"))
    assert tenant.api.get(f"/webhooks/{wid}").status_code == 404
    assert owner.get(f"/dashboard/webhooks/{wid}").status_code == 404


def test_an_endpoint_page_lists_deliveries_and_replays_one(
    owner: Dash, tenant: Tenant, clock: Any
) -> None:
    clock.freeze()
    wid, _ = create_endpoint(owner)
    ping = tenant.api.post(f"/webhooks/{wid}/test")
    assert ping.status_code == 202, ping.text
    did = ping.json()["id"]
    page = owner.get(f"/dashboard/webhooks/{wid}")
    assert "ping" in page.text and "Not attempted yet" in page.text
    before = tenant.api.get(f"/webhooks/{wid}/deliveries/{did}").json()["nextAttemptAt"]
    clock.advance(hours=1)
    r = owner.post(f"/dashboard/webhooks/{wid}/deliveries/{did}/replay")
    assert "queued+again" in notice(r)
    after = tenant.api.get(f"/webhooks/{wid}/deliveries/{did}").json()
    assert after["nextAttemptAt"] != before and after["status"] == "pending"
    gone = owner.post(f"/dashboard/webhooks/{wid}/deliveries/dlv_{uuid.uuid4().hex}/replay")
    assert gone.status_code == 404


def test_a_test_ping_is_queued_from_the_endpoint_page(owner: Dash, tenant: Tenant) -> None:
    wid, _ = create_endpoint(owner)
    assert "Send a test ping" in owner.get(f"/dashboard/webhooks/{wid}").text
    assert "test+ping+is+queued" in notice(owner.post(f"/dashboard/webhooks/{wid}/ping"))
    listed = tenant.api.get(f"/webhooks/{wid}/deliveries").json()
    assert [d["eventType"] for d in listed["deliveries"]] == ["ping"]
    notice(owner.post(f"/dashboard/webhooks/{wid}/enabled", {"enabled": "false"}))
    refused = owner.post(f"/dashboard/webhooks/{wid}/ping")
    assert refused.status_code == 409 and "enable it first" in refused.text
    assert tenant.api.get(f"/webhooks/{wid}/deliveries").json()["total"] == 1


def test_a_viewer_sees_webhooks_but_cannot_change_them(
    owner: Dash, viewer: Dash, tenant: Tenant
) -> None:
    wid, _ = create_endpoint(owner)
    page = viewer.get("/dashboard/webhooks")
    assert page.status_code == 200 and "127.0.0.1:9/in" in page.text
    assert 'action="/dashboard/webhooks"' not in page.text
    assert "Rotate" not in viewer.get(f"/dashboard/webhooks/{wid}").text
    assert (
        viewer.post(
            "/dashboard/webhooks", {"url": "http://127.0.0.1:9/x", "events": ["*"]}
        ).status_code
        == 403
    )
    for tail in ("delete", "rotate-secret", "ping"):
        assert viewer.post(f"/dashboard/webhooks/{wid}/{tail}").status_code == 403
    assert tenant.api.get("/webhooks").json()["total"] == 1


def test_another_tenants_endpoint_is_not_found(
    owner: Dash, other_tenant: Tenant, tenant: Tenant
) -> None:
    r = other_tenant.api.post("/webhooks", json={"url": "http://127.0.0.1:9/o", "events": ["*"]})
    wid = r.json()["id"]
    assert owner.get(f"/dashboard/webhooks/{wid}").status_code == 404
    for tail in ("delete", "rotate-secret"):
        assert owner.post(f"/dashboard/webhooks/{wid}/{tail}").status_code == 404
    assert owner.get("/dashboard/webhooks/not-an-id").status_code == 404
    assert other_tenant.api.get(f"/webhooks/{wid}").status_code == 200


# API keys -----------------------------------------------------------------------------


def create_key(owner: Dash, **form: Any) -> tuple[str, str, Any]:
    r = owner.post("/dashboard/keys", {"name": "Till", "preset": "read", **form})
    assert r.status_code == 200, r.text
    plain = re.search(PLAINTEXT, r.text)
    kid = re.search(r"/dashboard/keys/(key_[0-9a-f]{32})", r.text)
    assert plain and kid, r.text
    return kid.group(1), plain.group(0), r


def test_a_key_is_shown_once_works_and_stops_when_revoked(
    owner: Dash, tenant: Tenant, client: TestClient
) -> None:
    kid, plain, created = create_key(owner, name="Till 1")
    assert created.text.count(plain) == 1
    auth = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v2/members", headers=auth).status_code == 200
    assert (
        client.post("/api/v2/members", json={"email": "x@example.com"}, headers=auth).status_code
        == 403
    )
    for path in ("/dashboard/keys", f"/dashboard/keys/{kid}", "/dashboard/audit"):
        page = owner.get(path)
        assert page.status_code == 200 and plain not in page.text, path
    listing = owner.get("/dashboard/keys").text
    assert "Till 1" in listing and plain[:14] in listing  # the display prefix only
    activity = owner.get(f"/dashboard/keys/{kid}").text
    assert "/api/v2/members" in activity and ">200<" in activity and ">403<" in activity
    r = owner.post(f"/dashboard/keys/{kid}/revoke")
    assert "revoked" in notice(r) and plain not in notice(r)
    assert client.get("/api/v2/members", headers=auth).status_code == 401
    assert "Revoke this key" not in owner.get(f"/dashboard/keys/{kid}").text


def test_a_key_with_chosen_scopes_and_an_expiry(owner: Dash, tenant: Tenant) -> None:
    kid, _, _ = create_key(
        owner, preset="custom", scopes=["orders:write", "members:read"], expires="2099-01-31"
    )
    key = tenant.owner.get(f"/api-keys/{kid}").json()
    assert key["scopes"] == ["members:read", "orders:read", "orders:write"]
    assert key["expiresAt"].startswith("2099-01-31T00:00:00")


@pytest.mark.parametrize(
    ("form", "field", "says"),
    [
        ({"name": ""}, "name", "name is required"),
        ({"name": "x" * 201}, "name", "name must be at most 200"),
        ({"preset": "admin"}, "preset", "Choose read, write or chosen scopes"),
        ({"preset": "custom"}, "scopes", "Choose at least one scope"),
        ({"preset": "custom", "scopes": ["orders:delete"]}, "scopes", "unknown scope"),
        ({"expires": "2001-01-01"}, "expires", "expires must be a day after today"),
        ({"expires": "31/12/2099"}, "expires", "expires must be a date"),
    ],
)
def test_a_bad_key_names_its_field_and_writes_nothing(
    owner: Dash, tenant: Tenant, form: dict[str, Any], field: str, says: str
) -> None:
    before = tenant.owner.get("/api-keys").json()["total"]
    r = owner.post("/dashboard/keys", {"name": "K", "preset": "read", **form})
    assert r.status_code == 400
    assert f'id="{field}-error"' in r.text and says in r.text and not re.search(PLAINTEXT, r.text)
    assert tenant.owner.get("/api-keys").json()["total"] == before


def test_a_viewer_gets_403_on_keys(viewer: Dash, owner: Dash, tenant: Tenant) -> None:
    kid, _, _ = create_key(owner)
    assert viewer.get("/dashboard/keys").status_code == 403
    assert viewer.get(f"/dashboard/keys/{kid}").status_code == 403
    assert viewer.post("/dashboard/keys", {"name": "V", "preset": "write"}).status_code == 403
    assert viewer.post(f"/dashboard/keys/{kid}/revoke").status_code == 403
    assert tenant.owner.get(f"/api-keys/{kid}").json()["revokedAt"] is None


def test_another_tenants_key_is_not_found(
    owner: Dash, other_tenant: Tenant, client: TestClient
) -> None:
    theirs = other_tenant.owner.post("/api-keys", json={"name": "Theirs"}).json()
    assert owner.get(f"/dashboard/keys/{theirs['id']}").status_code == 404
    assert owner.post(f"/dashboard/keys/{theirs['id']}/revoke").status_code == 404
    r = client.get("/api/v2/members", headers={"Authorization": f"Bearer {theirs['key']}"})
    assert r.status_code == 200


# Audit log ----------------------------------------------------------------------------


def test_the_audit_log_names_callers_filters_and_pages(owner: Dash, tenant: Tenant) -> None:
    kid, plain, _ = create_key(owner, name="Register 7")
    auth = {"Authorization": f"Bearer {plain}"}
    for _ in range(26):
        tenant.client.get("/api/v2/members", headers=auth)
    tenant.client.get("/api/v2/orders", headers=auth)

    page = owner.get("/dashboard/audit")
    assert page.status_code == 200
    assert "Register 7" in page.text and tenant.owner_email in page.text
    assert "testclient" in page.text  # the client address
    rows = re.findall(r'data-label="Path"><code>([^<]+)</code>', page.text)
    assert rows[0] == "/api/v2/orders"  # newest first
    assert "Next page" in page.text

    by_key = owner.get(f"/dashboard/audit?who={kid}")
    assert "1\u201325 of 27" in by_key.text
    assert "/dashboard/keys" not in re.findall(r"<code>([^<]+)</code>", by_key.text)
    prefix = owner.get(f"/dashboard/audit?who={kid}&path=/api/v2/orders")
    assert "1\u20131 of 1" in prefix.text
    following = owner.get(f"/dashboard/audit?who={kid}&offset=25")
    assert "26\u201327 of 27" in following.text
    mine = owner.get("/dashboard/audit?path=/dashboard/keys")
    paths = re.findall(r'data-label="Path"><code>([^<]+)</code>', mine.text)
    assert paths and all(p.startswith("/dashboard/keys") for p in paths)
    assert "Register 7" not in re.findall(r'data-label="Who">([^<]+)', mine.text)
    assert plain not in page.text + by_key.text + mine.text


def test_the_audit_log_is_the_tenants_own_and_not_a_viewers(
    owner: Dash, viewer: Dash, tenant: Tenant, other_tenant: Tenant
) -> None:
    other_tenant.api.get("/members?limit=3")
    page = owner.get("/dashboard/audit?path=/api/v2/members")
    assert "limit=3" not in page.text and "No record matches" in page.text
    assert viewer.get("/dashboard/audit").status_code == 403
    odd = owner.get("/dashboard/audit?who=key_zzz&path=%25&offset=-4")
    assert odd.status_code == 200
