"""``POST /auth/magic-link``: every field's rule, custom auth only, the member it
enrols, attaches or updates, and the link it answers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.api.addglow.conftest import ag, events, native_member, refused, uuid_of, without
from tests.factories import Api, Tenant, unique

PATH = "/auth/magic-link"


def enable_custom_auth(t: Tenant, on: bool = True) -> None:
    r = t.api.patch("/settings", json={"customAuthEnabled": on})
    assert r.status_code == 200, r.text


@pytest.fixture
def api(tenant: Tenant) -> Api:
    enable_custom_auth(tenant)
    return ag(tenant)


def body(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"customAuthSub": unique("auth0|"), "email": f"{unique('ml')}@ex.com"}
    out.update(kw)
    return {k: v for k, v in out.items() if v is not None}


def member(api: Api, member_id: str) -> dict[str, Any]:
    r = api.get(f"/members/{member_id}")
    assert r.status_code == 200, r.text
    return dict(r.json()["data"])


def member_by_sub(t: Tenant, sub: str) -> dict[str, Any]:
    from sqlalchemy import select

    from punchcard.models import Member

    with t.db.transaction(write=False) as s:
        m = s.scalars(select(Member).where(Member.tenant_id == t.id, Member.custom_auth_sub == sub))
        row = m.one()
        return {"id": str(row.id), "email": row.email, "phone": row.phone}


def test_a_new_sub_enrols_the_member_and_answers_url_and_expiry(
    tenant: Tenant, api: Api, clock: Any
) -> None:
    at = clock.freeze()
    b = body(
        firstName="Ada", lastName="Lovelace", isEmailVerified=True, phoneNumber="+1 212 555 0199",
        profilePictureUrl="https://cdn.example.com/ada.png", returnTo="/rooms/1", state="xyz",
    )  # fmt: skip
    r = api.post(PATH, json=b)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert set(data) == {"url", "expiresAt"}
    assert data["url"].startswith(f"http://127.0.0.1:8000/portal/{tenant.partner_id}/magic/")
    expires = datetime.fromisoformat(data["expiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (at + timedelta(minutes=15))) < timedelta(seconds=1)
    m = member(api, member_by_sub(tenant, b["customAuthSub"])["id"])
    assert m["customAuthSub"] == b["customAuthSub"] and m["email"] == b["email"]
    assert m["phoneNumber"] == "+12125550199" and m["isEmailVerified"] is True
    assert m["firstName"] == "Ada" and m["lastName"] == "Lovelace"
    assert m["profilePictureUrl"] == "https://cdn.example.com/ada.png"
    assert m["joinedAt"] is None  # joined only when the link is consumed
    lane = f"mem_{uuid.UUID(m['id']).hex}"
    assert [e.resource_id for e in events(tenant, "member.created")].count(lane) == 1


def test_a_known_sub_updates_email_and_phone(tenant: Tenant, api: Api) -> None:
    b = body(phoneNumber="+12125550101")
    assert api.post(PATH, json=b).status_code == 201
    new_email = f"{unique('new')}@ex.com"
    r = api.post(PATH, json={**b, "email": new_email, "phoneNumber": "+12125550102"})
    assert r.status_code == 201, r.text
    found = member_by_sub(tenant, b["customAuthSub"])
    assert found["email"] == new_email and found["phone"] == "+12125550102"
    assert member(api, found["id"])["isEmailVerified"] is False


def test_an_existing_member_with_that_email_gets_the_sub_attached(tenant: Tenant, api: Api) -> None:
    made = native_member(tenant)
    b = body(email=made["email"])
    assert api.post(PATH, json=b).status_code == 201
    assert member(api, uuid_of(made["id"]))["customAuthSub"] == b["customAuthSub"]


def test_an_existing_member_with_that_phone_gets_the_sub_attached(tenant: Tenant, api: Api) -> None:
    made = native_member(tenant, phone="+12125550177")
    b = body(email=None, phoneNumber="+1 (212) 555-0177")
    assert api.post(PATH, json=b).status_code == 201
    assert member(api, uuid_of(made["id"]))["customAuthSub"] == b["customAuthSub"]


def test_a_member_with_another_sub_is_a_409(tenant: Tenant, api: Api) -> None:
    first = body()
    assert api.post(PATH, json=first).status_code == 201
    r = api.post(PATH, json=body(email=first["email"]))
    refused(r, 409, "CUSTOM_AUTH_SUB_CONFLICT", "customAuthSub")


def test_updating_to_another_members_email_or_phone_is_a_409(tenant: Tenant, api: Api) -> None:
    other = native_member(tenant, phone="+12125550188")
    b = body()
    assert api.post(PATH, json=b).status_code == 201
    refused(api.post(PATH, json={**b, "email": other["email"]}), 409, "DUPLICATE_MEMBER", "email")
    r = api.post(PATH, json={**b, "phoneNumber": "+12125550188"})
    refused(r, 409, "DUPLICATE_MEMBER", "phoneNumber")
    assert member_by_sub(tenant, b["customAuthSub"])["email"] == b["email"]


def test_email_and_phone_of_two_different_members_is_a_409(tenant: Tenant, api: Api) -> None:
    a = native_member(tenant)
    native_member(tenant, phone="+12125550166")
    r = api.post(PATH, json=body(email=a["email"], phoneNumber="+12125550166"))
    refused(r, 409, "DUPLICATE_MEMBER", "phoneNumber")


def test_without_custom_auth_it_is_403(tenant: Tenant) -> None:
    enable_custom_auth(tenant, False)
    refused(ag(tenant).post(PATH, json=body()), 403, "CUSTOM_AUTH_DISABLED")


def test_a_banned_member_gets_no_link(tenant: Tenant, api: Api) -> None:
    made = native_member(tenant)
    assert tenant.api.patch(f"/members/{made['id']}", json={"status": "banned"}).status_code == 200
    refused(api.post(PATH, json=body(email=made["email"])), 403, "MEMBER_BANNED")


def test_custom_auth_sub_is_required_and_not_blank(tenant: Tenant, api: Api) -> None:
    b = body()
    del b["customAuthSub"]
    refused(api.post(PATH, json=b), 400, "VALIDATION_ERROR", "customAuthSub")
    refused(api.post(PATH, json=body(customAuthSub="  ")), 400, "VALIDATION_ERROR",
            "customAuthSub")  # fmt: skip
    refused(api.post(PATH, json=body(customAuthSub="x" * 256)), 400, "VALIDATION_ERROR",
            "customAuthSub")  # fmt: skip


def test_one_of_email_or_phone_is_required(tenant: Tenant, api: Api) -> None:
    r = api.post(PATH, json={"customAuthSub": unique("s")})
    refused(r, 400, "VALIDATION_ERROR", "email")


def test_a_malformed_email_or_phone_is_400_naming_it(tenant: Tenant, api: Api) -> None:
    refused(api.post(PATH, json=body(email="nope")), 400, "VALIDATION_ERROR", "email")
    r = api.post(PATH, json=body(phoneNumber="call me"))
    refused(r, 400, "VALIDATION_ERROR", "phoneNumber")


@pytest.mark.parametrize(
    "url", ["not a url", "/relative.png", "ftp://x.example/a.png", "javascript:alert(1)"]
)
def test_profile_picture_url_must_be_a_uri(tenant: Tenant, api: Api, url: str) -> None:
    r = api.post(PATH, json=body(profilePictureUrl=url))
    refused(r, 400, "VALIDATION_ERROR", "profilePictureUrl")


@pytest.mark.parametrize(
    "return_to",
    [
        "https://evil.example/",
        "evil",
        "//evil.example/x",
        "/\\evil.example",
        "/a\nb",
        "/" + "a" * 100,
    ],
)
def test_return_to_must_be_a_short_relative_path(tenant: Tenant, api: Api, return_to: str) -> None:
    r = api.post(PATH, json=body(returnTo=return_to))
    refused(r, 400, "VALIDATION_ERROR", "returnTo")


def test_return_to_of_exactly_100_characters_is_accepted(tenant: Tenant, api: Api) -> None:
    assert api.post(PATH, json=body(returnTo="/" + "a" * 99)).status_code == 201


def test_state_over_256_characters_is_refused(tenant: Tenant, api: Api) -> None:
    assert api.post(PATH, json=body(state="s" * 256)).status_code == 201
    refused(api.post(PATH, json=body(state="s" * 257)), 400, "VALIDATION_ERROR", "state")


def test_wrong_types_and_unknown_fields_are_400_naming_them(tenant: Tenant, api: Api) -> None:
    refused(api.post(PATH, json=body(isEmailVerified="maybe")), 400, "VALIDATION_ERROR",
            "isEmailVerified")  # fmt: skip
    refused(api.post(PATH, json=body(customAuthSub=12)), 400, "VALIDATION_ERROR", "customAuthSub")
    refused(api.post(PATH, json=body(isAdmin=True)), 400, "VALIDATION_ERROR", "isAdmin")


def test_a_refused_request_writes_nothing(tenant: Tenant, api: Api) -> None:
    b = body(returnTo="//evil")
    api.post(PATH, json=b)
    r = api.post(PATH, json=body(email=b["email"], state="s" * 300))
    assert r.status_code == 400
    listed = tenant.api.get("/members", params={"email": b["email"]})
    assert listed.status_code == 200 and listed.json()["total"] == 0, listed.text


def test_without_members_write_is_403_and_without_a_key_401(tenant: Tenant, api: Api) -> None:
    refused(without(tenant, "members:write").post(PATH, json=body()), 403, "INSUFFICIENT_SCOPE")
    refused(tenant.client.post("/addglow/v1" + PATH, json=body()), 401, "UNAUTHORIZED")


def test_the_openapi_document_describes_the_201_and_its_refusals(tenant: Tenant) -> None:
    doc = tenant.client.get("/addglow/v1/openapi.json").json()
    op = doc["paths"]["/addglow/v1/auth/magic-link"]["post"]
    assert {"201", "400", "401", "403", "409"} <= set(op["responses"])
    assert op["x-required-scope"] == "members:write"
