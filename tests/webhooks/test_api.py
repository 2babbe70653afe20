"""The /webhooks endpoints: shapes, validation, scopes and tenant isolation."""

from __future__ import annotations

import pytest

from punchcard.events.service import EVENT_TYPES
from tests.factories import Tenant
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import create_endpoint


def test_create_returns_the_endpoint_with_its_secret(tenant: Tenant, receiver: Receiver) -> None:
    r = tenant.api.post(
        "/webhooks",
        json={"url": receiver.url(), "events": ["points.awarded"], "description": "ERP"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"].startswith("wh_")
    assert body["secret"].startswith("whsec_")
    assert body["url"] == receiver.url()
    assert body["events"] == ["points.awarded"]
    assert body["enabled"] is True
    assert body["description"] == "ERP"
    assert body["createdAt"].endswith("Z")
    assert body["disabledReason"] is None


def test_secret_is_not_shown_on_read(tenant: Tenant, receiver: Receiver) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    got = tenant.api.get(f"/webhooks/{hook['id']}").json()
    listed = tenant.api.get("/webhooks").json()
    assert "secret" not in got
    assert all("secret" not in w for w in listed["webhooks"])


def test_list_is_paged_and_scoped_to_the_tenant(
    tenant: Tenant, other_tenant: Tenant, receiver: Receiver
) -> None:
    mine = [create_endpoint(tenant.api, receiver.url())["id"] for _ in range(3)]
    create_endpoint(other_tenant.api, receiver.url())
    body = tenant.api.get("/webhooks", params={"limit": 2}).json()
    assert body["total"] == 3 and body["limit"] == 2 and body["offset"] == 0
    assert [w["id"] for w in body["webhooks"]] == mine[:2]


def test_unknown_event_type_is_400_naming_events(tenant: Tenant, receiver: Receiver) -> None:
    r = tenant.api.post("/webhooks", json={"url": receiver.url(), "events": ["points.stolen"]})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "events"
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["*"]}, "url"),
        ({"url": "http://127.0.0.1:9/x"}, "events"),
        ({"url": "http://127.0.0.1:9/x", "events": []}, "events"),
        ({"url": "http://127.0.0.1:9/x", "events": ["*"], "color": "red"}, "color"),
        ({"url": "ftp://127.0.0.1/x", "events": ["*"]}, "url"),
        ({"url": "not a url", "events": ["*"]}, "url"),
    ],
)
def test_bad_body_is_400_naming_the_field(tenant: Tenant, body: dict, field: str) -> None:  # type: ignore[type-arg]
    r = tenant.api.post("/webhooks", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_event_types_lists_the_catalogue(tenant: Tenant) -> None:
    r = tenant.api.get("/webhooks/event-types")
    assert r.status_code == 200
    assert r.json()["eventTypes"] == list(EVENT_TYPES)
    assert "endpoint.disabled" in r.json()["eventTypes"]


def test_patch_changes_fields_and_validates_them(tenant: Tenant, receiver: Receiver) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    r = tenant.api.patch(
        f"/webhooks/{hook['id']}",
        json={"events": ["order.created", "order.refunded"], "description": "OMS"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["events"] == ["order.created", "order.refunded"]
    assert r.json()["description"] == "OMS"
    assert r.json()["url"] == receiver.url()
    bad = tenant.api.patch(f"/webhooks/{hook['id']}", json={"events": ["nope"]})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "events"
    null = tenant.api.patch(f"/webhooks/{hook['id']}", json={"url": None})
    assert null.status_code == 400 and null.json()["error"]["field"] == "url"


def test_disabling_by_request_records_it_and_enabling_clears_it(
    tenant: Tenant, receiver: Receiver
) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    off = tenant.api.patch(f"/webhooks/{hook['id']}", json={"enabled": False}).json()
    assert off["enabled"] is False
    assert off["disabledReason"] == "Disabled by request"
    assert off["disabledAt"] is not None
    on = tenant.api.patch(f"/webhooks/{hook['id']}", json={"enabled": True}).json()
    assert on["enabled"] is True and on["disabledReason"] is None and on["disabledAt"] is None


def test_delete_removes_the_endpoint(tenant: Tenant, receiver: Receiver) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    assert tenant.api.delete(f"/webhooks/{hook['id']}").status_code == 204
    assert tenant.api.get(f"/webhooks/{hook['id']}").status_code == 404


def test_rotate_secret_returns_a_new_secret(tenant: Tenant, receiver: Receiver) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    r = tenant.api.post(f"/webhooks/{hook['id']}/rotate-secret")
    assert r.status_code == 200, r.text
    assert r.json()["secret"].startswith("whsec_")
    assert r.json()["secret"] != hook["secret"]


def test_test_ping_is_queued_for_the_endpoint(tenant: Tenant, receiver: Receiver) -> None:
    hook = create_endpoint(tenant.api, receiver.url(), events=["order.created"])
    r = tenant.api.post(f"/webhooks/{hook['id']}/test")
    assert r.status_code == 202, r.text
    assert r.json()["eventType"] == "ping"
    assert r.json()["status"] == "pending"
    assert r.json()["id"].startswith("dlv_")
    assert r.json()["messageId"].startswith("msg_")


def test_ping_to_a_disabled_endpoint_is_409(tenant: Tenant, receiver: Receiver) -> None:
    hook = create_endpoint(tenant.api, receiver.url(), enabled=False)
    r = tenant.api.post(f"/webhooks/{hook['id']}/test")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "ENDPOINT_DISABLED"


def test_missing_credentials_are_401(tenant: Tenant) -> None:
    assert tenant.client.get("/api/v2/webhooks").status_code == 401


SCOPED_ROUTES = [
    ("get", "/webhooks", "webhooks:read"),
    ("get", "/webhooks/event-types", "webhooks:read"),
    ("post", "/webhooks", "webhooks:write"),
    ("get", "/webhooks/{id}", "webhooks:read"),
    ("patch", "/webhooks/{id}", "webhooks:write"),
    ("delete", "/webhooks/{id}", "webhooks:write"),
    ("post", "/webhooks/{id}/rotate-secret", "webhooks:write"),
    ("post", "/webhooks/{id}/test", "webhooks:write"),
    ("get", "/webhooks/{id}/deliveries", "webhooks:read"),
    ("get", "/webhooks/{id}/deliveries/{delivery}", "webhooks:read"),
    ("post", "/webhooks/{id}/deliveries/{delivery}/retry", "webhooks:write"),
]


def test_every_route_needs_its_scope(tenant: Tenant, receiver: Receiver) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    ping = tenant.api.post(f"/webhooks/{hook['id']}/test").json()
    without = {
        "webhooks:read": tenant.key_without("webhooks:read"),
        "webhooks:write": tenant.key_without("webhooks:write"),
    }
    for method, path, scope in SCOPED_ROUTES:
        kwargs = {"json": {"url": receiver.url(), "events": ["*"]}} if method != "get" else {}
        if method == "delete":
            kwargs = {}
        r = getattr(without[scope], method)(
            path.format(id=hook["id"], delivery=ping["id"]), **kwargs
        )
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_read_scope_can_read_but_not_write(tenant: Tenant, receiver: Receiver) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    reader = tenant.key("webhooks:read")
    assert reader.get(f"/webhooks/{hook['id']}").status_code == 200
    assert reader.delete(f"/webhooks/{hook['id']}").status_code == 403


def test_another_tenants_endpoint_is_404_on_every_route(
    tenant: Tenant, other_tenant: Tenant, receiver: Receiver
) -> None:
    hook = create_endpoint(other_tenant.api, receiver.url())
    ping = other_tenant.api.post(f"/webhooks/{hook['id']}/test").json()
    for method, path, _scope in SCOPED_ROUTES:
        if "{id}" not in path:
            continue
        kwargs = {"json": {"description": "mine now"}} if method == "patch" else {}
        r = getattr(tenant.api, method)(path.format(id=hook["id"], delivery=ping["id"]), **kwargs)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"]["code"] == "NOT_FOUND"
    # ...and it is untouched.
    after = other_tenant.api.get(f"/webhooks/{hook['id']}").json()
    assert after["description"] is None and after["enabled"] is True


def test_unknown_and_malformed_ids_are_404(tenant: Tenant, receiver: Receiver) -> None:
    hook = create_endpoint(tenant.api, receiver.url())
    assert tenant.api.get("/webhooks/wh_00000000000000000000000000000000").status_code == 404
    assert tenant.api.get("/webhooks/garbage").status_code == 404
    r = tenant.api.post(f"/webhooks/{hook['id']}/deliveries/dlv_nope/retry")
    assert r.status_code == 404
