"""Testimonials (native extension): /api/v2/testimonials."""

from __future__ import annotations

from sqlalchemy import select

from punchcard.app import event_renderers
from punchcard.models import OutboxEvent
from tests.factories import Tenant
from tests.tracking.factories import make_member


def create(t: Tenant, member: str, rating: int = 5, content: str = "Great coffee") -> dict:
    r = t.api.post("/testimonials", json={"memberId": member, "content": content, "rating": rating})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_testimonial_is_created_pending_and_its_webhook_body_is_the_api_rendering(
    tenant: Tenant,
) -> None:
    member = make_member(tenant)["id"]
    body = create(tenant, member, rating=4)
    assert body["id"].startswith("tst_")
    assert body["memberId"] == member and body["rating"] == 4
    assert body["content"] == "Great coffee" and body["status"] == "pending"
    assert body["moderatedBy"] is None and body["moderatedAt"] is None
    assert body["createdAt"].endswith("Z")
    assert tenant.api.get(f"/testimonials/{body['id']}").json() == body

    with tenant.db.transaction(write=False) as s:
        events = s.scalars(
            select(OutboxEvent).where(
                OutboxEvent.tenant_id == tenant.id, OutboxEvent.type == "testimonial.created"
            )
        ).all()
    assert len(events) == 1 and events[0].resource_id == body["id"]
    assert event_renderers()["testimonial.created"](events[0].payload) == body


def test_bad_input_is_400_naming_the_field(tenant: Tenant) -> None:
    member = make_member(tenant)["id"]
    cases = [
        ({"memberId": member, "content": "x", "rating": 6}, "rating"),
        ({"memberId": member, "content": "x", "rating": 0}, "rating"),
        ({"memberId": member, "content": "x", "rating": "5"}, "rating"),
        ({"memberId": member, "content": "", "rating": 5}, "content"),
        ({"memberId": member, "rating": 5}, "content"),
        ({"content": "x", "rating": 5}, "memberId"),
    ]
    for payload, field in cases:
        r = tenant.api.post("/testimonials", json=payload)
        assert r.status_code == 400, (payload, r.text)
        assert r.json()["error"]["field"] == field, (payload, r.text)


def test_an_unknown_member_is_404_naming_member_id(tenant: Tenant, other_tenant: Tenant) -> None:
    foreign = make_member(other_tenant)["id"]
    r = tenant.api.post("/testimonials", json={"memberId": foreign, "content": "x", "rating": 5})
    assert r.status_code == 404 and r.json()["error"]["field"] == "memberId"


def test_moderation_records_the_key_and_refuses_going_back_to_pending(tenant: Tenant) -> None:
    member = make_member(tenant)["id"]
    tid = create(tenant, member)["id"]
    moderator = tenant.key("community:write")
    r = moderator.patch(f"/testimonials/{tid}", json={"status": "approved"})
    assert r.status_code == 200, r.text
    approved = r.json()
    assert approved["status"] == "approved"
    assert approved["moderatedBy"].startswith("key_") and approved["moderatedAt"].endswith("Z")
    # A user's decision later is recorded as the user's.
    r = tenant.owner.patch(f"/testimonials/{tid}", json={"status": "rejected"})
    assert r.status_code == 200 and r.json()["moderatedBy"].startswith("usr_")
    r = tenant.api.patch(f"/testimonials/{tid}", json={"status": "pending"})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "INVALID_STATUS_TRANSITION"
    assert r.json()["error"]["field"] == "status"
    r = tenant.api.patch(f"/testimonials/{tid}", json={"status": "maybe"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "status"


def test_lists_filter_and_page(tenant: Tenant) -> None:
    a, b = make_member(tenant)["id"], make_member(tenant)["id"]
    t1 = create(tenant, a, rating=5)["id"]
    tenant.db.clock.advance(seconds=1)
    t2 = create(tenant, b, rating=2)["id"]
    tenant.api.patch(f"/testimonials/{t2}", json={"status": "rejected"})

    def ids(**params: object) -> tuple[list[str], int]:
        r = tenant.api.get("/testimonials", params=params)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["testimonials"]], r.json()["total"]

    assert ids() == ([t2, t1], 2)
    assert ids(status="rejected") == ([t2], 1)
    assert ids(rating=5) == ([t1], 1)
    assert ids(memberId=a) == ([t1], 1)
    assert ids(limit=1, offset=1) == ([t1], 2)
    for params, field in (
        ({"rating": 6}, "rating"),
        ({"status": "nope"}, "status"),
        ({"memberId": "nope"}, "memberId"),
        ({"limit": 0}, "limit"),
    ):
        r = tenant.api.get("/testimonials", params=params)
        assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text


def test_another_tenants_testimonial_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    tid = create(other_tenant, make_member(other_tenant)["id"])["id"]
    assert tenant.api.get(f"/testimonials/{tid}").status_code == 404
    r = tenant.api.patch(f"/testimonials/{tid}", json={"status": "approved"})
    assert r.status_code == 404
    assert tenant.api.get("/testimonials").json()["total"] == 0


def test_the_community_scope_is_required(tenant: Tenant) -> None:
    member = make_member(tenant)["id"]
    tid = create(tenant, member)["id"]
    reader = tenant.key("community:read")
    assert reader.get("/testimonials").status_code == 200
    r = reader.patch(f"/testimonials/{tid}", json={"status": "approved"})
    assert r.status_code == 403
    r = reader.post("/testimonials", json={"memberId": member, "content": "x", "rating": 5})
    assert r.status_code == 403
    assert tenant.key_without("community:read").get(f"/testimonials/{tid}").status_code == 403
    assert tenant.client.get("/api/v2/testimonials").status_code == 401
