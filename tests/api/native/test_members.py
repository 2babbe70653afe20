"""Members: /api/v2/members and /api/v2/members/{id}."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from punchcard.app import event_renderers
from punchcard.kit.ids import new_id, parse, render
from punchcard.models import Capture, Member, OutboxEvent, ReferralCode, Tier
from tests import conftest
from tests.factories import Tenant, unique


def make_member(t: Tenant, **kw: Any) -> dict[str, Any]:
    body = {"email": f"{unique('m')}@example.com", **kw}
    r = t.api.post("/members", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def make_tier(t: Tenant, name: str, **kw: Any) -> str:
    """A tier row written directly (tiers have their own engineer and endpoints)."""
    at = t.db.clock.now()
    with t.db.transaction() as s:
        tier = Tier(
            tenant_id=t.id,
            id=new_id(),
            name=name,
            type=kw.pop("type", "lifetime"),
            position=kw.pop("position", 0),
            min_points=kw.pop("min_points", 0),
            multiplier=Decimal(1),
            is_active=kw.pop("is_active", True),
            is_default=kw.pop("is_default", False),
            created_at=at,
            updated_at=at,
        )
        s.add(tier)
        s.flush()
        return render("tier", tier.id) or ""


def events(t: Tenant, type_: str) -> list[OutboxEvent]:
    with t.db.transaction() as s:
        stmt = (
            select(OutboxEvent)
            .where(OutboxEvent.tenant_id == t.id, OutboxEvent.type == type_)
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
        )
        return list(s.scalars(stmt))


def body(event: OutboxEvent) -> dict[str, Any]:
    """The webhook ``data`` the worker sends for ``event`` (the outbox holds neutral
    data; the native face renders it)."""
    return event_renderers()[event.type](event.payload)


# Enrolment -------------------------------------------------------------------------


def test_create_member_returns_the_full_member(tenant: Tenant) -> None:
    r = tenant.api.post(
        "/members",
        json={
            "email": "Ada.Lovelace@Example.COM",
            "phone": "+44 (20) 7946-0958",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "externalId": "CRM-1",
            "source": "pos",
            "metadata": {"favourite": "flat white"},
        },
    )
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["id"].startswith("mem_")
    assert m["email"] == "ada.lovelace@example.com"
    assert m["phone"] == "+442079460958"
    assert (m["firstName"], m["lastName"], m["externalId"]) == ("Ada", "Lovelace", "CRM-1")
    assert m["status"] == "active"
    assert m["tier"] is None
    assert (m["pointsBalance"], m["pendingPoints"], m["lifetimePoints"]) == (0, 0, 0)
    assert m["tags"] == []
    assert m["metadata"] == {"favourite": "flat white"}
    assert m["referralCode"]
    for key in ("enrolledAt", "createdAt", "updatedAt", "lastActivityAt"):
        assert m[key].endswith("Z")


def test_member_can_enrol_with_only_a_phone_or_only_an_external_id(tenant: Tenant) -> None:
    assert tenant.api.post("/members", json={"phone": "555 010 0199"}).status_code == 201
    assert tenant.api.post("/members", json={"externalId": "ERP-9"}).status_code == 201


def test_member_needs_an_identity(tenant: Tenant) -> None:
    r = tenant.api.post("/members", json={"firstName": "Nobody"})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "email"
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"phone": "+1234567890123456"}, "phone"),
        ({"email": "a@example.com", "source": "carrier-pigeon"}, "source"),
        ({"email": "a@example.com", "storeId": "ST-NOWHERE"}, "storeId"),
        ({"email": "a@example.com", "pointsBalance": 100}, "pointsBalance"),
        ({"email": "a@example.com", "firstName": "x" * 101}, "firstName"),
        ({"email": "a@example.com", "metadata": "not an object"}, "metadata"),
        ({"externalId": ""}, "externalId"),
        ({"email": "a\u0000@example.com"}, "email"),
    ],
)
def test_create_member_validation_names_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    r = tenant.api.post("/members", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_create_member_at_a_store_by_code_or_id(tenant: Tenant) -> None:
    store = tenant.api.post("/stores", json={"code": "ST-1", "name": "One"}).json()
    a = make_member(tenant, storeId="ST-1", source="qr")
    b = make_member(tenant, storeId=store["id"])
    caps = tenant.api.get("/captures", params={"storeId": store["id"]}).json()["captures"]
    assert {c["memberId"] for c in caps} == {a["id"], b["id"]}


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        ({"email": "dup@example.com"}, {"email": "DUP@example.com"}, "email"),
        ({"phone": "+1 555 010 0100"}, {"phone": "+15550100100"}, "phone"),
        ({"externalId": "CRM-7"}, {"externalId": "CRM-7"}, "externalId"),
    ],
)
def test_duplicate_identity_is_409_with_the_existing_id(
    tenant: Tenant, first: dict[str, str], second: dict[str, str], field: str
) -> None:
    existing = tenant.api.post("/members", json=first).json()
    r = tenant.api.post("/members", json={**second, "firstName": "Again"})
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "DUPLICATE_MEMBER"
    assert err["field"] == field
    assert err["existingId"] == existing["id"]
    assert tenant.api.get("/members").json()["total"] == 1


def test_same_identity_in_another_tenant_is_not_a_duplicate(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    make_member(other_tenant, email="shared@example.com")
    assert tenant.api.post("/members", json={"email": "shared@example.com"}).status_code == 201


def test_enrolment_records_a_capture(tenant: Tenant) -> None:
    m = make_member(tenant, source="portal")
    caps = tenant.api.get("/captures", params={"memberId": m["id"]}).json()["captures"]
    assert len(caps) == 1
    assert caps[0]["source"] == "portal" and caps[0]["isNewMember"] is True
    assert caps[0]["storeId"] is None


def test_source_defaults_to_api(tenant: Tenant) -> None:
    m = make_member(tenant)
    with tenant.db.transaction() as s:
        cap = s.scalars(select(Capture).where(Capture.member_id == parse("mem", m["id"]))).one()
        assert cap.source == "api"


def test_every_member_gets_a_unique_referral_code(tenant: Tenant) -> None:
    members = [make_member(tenant) for _ in range(5)]
    codes = [m["referralCode"] for m in members]
    assert len(set(codes)) == 5
    with tenant.db.transaction() as s:
        rows = s.scalars(select(ReferralCode).where(ReferralCode.tenant_id == tenant.id)).all()
        assert {(r.code, render("mem", r.member_id), r.kind) for r in rows} == {
            (m["referralCode"], m["id"], "member") for m in members
        }


def test_enrolment_emits_member_created_with_the_member(tenant: Tenant) -> None:
    m = make_member(tenant)
    [event] = events(tenant, "member.created")
    assert event.resource_id == m["id"]
    assert body(event) == m


def test_failed_enrolment_writes_nothing(tenant: Tenant) -> None:
    make_member(tenant, email="taken@example.com")
    tenant.api.post("/members", json={"email": "taken@example.com"})
    assert len(events(tenant, "member.created")) == 1
    assert tenant.api.get("/captures").json()["total"] == 1


def test_default_tier_is_assigned_on_enrolment(tenant: Tenant) -> None:
    make_tier(tenant, "Bronze", position=1, min_points=0)
    silver = make_tier(tenant, "Silver", position=2, min_points=0, is_default=True)
    m = make_member(tenant)
    assert m["tier"] == {"id": silver, "name": "Silver"}


def test_without_a_default_the_lowest_zero_point_tier_is_assigned(tenant: Tenant) -> None:
    make_tier(tenant, "Gold", position=3, min_points=1000)
    make_tier(tenant, "Silver", position=2, min_points=0)
    bronze = make_tier(tenant, "Bronze", position=1, min_points=0)
    make_tier(tenant, "Retired", position=0, min_points=0, is_active=False)
    assert make_member(tenant)["tier"] == {"id": bronze, "name": "Bronze"}


def test_no_eligible_tier_means_no_tier(tenant: Tenant) -> None:
    make_tier(tenant, "Gold", position=1, min_points=1000)
    assert make_member(tenant)["tier"] is None


# Reading ---------------------------------------------------------------------------


def test_get_member(tenant: Tenant) -> None:
    m = make_member(tenant, firstName="Grace")
    r = tenant.api.get(f"/members/{m['id']}")
    assert r.status_code == 200
    assert r.json() == m


@pytest.mark.parametrize(
    "metadata",
    [
        {"note": 'Zoë 😀 \u2028 "q" \\', "big": 2**70, "nested": [1, None, True, {"k": "v"}]},
        {"tiny": 1e-05, "half": -0.5, "whole": 3.0, "deep": [{"x": 2.5e300}]},
    ],
    ids=["no-float", "floats"],
)
def test_get_member_is_byte_for_byte_the_profile_a_write_renders(
    tenant: Tenant, metadata: dict[str, Any]
) -> None:
    # GET /members/{id} reads the member in one statement, without ORM objects or the
    # profile loader; PATCH renders the same member through the profile loader. Tags
    # (in the database's key order), the tier and the metadata must come out the same.
    gold = make_tier(tenant, "Gold ☕", is_default=True)
    m = make_member(tenant, firstName="Zoë", externalId="X-1")
    r = tenant.api.post(f"/members/{m['id']}/tags", json={"tags": ["zz", "b_y", "b-x", "a1", "b"]})
    assert r.status_code in (200, 201), r.text
    patched = tenant.api.patch(f"/members/{m['id']}", json={"metadata": metadata})
    assert patched.status_code == 200, patched.text
    got = tenant.api.get(f"/members/{m['id']}")
    assert got.status_code == 200
    assert got.content == patched.content
    assert got.headers["content-length"] == str(len(got.content))
    data = got.json()
    assert data["tier"] == {"id": gold, "name": "Gold ☕"}
    assert sorted(data["tags"]) == ["a1", "b", "b-x", "b_y", "zz"]
    assert data["metadata"] == metadata


def test_get_member_without_tags_tier_or_metadata(tenant: Tenant) -> None:
    m = make_member(tenant)
    got = tenant.api.get(f"/members/{m['id']}").json()
    assert (got["tags"], got["tier"], got["metadata"]) == ([], None, {})
    assert got == m


def test_unknown_or_malformed_member_id_is_404(tenant: Tenant) -> None:
    assert tenant.api.get(f"/members/{render('mem', new_id())}").status_code == 404
    r = tenant.api.get("/members/not-an-id")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_list_members_pages_with_total(tenant: Tenant) -> None:
    made = [make_member(tenant) for _ in range(3)]
    r = tenant.api.get("/members", params={"limit": 2, "offset": 1})
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 1)
    assert [m["id"] for m in body["members"]] == [made[1]["id"], made[2]["id"]]


def _ids(t: Tenant, **params: Any) -> list[str]:
    r = t.api.get("/members", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["members"])
    return [m["id"] for m in body["members"]]


def test_filter_by_email_is_case_insensitive_and_exact(tenant: Tenant) -> None:
    target = make_member(tenant, email="pos.lookup@example.com")
    make_member(tenant, email="pos.lookup2@example.com")
    assert _ids(tenant, email="POS.Lookup@Example.com") == [target["id"]]
    assert _ids(tenant, email="pos.lookup") == []


def test_an_email_lookup_pages_like_any_list(tenant: Tenant) -> None:
    target = make_member(tenant, email="paged.lookup@example.com")
    body = tenant.api.get("/members", params={"email": "paged.lookup@example.com"}).json()
    assert [m["id"] for m in body["members"]] == [target["id"]] and body["total"] == 1
    body = tenant.api.get(
        "/members", params={"email": "paged.lookup@example.com", "offset": 1}
    ).json()
    assert body["members"] == [] and body["total"] == 1
    # With another filter the lookup is an ordinary search, and agrees.
    body = tenant.api.get(
        "/members", params={"email": "paged.lookup@example.com", "status": "active"}
    ).json()
    assert [m["id"] for m in body["members"]] == [target["id"]] and body["total"] == 1


def test_filter_by_phone_normalises_the_input(tenant: Tenant) -> None:
    target = make_member(tenant, phone="+1 (555) 010-0123")
    make_member(tenant, phone="+15550100124")
    assert _ids(tenant, phone="+1 555.010.0123") == [target["id"]]


def test_filter_by_invalid_phone_is_400(tenant: Tenant) -> None:
    r = tenant.api.get("/members", params={"phone": "not a phone"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "phone"


def test_filter_by_external_id(tenant: Tenant) -> None:
    target = make_member(tenant, externalId="ERP-42")
    make_member(tenant, externalId="ERP-420")
    assert _ids(tenant, externalId="ERP-42") == [target["id"]]


def test_filter_by_status(tenant: Tenant) -> None:
    active = make_member(tenant)
    banned = make_member(tenant)
    tenant.api.patch(f"/members/{banned['id']}", json={"status": "banned"})
    assert _ids(tenant, status="banned") == [banned["id"]]
    assert _ids(tenant, status="active") == [active["id"]]
    r = tenant.api.get("/members", params={"status": "deleted"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "status"


def test_filter_by_tier_id_or_name(tenant: Tenant) -> None:
    gold = make_tier(tenant, "Gold", is_default=True)
    golden = make_member(tenant)
    make_tier(tenant, "Silver", is_default=True, position=-1)
    make_member(tenant)  # enrolled in Silver now that it sorts first
    assert _ids(tenant, tier=gold) == [golden["id"]]
    assert _ids(tenant, tier="gold") == [golden["id"]]
    assert _ids(tenant, tier="Platinum") == []


def test_filter_by_tag(tenant: Tenant) -> None:
    vip = make_member(tenant)
    make_member(tenant)
    tenant.api.post(f"/members/{vip['id']}/tags", json={"tags": ["vip"]})
    assert _ids(tenant, tag="vip") == [vip["id"]]
    assert _ids(tenant, tag="VIP") == [vip["id"]]
    assert _ids(tenant, tag="nope") == []


@pytest.mark.parametrize(
    "q", ["lovelace", "ADA LOVE", "ada.l@", "CRM-77", "0958", "20 7946", "+4420"]
)
def test_q_searches_email_name_phone_and_external_id(tenant: Tenant, q: str) -> None:
    target = make_member(
        tenant,
        email="ada.l@example.com",
        firstName="Ada",
        lastName="Lovelace",
        phone="+44 20 7946 0958",
        externalId="CRM-77",
    )
    make_member(tenant, email="grace@example.com", firstName="Grace", phone="+15550100001")
    assert _ids(tenant, q=q) == [target["id"]]


def test_q_treats_wildcards_literally(tenant: Tenant) -> None:
    make_member(tenant, email="plain@example.com")
    assert _ids(tenant, q="%") == []
    assert _ids(tenant, q="_") == []


def test_filters_combine(tenant: Tenant) -> None:
    a = make_member(tenant, email="combo@example.com", externalId="C-1")
    assert _ids(tenant, email="combo@example.com", externalId="C-1") == [a["id"]]
    assert _ids(tenant, email="combo@example.com", externalId="C-2") == []


def test_list_members_renders_tags_and_tiers(tenant: Tenant) -> None:
    bronze = make_tier(tenant, "Bronze", is_default=True)
    a, b = make_member(tenant), make_member(tenant)
    tenant.api.post(f"/members/{a['id']}/tags", json={"tags": ["vip", "early"]})
    rows = {m["id"]: m for m in tenant.api.get("/members").json()["members"]}
    assert rows[a["id"]]["tags"] == ["early", "vip"]
    assert rows[b["id"]]["tags"] == []
    assert rows[b["id"]]["tier"] == {"id": bronze, "name": "Bronze"}


def test_list_validation_names_the_field(tenant: Tenant) -> None:
    for params, field in (({"limit": 0}, "limit"), ({"offset": -1}, "offset")):
        r = tenant.api.get("/members", params=params)
        assert r.status_code == 400 and r.json()["error"]["field"] == field
    r = tenant.api.get("/members", params={"q": "a\u0000b"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "q"


# Updating --------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(tenant: Tenant) -> None:
    m = make_member(tenant, firstName="Ada", lastName="Byron", phone="+15550100777")
    r = tenant.api.patch(f"/members/{m['id']}", json={"lastName": "Lovelace"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["firstName"], body["lastName"]) == ("Ada", "Lovelace")
    assert body["phone"] == "+15550100777"
    assert body["updatedAt"] >= m["updatedAt"]


def test_patch_null_clears_a_field(tenant: Tenant) -> None:
    m = make_member(tenant, phone="+15550100778", firstName="Ada", metadata={"a": 1})
    r = tenant.api.patch(
        f"/members/{m['id']}", json={"phone": None, "firstName": None, "metadata": None}
    )
    assert r.status_code == 200
    assert r.json()["phone"] is None and r.json()["firstName"] is None
    assert r.json()["metadata"] == {}
    assert r.json()["email"] == m["email"]


def test_patch_normalises_identities(tenant: Tenant) -> None:
    m = make_member(tenant)
    r = tenant.api.patch(
        f"/members/{m['id']}", json={"email": "New@Example.com", "phone": "(555) 010-0200"}
    )
    assert r.status_code == 200
    assert (r.json()["email"], r.json()["phone"]) == ("new@example.com", "+15550100200")


def test_patch_may_not_clear_every_identity(tenant: Tenant) -> None:
    m = make_member(tenant, externalId="E-1")
    r = tenant.api.patch(f"/members/{m['id']}", json={"email": None, "externalId": None})
    assert r.status_code == 400
    assert r.json()["error"]["field"] in ("email", "externalId")
    # One at a time is fine while another identity remains.
    assert tenant.api.patch(f"/members/{m['id']}", json={"email": None}).status_code == 200
    r = tenant.api.patch(f"/members/{m['id']}", json={"externalId": None})
    assert r.status_code == 400 and r.json()["error"]["field"] == "externalId"


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "other@example.com"), ("phone", "+15550100999"), ("externalId", "X-9")],
)
def test_patch_to_a_taken_identity_is_409(tenant: Tenant, field: str, value: str) -> None:
    other = make_member(tenant, **{field: value})
    m = make_member(tenant)
    r = tenant.api.patch(f"/members/{m['id']}", json={field: value})
    assert r.status_code == 409
    err = r.json()["error"]
    assert (err["code"], err["field"], err["existingId"]) == (
        "DUPLICATE_MEMBER",
        field,
        other["id"],
    )


def test_patch_to_own_identity_is_not_a_duplicate(tenant: Tenant) -> None:
    m = make_member(tenant, email="me@example.com")
    r = tenant.api.patch(f"/members/{m['id']}", json={"email": "ME@example.com"})
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "deleted"}, "status"),
        ({"status": None}, "status"),
        ({"email": "nope"}, "email"),
        ({"phone": "nope"}, "phone"),
        ({"pointsBalance": 1000}, "pointsBalance"),
        ({"lifetimePoints": 1}, "lifetimePoints"),
        ({"tier": "gold"}, "tier"),
    ],
)
def test_patch_validation_names_the_field(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    m = make_member(tenant)
    r = tenant.api.patch(f"/members/{m['id']}", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_patch_emits_member_updated_only_on_change(tenant: Tenant) -> None:
    m = make_member(tenant, firstName="Ada")
    tenant.api.patch(f"/members/{m['id']}", json={"firstName": "Ada"})
    assert events(tenant, "member.updated") == []
    updated = tenant.api.patch(f"/members/{m['id']}", json={"status": "inactive"}).json()
    [event] = events(tenant, "member.updated")
    assert event.resource_id == m["id"]
    assert body(event) == updated


def test_points_are_not_writable_through_patch(tenant: Tenant) -> None:
    m = make_member(tenant)
    tenant.api.patch(f"/members/{m['id']}", json={"pointsBalance": 1_000_000})
    assert tenant.api.get(f"/members/{m['id']}").json()["pointsBalance"] == 0


# Auth and isolation ----------------------------------------------------------------


def test_members_need_credentials(tenant: Tenant) -> None:
    m = make_member(tenant)
    c = tenant.client
    bad = {"Authorization": "Bearer fl_live_nope"}
    for method, path, body in (
        ("get", "/api/v2/members", None),
        ("post", "/api/v2/members", {"email": "x@example.com"}),
        ("get", f"/api/v2/members/{m['id']}", None),
        ("patch", f"/api/v2/members/{m['id']}", {"firstName": "x"}),
    ):
        kw = {"json": body} if body is not None else {}
        assert getattr(c, method)(path, **kw).status_code == 401
        r = getattr(c, method)(path, headers=bad, **kw)
        assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"


def test_members_need_their_scope(tenant: Tenant) -> None:
    m = make_member(tenant)
    no_read = tenant.key_without("members:read")
    assert no_read.get("/members").status_code == 403
    assert no_read.get(f"/members/{m['id']}").status_code == 403
    no_write = tenant.key_without("members:write")
    r = no_write.post("/members", json={"email": "x@example.com"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert no_write.patch(f"/members/{m['id']}", json={"firstName": "x"}).status_code == 403
    assert no_write.get(f"/members/{m['id']}").status_code == 200


def test_another_tenants_member_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_member(other_tenant, email="theirs@example.com", externalId="T-1")
    assert tenant.api.get(f"/members/{theirs['id']}").status_code == 404
    r = tenant.api.patch(f"/members/{theirs['id']}", json={"firstName": "hijack"})
    assert r.status_code == 404
    assert other_tenant.api.get(f"/members/{theirs['id']}").json()["firstName"] is None


def test_another_tenants_members_never_appear_in_lists(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    make_member(other_tenant, email="theirs@example.com", externalId="T-1", phone="+15550100555")
    assert tenant.api.get("/members").json()["total"] == 0
    assert _ids(tenant, email="theirs@example.com") == []
    assert _ids(tenant, externalId="T-1") == []
    assert _ids(tenant, phone="+15550100555") == []
    assert _ids(tenant, q="theirs") == []


def test_frozen_clock_sets_enrolment_time(tenant: Tenant, clock: conftest.TestClock) -> None:
    clock.freeze(datetime(2026, 2, 3, 4, 5, 6, 789000, tzinfo=UTC))
    m = make_member(tenant)
    assert m["enrolledAt"] == m["createdAt"] == "2026-02-03T04:05:06.789Z"
    with tenant.db.transaction() as s:
        row = s.get(Member, (tenant.id, parse("mem", m["id"])))
        assert row is not None and row.source == "api"
