"""Ambassador: /api/v2/ambassador/candidates, /metrics, /members/{id}/issue-code."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import update

from punchcard.models import Member
from punchcard.models import Tenant as TenantRow
from punchcard.tenants.snapshot import bump
from tests.conftest import TestClock
from tests.factories import Tenant
from tests.tracking.factories import (
    add_referral_events,
    add_tracking,
    make_code,
    make_member,
    make_order,
    member_code,
    member_uuid,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def ban(t: Tenant, member: dict) -> None:
    with t.db.transaction() as s:
        s.execute(
            update(Member)
            .where(Member.tenant_id == t.id, Member.id == member_uuid(member))
            .values(status="banned")
        )


def set_points_rate(t: Tenant, rate: str) -> None:
    with t.db.transaction() as s:
        bump(s, t.id)  # a Core write to a snapshotted table bumps its version first
        s.execute(
            update(TenantRow)
            .where(TenantRow.id == t.id)
            .values(points_per_currency_unit=Decimal(rate))
        )


# Candidates ------------------------------------------------------------------------


def test_candidates_are_ranked_by_the_documented_score(
    tenant: Tenant, other_tenant: Tenant, clock: TestClock
) -> None:
    clock.freeze(NOW)
    a, b, c, d = (make_member(tenant, firstName=n, lastName="Doe") for n in "ABCD")
    for _ in range(5):
        make_order(tenant, a, "200.00")
    make_order(tenant, b, "100.00")
    make_order(tenant, d, "300.00")
    make_order(tenant, d, "250.00", status="partially_refunded", refunded="50.00")
    add_referral_events(tenant, member_code(tenant, b), conversions=3, revenue="10")
    add_referral_events(tenant, member_code(tenant, c), conversions=1, revenue="10")
    add_tracking(tenant, 10, member=b)
    add_tracking(tenant, 50, member=c)
    # Not ranked: a refunded order only, an order outside the window, a banned member.
    make_order(tenant, make_member(tenant), "999.00", status="refunded", refunded="999.00")
    make_order(tenant, make_member(tenant), "999.00", at=LONG_AGO)
    banned = make_member(tenant)
    make_order(tenant, banned, "5000.00")
    ban(tenant, banned)
    make_order(other_tenant, make_member(other_tenant), "10000.00")

    r = tenant.api.get("/ambassador/candidates")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["from"] == "2025-12-11" and body["to"] == "2026-03-10"
    assert body["total"] == 4 and body["currency"] == "USD"
    assert "0.4·pct(spend)" in body["scoring"]
    ranked = [
        (
            x["member"]["firstName"],
            x["score"],
            x["spend"],
            x["orders"],
            x["referrals"],
            x["engagement"],
        )
        for x in body["candidates"]
    ]
    # N = 4 ranked members; pct = share at or below the value, 0 for none:
    # B = 40·.5 + 20·.5 + 30·1 + 10·.75; A = 40·1 + 20·1; D = 40·.75 + 20·.75; C = 30·.75 + 10·1
    assert ranked == [
        ("B", 67.5, "100.00", 1, 3, 10),
        ("A", 60.0, "1000.00", 5, 0, 0),
        ("D", 45.0, "500.00", 2, 0, 0),
        ("C", 32.5, "0.00", 0, 1, 50),
    ]
    top = body["candidates"][0]
    assert top["rank"] == 1 and top["isAmbassador"] is False
    assert top["member"] == {
        "id": b["id"],
        "email": b["email"],
        "firstName": "B",
        "lastName": "Doe",
    }

    page = tenant.api.get("/ambassador/candidates", params={"limit": 2, "offset": 1}).json()
    assert [(x["rank"], x["member"]["firstName"]) for x in page["candidates"]] == [
        (2, "A"),
        (3, "D"),
    ]
    assert page["total"] == 4


def test_candidates_honour_the_window(tenant: Tenant, clock: TestClock) -> None:
    clock.freeze(NOW)
    old, new = make_member(tenant), make_member(tenant)
    make_order(tenant, old, "80.00", at=LONG_AGO)
    make_order(tenant, new, "20.00")
    r = tenant.api.get("/ambassador/candidates", params={"from": "2024-12-31", "to": "2025-01-01"})
    body = r.json()
    assert [x["member"]["id"] for x in body["candidates"]] == [old["id"]]
    assert body["candidates"][0]["score"] == 60.0


def test_candidates_validation_names_the_field(tenant: Tenant) -> None:
    r = tenant.api.get("/ambassador/candidates", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "from"
    r = tenant.api.get("/ambassador/candidates", params={"to": "soon"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "to"
    r = tenant.api.get("/ambassador/candidates", params={"limit": 0})
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"


# Metrics ---------------------------------------------------------------------------


def test_metrics_sum_the_affiliate_program(tenant: Tenant, clock: TestClock) -> None:
    clock.freeze(NOW)
    set_points_rate(tenant, "10")
    ann, bob, carl = make_member(tenant), make_member(tenant), make_member(tenant)
    x = make_code(tenant, ann)
    y = make_code(tenant, bob, at=LONG_AGO)
    add_referral_events(tenant, x, clicks=4, conversions=2, revenue="100", points=500)
    add_referral_events(tenant, x, conversions=1, revenue="999", points=999, at=LONG_AGO)
    add_referral_events(tenant, y, clicks=1, conversions=1, revenue="50")
    # A member's own code is not the ambassador program.
    add_referral_events(
        tenant, member_code(tenant, carl), clicks=5, conversions=1, revenue="1000", points=1000
    )
    # An affiliate code issued after the window does not make an ambassador of it.
    make_code(tenant, carl, at=datetime(2026, 3, 11, tzinfo=UTC))

    r = tenant.api.get("/ambassador/metrics", params={"to": "2026-03-10"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "from": "2025-12-11",
        "to": "2026-03-10",
        "ambassadors": 2,
        "codesIssued": 1,
        "clicks": 5,
        "conversions": 3,
        "revenue": "250.00",
        "currency": "USD",
        "pointsCost": 1000,
        # 1000 points at 10 points per USD cost 100.00; 250.00 / 100.00 = 2.5
        "pointsCostValue": "100.00",
        "roi": 2.5,
    }


def test_roi_is_null_when_no_points_were_spent(tenant: Tenant) -> None:
    code = make_code(tenant, make_member(tenant))
    add_referral_events(tenant, code, clicks=2, conversions=1, revenue="75")
    body = tenant.api.get("/ambassador/metrics").json()
    assert body["revenue"] == "75.00" and body["pointsCost"] == 0
    assert body["pointsCostValue"] == "0.00" and body["roi"] is None


def test_metrics_validation_names_the_field(tenant: Tenant) -> None:
    r = tenant.api.get("/ambassador/metrics", params={"from": "2026-13-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "from"


# Issue code ------------------------------------------------------------------------


def issue(t: Tenant, member: dict, body: dict | None = None):  # type: ignore[no-untyped-def]
    return t.api.post(f"/ambassador/members/{member['id']}/issue-code", json=body)


def test_issue_a_generated_code(tenant: Tenant) -> None:
    member = make_member(tenant)
    r = issue(tenant, member, {})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["memberId"] == member["id"]
    assert re.fullmatch(r"[A-Z2-9]{8}", body["code"])
    assert body["referralUrl"] == f"http://127.0.0.1:8000/r/{body['code']}"
    # Without a body too.
    r = tenant.api.post(f"/ambassador/members/{member['id']}/issue-code")
    assert r.status_code == 201 and r.json()["code"] != body["code"]


def test_an_issued_code_makes_an_ambassador(tenant: Tenant) -> None:
    member = make_member(tenant)
    make_order(tenant, member, "10.00")
    code = issue(tenant, member, {"code": "SUMMER_24"}).json()["code"]
    assert code == "SUMMER_24"
    assert tenant.api.get("/ambassador/metrics").json()["ambassadors"] == 1
    assert tenant.api.get("/ambassador/candidates").json()["candidates"][0]["isAmbassador"] is True
    stats = tenant.api.get("/referrals/stats", params={"kind": "affiliate"}).json()
    assert stats["codes"][0]["code"] == "SUMMER_24"
    assert tenant.api.post("/referrals/clicks", json={"code": "SUMMER_24"}).status_code == 202


def test_issue_code_validation_and_conflicts(tenant: Tenant) -> None:
    member, other = make_member(tenant), make_member(tenant)
    assert issue(tenant, member, {"code": "Spring-2026"}).status_code == 201
    for taken in ("Spring-2026", "SPRING-2026", member_code(tenant, other)):
        r = issue(tenant, other, {"code": taken})
        assert r.status_code == 409, taken
        assert r.json()["error"]["field"] == "code"
    for bad in ("ab", "no spaces", "x" * 33, "emoji🙂"):
        r = issue(tenant, other, {"code": bad})
        assert r.status_code == 400, bad
        assert r.json()["error"]["field"] == "code"
    r = issue(tenant, other, {"code": "OK_CODE", "extra": 1})
    assert r.status_code == 400 and r.json()["error"]["field"] == "extra"


def test_a_banned_member_cannot_be_issued_a_code(tenant: Tenant) -> None:
    member = make_member(tenant)
    ban(tenant, member)
    assert issue(tenant, member, {}).status_code == 422


def test_issue_code_for_unknown_or_foreign_member_is_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    r = tenant.api.post("/ambassador/members/mem_" + "0" * 32 + "/issue-code", json={})
    assert r.status_code == 404 and r.json()["error"]["field"] == "id"
    theirs = make_member(other_tenant)
    assert issue(tenant, theirs, {}).status_code == 404


# Auth and isolation ----------------------------------------------------------------


def test_ambassador_needs_credentials(tenant: Tenant) -> None:
    for path in ("/ambassador/candidates", "/ambassador/metrics"):
        assert tenant.client.get("/api/v2" + path).status_code == 401
    r = tenant.client.post("/api/v2/ambassador/members/mem_x/issue-code", json={})
    assert r.status_code == 401


def test_ambassador_needs_its_scope(tenant: Tenant) -> None:
    member = make_member(tenant)
    no_read = tenant.key_without("ambassador:read")
    for path in ("/ambassador/candidates", "/ambassador/metrics"):
        assert no_read.get(path).status_code == 403
    r = tenant.key("ambassador:read").post(
        f"/ambassador/members/{member['id']}/issue-code", json={}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_another_tenants_program_is_invisible(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_member(other_tenant)
    make_order(other_tenant, theirs, "500.00")
    code = make_code(other_tenant, theirs)
    add_referral_events(other_tenant, code, clicks=3, conversions=2, revenue="10", points=5)
    assert tenant.api.get("/ambassador/candidates").json()["total"] == 0
    metrics = tenant.api.get("/ambassador/metrics").json()
    assert (metrics["ambassadors"], metrics["clicks"], metrics["conversions"]) == (0, 0, 0)
    # Codes are per tenant: the other tenant's code is free here.
    assert issue(tenant, make_member(tenant), {"code": code}).status_code == 201
