"""Tracking: /api/v2/tracking/events and /api/v2/tracking/stats."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import TestClock
from tests.factories import Tenant
from tests.tracking.factories import make_member

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_a_single_event_is_accepted(tenant: Tenant) -> None:
    r = tenant.api.post(
        "/tracking/events", json={"type": "page_view", "visitorId": "v1", "url": "/shop"}
    )
    assert r.status_code == 202, r.text
    assert r.json() == {"accepted": 1, "rejected": 0, "errors": []}


def test_a_batch_rejects_bad_events_one_by_one(tenant: Tenant, other_tenant: Tenant) -> None:
    member = make_member(tenant)
    stranger = make_member(other_tenant)
    events = [
        {"type": "page_view", "memberId": member["id"], "url": "/a"},
        {"visitorId": "no-type"},
        {"type": "page_view", "memberId": stranger["id"]},
        {"type": "page_view", "memberId": "mem_" + "0" * 32},
        {"type": "bad type!"},
        {"type": "page_view", "occurredAt": "not-a-time"},
        "not an object",
        {"type": "page_view", "color": "red"},
        {"type": "add_to_cart", "visitorId": "v9", "properties": {"sku": "X-1"}},
    ]
    r = tenant.api.post("/tracking/events", json={"events": events})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["accepted"] == 2 and body["rejected"] == 7
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "type"),
        (2, "memberId"),
        (3, "memberId"),
        (4, "type"),
        (5, "occurredAt"),
        (6, None),
        (7, "color"),
    ]


def test_more_than_1000_events_is_400_naming_events(tenant: Tenant) -> None:
    r = tenant.api.post("/tracking/events", json={"events": [{"type": "x"}] * 1001})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "events"


def test_a_refused_single_event_is_400_naming_the_field(tenant: Tenant) -> None:
    r = tenant.api.post("/tracking/events", json={"visitorId": "v1"})
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": "type is required",
        "field": "type",
    }
    r = tenant.api.post("/tracking/events", json={"type": "x", "memberId": "mem_" + "1" * 32})
    assert r.status_code == 400 and r.json()["error"]["field"] == "memberId"
    r = tenant.api.post("/tracking/events", json=[{"type": "x"}])
    assert r.status_code == 400
    r = tenant.api.post("/tracking/events", json={"events": "nope"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "events"


def test_events_far_in_the_future_are_refused(tenant: Tenant, clock: TestClock) -> None:
    clock.freeze(NOW)
    r = tenant.api.post(
        "/tracking/events", json={"type": "x", "occurredAt": "2026-03-12T12:00:00Z"}
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "occurredAt"


def test_oversized_properties_are_refused(tenant: Tenant) -> None:
    r = tenant.api.post("/tracking/events", json={"type": "x", "properties": {"k": "v" * 9000}})
    assert r.status_code == 400 and r.json()["error"]["field"] == "properties"


def _ingest(t: Tenant, events: list[dict]) -> None:
    r = t.api.post("/tracking/events", json={"events": events})
    assert r.status_code == 202 and r.json()["rejected"] == 0, r.text


def test_stats_sum_by_day_type_and_page(
    tenant: Tenant, other_tenant: Tenant, clock: TestClock
) -> None:
    clock.freeze(NOW)
    a, b = make_member(tenant), make_member(tenant)
    _ingest(
        tenant,
        [
            {
                "type": "page_view",
                "visitorId": "v1",
                "url": "/home",
                "occurredAt": "2026-03-08T23:30:00Z",
            },
            # 00:10 at +02:00 is still the 8th in UTC.
            {
                "type": "page_view",
                "visitorId": "v1",
                "url": "/home",
                "occurredAt": "2026-03-09T00:10:00+02:00",
            },
            {
                "type": "page_view",
                "visitorId": "v2",
                "url": "/shop",
                "occurredAt": "2026-03-09T08:00:00Z",
            },
            {
                "type": "add_to_cart",
                "memberId": a["id"],
                "url": "/shop",
                "occurredAt": "2026-03-10T09:00:00Z",
            },
            {"type": "add_to_cart", "memberId": b["id"], "visitorId": "v2"},
            {"type": "purchase", "memberId": a["id"]},
            # Outside the default 30-day window.
            {
                "type": "page_view",
                "visitorId": "v3",
                "url": "/old",
                "occurredAt": "2026-01-01T00:00:00Z",
            },
        ],
    )
    _ingest(other_tenant, [{"type": "page_view", "visitorId": "vx", "url": "/home"}])

    r = tenant.api.get("/tracking/stats")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["from"] == "2026-02-09" and body["to"] == "2026-03-10"
    assert body["totals"] == {"events": 6, "visitors": 2, "members": 2}
    assert len(body["byDay"]) == 30
    days = {d["date"]: d["events"] for d in body["byDay"]}
    assert days["2026-03-08"] == 2 and days["2026-03-09"] == 1 and days["2026-03-10"] == 3
    assert sum(days.values()) == 6
    assert body["byType"] == [
        {"type": "page_view", "events": 3},
        {"type": "add_to_cart", "events": 2},
        {"type": "purchase", "events": 1},
    ]
    # Ties are ordered by url; /old is outside the window.
    assert body["byPage"] == [{"url": "/home", "events": 2}, {"url": "/shop", "events": 2}]


def test_stats_honour_from_and_to(tenant: Tenant, clock: TestClock) -> None:
    clock.freeze(NOW)
    _ingest(
        tenant,
        [
            {"type": "a", "occurredAt": "2026-01-01T10:00:00Z"},
            {"type": "a", "occurredAt": "2026-01-02T23:59:59Z"},
            {"type": "a", "occurredAt": "2026-01-03T00:00:00Z"},
        ],
    )
    r = tenant.api.get("/tracking/stats", params={"from": "2026-01-01", "to": "2026-01-02"})
    assert r.status_code == 200
    body = r.json()
    assert body["totals"]["events"] == 2
    assert body["byDay"] == [
        {"date": "2026-01-01", "events": 1},
        {"date": "2026-01-02", "events": 1},
    ]


def test_stats_validate_the_window(tenant: Tenant) -> None:
    r = tenant.api.get("/tracking/stats", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "from"
    r = tenant.api.get("/tracking/stats", params={"from": "yesterday"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "from"
    r = tenant.api.get("/tracking/stats", params={"from": "2020-01-01", "to": "2026-01-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "to"


def test_tracking_needs_credentials(tenant: Tenant) -> None:
    assert tenant.client.get("/api/v2/tracking/stats").status_code == 401
    r = tenant.client.post("/api/v2/tracking/events", json={"type": "x"})
    assert r.status_code == 401


def test_tracking_needs_its_scope(tenant: Tenant) -> None:
    assert tenant.key_without("tracking:read").get("/tracking/stats").status_code == 403
    r = tenant.key("tracking:read").post("/tracking/events", json={"type": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    r = tenant.key("tracking:write").post("/tracking/events", json={"type": "x"})
    assert r.status_code == 202


def test_another_tenants_events_never_count(tenant: Tenant, other_tenant: Tenant) -> None:
    _ingest(other_tenant, [{"type": "page_view", "visitorId": "v1", "url": "/x"}] * 3)
    body = tenant.api.get("/tracking/stats").json()
    assert body["totals"] == {"events": 0, "visitors": 0, "members": 0}
    assert body["byPage"] == [] and body["byType"] == []
