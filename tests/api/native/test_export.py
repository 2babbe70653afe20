"""GET /api/v2/members/{id}/export: everything held about one member, as JSON."""

from __future__ import annotations

import json

from sqlalchemy import select

from punchcard.models import AuditRecord
from tests.factories import Tenant, award, unique
from tests.identity.support import sign_in
from tests.tracking.factories import make_member, member_code, member_uuid

SECTIONS = {
    "member",
    "ledgerEntries",
    "lots",
    "orders",
    "refunds",
    "coupons",
    "referralCodes",
    "referralEvents",
    "captures",
    "tags",
    "groups",
    "posts",
    "comments",
    "postLikes",
    "commentLikes",
    "testimonials",
    "ideas",
    "votes",
    "questTasks",
    "quests",
    "ssoMappings",
    "sessions",
    "magicLinks",
    "trackingEvents",
    "memberMails",
    "exportedAt",
}


def _export(t: Tenant, member: str) -> dict:
    r = t.owner.get(f"/members/{member}/export")
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_export_holds_every_section_and_the_member_records(tenant: Tenant) -> None:
    m = make_member(tenant, firstName="Ada", metadata={"shoe": 38})
    award(tenant, m["id"], 300)
    ext = unique("SO-")
    r = tenant.api.post(
        "/orders", json={"externalOrderId": ext, "memberId": m["id"], "total": "50.00"}
    )
    assert r.status_code == 201, r.text
    assert tenant.api.post(f"/orders/{ext}/refund", json={"amount": "10.00"}).status_code == 200
    r = tenant.api.post(
        "/sso/mappings", json={"memberId": m["id"], "externalCustomerId": unique("c")}
    )
    assert r.status_code == 201, r.text
    session = sign_in(tenant, member_uuid(m))
    other = make_member(tenant)  # somebody else's data never shows
    award(tenant, other["id"], 7)

    doc = _export(tenant, m["id"])
    assert set(doc) == SECTIONS
    uid = str(member_uuid(m))
    assert doc["member"]["id"] == uid
    assert doc["member"]["email"] == m["email"] and doc["member"]["first_name"] == "Ada"
    assert doc["member"]["metadata"] == {"shoe": 38}
    amounts = sorted(e["amount"] for e in doc["ledgerEntries"])
    assert 300 in amounts and all(e["member_id"] == uid for e in doc["ledgerEntries"])
    assert [o["external_order_id"] for o in doc["orders"]] == [ext]
    assert doc["orders"][0]["total"] == "50.00"
    assert [rf["amount"] for rf in doc["refunds"]] == ["10.00"]
    assert doc["lots"] and all(lot["member_id"] == uid for lot in doc["lots"])
    assert [c["code"] for c in doc["referralCodes"]] == [member_code(tenant, m)]
    assert len(doc["ssoMappings"]) == 1
    # Session metadata, never the token or its hash.
    assert [s["id"] for s in doc["sessions"]] == [str(session.row.id)]
    text = json.dumps(doc)
    assert "token_hash" not in text and session.token not in text
    assert str(member_uuid(other)) not in text


def test_export_after_erasure_shows_no_personal_data(tenant: Tenant) -> None:
    m = make_member(tenant, firstName="Grace")
    award(tenant, m["id"], 40)
    assert tenant.owner.post(f"/members/{m['id']}/erase").status_code == 200
    doc = _export(tenant, m["id"])
    assert doc["member"]["email"] is None and doc["member"]["first_name"] is None
    assert doc["member"]["erased_at"] is not None
    assert [e["amount"] for e in doc["ledgerEntries"]] == [40]
    assert m["email"] not in json.dumps(doc)


def test_export_is_admin_only_tenant_scoped_and_audited(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    m = make_member(tenant)
    r = tenant.api.get(f"/members/{m['id']}/export")
    assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
    assert other_tenant.owner.get(f"/members/{m['id']}/export").status_code == 404
    assert tenant.owner.get("/members/mem_x/export").status_code == 404
    _export(tenant, m["id"])
    tenant.client.app.state.audit.flush()  # type: ignore[attr-defined]
    with tenant.db.transaction(write=False) as s:
        paths = s.scalars(
            select(AuditRecord.path).where(
                AuditRecord.tenant_id == tenant.id, AuditRecord.method == "GET"
            )
        ).all()
    assert f"/api/v2/members/{m['id']}/export" in paths
