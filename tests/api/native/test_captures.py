"""Captures: /api/v2/captures and check-ins, /api/v2/members/{id}/checkins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from punchcard.tenants.service import update_settings
from tests import conftest
from tests.api.native.test_members import make_member
from tests.factories import Tenant, unique


def make_store(t: Tenant) -> dict[str, Any]:
    r = t.api.post("/stores", json={"code": unique("ST-"), "name": "Store"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def checkin(t: Tenant, member_id: str, store: str) -> Any:
    return t.api.post(f"/members/{member_id}/checkins", json={"storeId": store})


def set_timezone(t: Tenant, tz: str) -> None:
    with t.db.transaction() as s:
        update_settings(s, t.id, {"timezone": tz})


def test_checkin_creates_a_capture(tenant: Tenant) -> None:
    m, st = make_member(tenant), make_store(tenant)
    r = checkin(tenant, m["id"], st["id"])
    assert r.status_code == 201, r.text
    cap = r.json()
    assert cap["id"].startswith("cap_")
    assert (cap["memberId"], cap["storeId"], cap["source"]) == (m["id"], st["id"], "checkin")
    assert cap["isNewMember"] is False and cap["createdAt"].endswith("Z")


def test_checkin_by_store_code(tenant: Tenant) -> None:
    m, st = make_member(tenant), make_store(tenant)
    r = checkin(tenant, m["id"], st["code"])
    assert r.status_code == 201 and r.json()["storeId"] == st["id"]


def test_checkin_updates_last_activity(tenant: Tenant, clock: conftest.TestClock) -> None:
    clock.freeze(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    m, st = make_member(tenant), make_store(tenant)
    clock.advance(hours=3)
    checkin(tenant, m["id"], st["id"])
    assert tenant.api.get(f"/members/{m['id']}").json()["lastActivityAt"] == (
        "2026-04-01T12:00:00.000Z"
    )


def test_same_member_same_store_same_day_is_one_capture(
    tenant: Tenant, clock: conftest.TestClock
) -> None:
    clock.freeze(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    m, st = make_member(tenant), make_store(tenant)
    first = checkin(tenant, m["id"], st["id"])
    assert first.status_code == 201
    clock.advance(hours=10)
    again = checkin(tenant, m["id"], st["code"])
    assert again.status_code == 200
    assert again.json() == first.json()
    caps = tenant.api.get("/captures", params={"source": "checkin"}).json()
    assert caps["total"] == 1


def test_next_day_is_a_new_capture(tenant: Tenant, clock: conftest.TestClock) -> None:
    clock.freeze(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    m, st = make_member(tenant), make_store(tenant)
    first = checkin(tenant, m["id"], st["id"]).json()
    clock.advance(days=1)
    second = checkin(tenant, m["id"], st["id"])
    assert second.status_code == 201
    assert second.json()["id"] != first["id"]
    assert tenant.api.get("/captures", params={"source": "checkin"}).json()["total"] == 2


def test_other_store_or_member_same_day_is_a_new_capture(
    tenant: Tenant, clock: conftest.TestClock
) -> None:
    clock.freeze(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    a, b = make_member(tenant), make_member(tenant)
    s1, s2 = make_store(tenant), make_store(tenant)
    assert checkin(tenant, a["id"], s1["id"]).status_code == 201
    assert checkin(tenant, a["id"], s2["id"]).status_code == 201
    assert checkin(tenant, b["id"], s1["id"]).status_code == 201


def test_the_day_is_the_tenants_local_day(tenant: Tenant, clock: conftest.TestClock) -> None:
    set_timezone(tenant, "America/New_York")
    m, st = make_member(tenant), make_store(tenant)
    # 10:00 and 22:00 in New York on 10 March: two UTC dates, one local day.
    clock.freeze(datetime(2026, 3, 10, 14, 0, tzinfo=UTC))
    assert checkin(tenant, m["id"], st["id"]).status_code == 201
    clock.freeze(datetime(2026, 3, 11, 2, 0, tzinfo=UTC))
    assert checkin(tenant, m["id"], st["id"]).status_code == 200
    # 00:30 on 11 March in New York: a new local day.
    clock.freeze(datetime(2026, 3, 11, 4, 30, tzinfo=UTC))
    assert checkin(tenant, m["id"], st["id"]).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "storeId"), ({"storeId": "NO-SUCH"}, "storeId"), ({"storeId": ""}, "storeId")],
)
def test_checkin_validation_names_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    m = make_member(tenant)
    r = tenant.api.post(f"/members/{m['id']}/checkins", json=body)
    assert r.status_code == 400 and r.json()["error"]["field"] == field


def test_list_captures_filters(tenant: Tenant, clock: conftest.TestClock) -> None:
    clock.freeze(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    s1, s2 = make_store(tenant), make_store(tenant)
    a = make_member(tenant, source="qr", storeId=s1["id"])
    clock.advance(days=1)
    b = make_member(tenant, source="web")
    clock.advance(days=1)
    checkin(tenant, a["id"], s2["id"])

    def ids(**params: str) -> list[tuple[str, str]]:
        r = tenant.api.get("/captures", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == len(body["captures"])
        return [(c["memberId"], c["source"]) for c in body["captures"]]

    assert ids() == [(a["id"], "qr"), (b["id"], "web"), (a["id"], "checkin")]
    assert ids(memberId=a["id"]) == [(a["id"], "qr"), (a["id"], "checkin")]
    assert ids(storeId=s1["id"]) == [(a["id"], "qr")]
    assert ids(storeId=s2["code"]) == [(a["id"], "checkin")]
    assert ids(source="web") == [(b["id"], "web")]
    assert ids(**{"from": "2026-05-02"}) == [(b["id"], "web"), (a["id"], "checkin")]
    assert ids(to="2026-05-02") == [(a["id"], "qr"), (b["id"], "web")]
    assert ids(**{"from": "2026-05-02", "to": "2026-05-02"}) == [(b["id"], "web")]
    assert ids(**{"from": "2026-05-02T12:00:00Z", "to": "2026-05-02T12:00:00.000Z"}) == [
        (b["id"], "web")
    ]
    assert ids(to="2026-05-02T11:59:59Z") == [(a["id"], "qr")]
    assert ids(**{"from": "2026-05-02T13:00:00+02:00"}) == [
        (b["id"], "web"),
        (a["id"], "checkin"),
    ]


def test_list_captures_pages(tenant: Tenant) -> None:
    for _ in range(3):
        make_member(tenant)
    body = tenant.api.get("/captures", params={"limit": 2, "offset": 2}).json()
    assert (body["total"], body["limit"], body["offset"], len(body["captures"])) == (3, 2, 2, 1)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-05-03", "to": "2026-05-01"}, "to"),
        ({"from": "9999-12-31T23:59:59-23:00"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"memberId": "bob"}, "memberId"),
        ({"storeId": "NO-SUCH"}, "storeId"),
        ({"storeId": "ST\u0000"}, "storeId"),
        ({"source": "fax"}, "source"),
        ({"limit": 0}, "limit"),
    ],
)
def test_list_captures_validation_names_the_field(
    tenant: Tenant, params: dict[str, str], field: str
) -> None:
    r = tenant.api.get("/captures", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_captures_need_credentials(tenant: Tenant) -> None:
    m, st = make_member(tenant), make_store(tenant)
    c = tenant.client
    assert c.get("/api/v2/captures").status_code == 401
    r = c.post(f"/api/v2/members/{m['id']}/checkins", json={"storeId": st["id"]})
    assert r.status_code == 401
    bad = {"Authorization": "Bearer fl_live_nope"}
    assert c.get("/api/v2/captures", headers=bad).status_code == 401


def test_captures_need_their_scope(tenant: Tenant) -> None:
    m, st = make_member(tenant), make_store(tenant)
    assert tenant.key_without("captures:read").get("/captures").status_code == 403
    r = tenant.key_without("captures:write").post(
        f"/members/{m['id']}/checkins", json={"storeId": st["id"]}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_another_tenants_member_and_store_are_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs, their_store = make_member(other_tenant), make_store(other_tenant)
    mine, my_store = make_member(tenant), make_store(tenant)
    assert checkin(tenant, theirs["id"], my_store["id"]).status_code == 404
    r = checkin(tenant, mine["id"], their_store["id"])
    assert r.status_code == 400 and r.json()["error"]["field"] == "storeId"
    body = tenant.api.get("/captures").json()
    assert [c["memberId"] for c in body["captures"]] == [mine["id"]]
    assert tenant.api.get("/captures", params={"memberId": theirs["id"]}).json()["total"] == 0
