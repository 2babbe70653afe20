"""Auth: /api/v2/auth/* — register, login, profile, passwords."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from punchcard.config import Settings
from tests.factories import PASSWORD, Api, Tenant, unique

BASE = "/api/v2"
if TYPE_CHECKING:
    from tests.conftest import TestClock

NEW_PASSWORD = "a much better passphrase"


def register(client: TestClient, **kw: Any) -> dict[str, Any]:
    body = {"email": f"{unique('u')}@example.com", "password": PASSWORD, **kw}
    r = client.post(f"{BASE}/auth/register", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def login(client: TestClient, email: str, password: str = PASSWORD) -> Api:
    r = client.post(f"{BASE}/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return Api(client, r.json()["token"])


def mails_to(settings: Settings, address: str) -> list[EmailMessage]:
    """The .eml files addressed to ``address``, oldest first."""
    found = []
    for path in sorted(Path(settings.mail_dir).glob("*.eml")):
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(msg, EmailMessage)
        if msg["To"] == address:
            found.append(msg)
    return found


def reset_token_from_mail(settings: Settings, address: str) -> str:
    msg = mails_to(settings, address)[-1]
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    link = re.search(r"(\S+)/dashboard/reset-password\?token=([A-Za-z0-9_\-]+)", text)
    assert link is not None, text
    assert link.group(1) == settings.public_url.rstrip("/")
    return link.group(2)


def forgot(client: TestClient, email: str) -> None:
    r = client.post(f"{BASE}/auth/forgot-password", json={"email": email})
    assert r.status_code == 202, r.text


# register --------------------------------------------------------------------------


def test_register_creates_a_team_its_owner_and_a_session(client: TestClient) -> None:
    email = f"{unique('New')}@Example.com"
    body = register(client, email=email, name="Ada", teamName="Ada's Bakery")
    assert body["user"]["id"].startswith("usr_")
    assert body["user"]["email"] == email.lower()
    assert body["user"]["name"] == "Ada" and body["user"]["role"] == "owner"
    assert body["user"]["createdAt"].endswith("Z")
    assert body["team"]["id"].startswith("ten_")
    assert body["team"]["name"] == "Ada's Bakery"
    assert body["team"]["partnerId"]
    assert body["expiresAt"].endswith("Z")
    me = Api(client, body["token"]).get("/auth/profile")
    assert me.status_code == 200 and me.json()["user"]["id"] == body["user"]["id"]


def test_register_names_the_team_after_the_user_by_default(client: TestClient) -> None:
    assert register(client, name="Grace")["team"]["name"] == "Grace's team"
    email = f"{unique('solo')}@example.com"
    assert register(client, email=email)["team"]["name"] == f"{email.split('@')[0]}'s team"


def test_register_with_a_taken_email_is_409_in_any_case(client: TestClient) -> None:
    email = register(client)["user"]["email"]
    r = client.post(f"{BASE}/auth/register", json={"email": email.upper(), "password": PASSWORD})
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "email"
    assert r.json()["error"]["code"] == "EMAIL_TAKEN"


def test_register_needs_a_password_of_ten_characters(client: TestClient) -> None:
    r = client.post(
        f"{BASE}/auth/register", json={"email": f"{unique()}@example.com", "password": "123456789"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert r.json()["error"]["field"] == "password"


def test_register_refuses_an_invalid_email(client: TestClient) -> None:
    for email in ("not-an-email", "a@b", ""):
        r = client.post(f"{BASE}/auth/register", json={"email": email, "password": PASSWORD})
        assert r.status_code == 400, email
        assert r.json()["error"]["field"] == "email"


def test_register_reports_missing_and_unknown_fields(client: TestClient) -> None:
    r = client.post(f"{BASE}/auth/register", json={"password": PASSWORD})
    assert r.status_code == 400 and r.json()["error"]["field"] == "email"
    r = client.post(
        f"{BASE}/auth/register",
        json={"email": f"{unique()}@example.com", "password": PASSWORD, "role": "admin"},
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "role"


# login -----------------------------------------------------------------------------


def test_login_returns_a_token_the_user_and_the_team(tenant: Tenant) -> None:
    r = tenant.client.post(
        f"{BASE}/auth/login", json={"email": tenant.owner_email, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"]["email"] == tenant.owner_email
    assert body["team"] == {
        "id": f"ten_{tenant.id.hex}",
        "name": "Acme Coffee",
        "partnerId": tenant.partner_id,
    }
    assert Api(tenant.client, body["token"]).get("/auth/profile").status_code == 200


def test_login_ignores_the_case_of_the_email(tenant: Tenant) -> None:
    login(tenant.client, tenant.owner_email.upper())


def test_login_gives_the_same_401_for_unknown_email_and_wrong_password(tenant: Tenant) -> None:
    wrong = tenant.client.post(
        f"{BASE}/auth/login", json={"email": tenant.owner_email, "password": "wrong password!"}
    )
    unknown = tenant.client.post(
        f"{BASE}/auth/login", json={"email": f"{unique()}@example.com", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "INVALID_CREDENTIALS"


def test_login_validation_names_the_field(client: TestClient) -> None:
    r = client.post(f"{BASE}/auth/login", json={"email": "someone@example.com"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "password"


def test_passwords_are_taken_exactly_as_typed(client: TestClient) -> None:
    padded = "  spaced out password  "
    email = register(client, password=padded)["user"]["email"]
    login(client, email, padded)
    r = client.post(f"{BASE}/auth/login", json={"email": email, "password": padded.strip()})
    assert r.status_code == 401


def test_a_session_expires_after_its_ttl(
    tenant: Tenant, clock: TestClock, settings: Settings
) -> None:
    session = login(tenant.client, tenant.owner_email)
    clock.advance(seconds=settings.session_ttl_seconds + 1)
    assert session.get("/auth/profile").status_code == 401


def test_logout_ends_only_the_calling_session(tenant: Tenant) -> None:
    session = login(tenant.client, tenant.owner_email)
    assert session.post("/auth/logout").status_code == 204
    assert session.get("/auth/profile").status_code == 401
    assert tenant.owner.get("/auth/profile").status_code == 200


# profile ---------------------------------------------------------------------------


def test_profile_returns_the_user_and_the_team(tenant: Tenant) -> None:
    r = tenant.owner.get("/auth/profile")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["user"]) == {"id", "email", "name", "role", "createdAt"}
    assert body["user"]["email"] == tenant.owner_email and body["user"]["role"] == "owner"
    assert body["team"]["id"] == f"ten_{tenant.id.hex}"
    assert body["team"]["partnerId"] == tenant.partner_id


def test_profile_needs_a_valid_session_token(tenant: Tenant) -> None:
    assert tenant.client.get(f"{BASE}/auth/profile").status_code == 401
    r = Api(tenant.client, "not-a-session").get("/auth/profile")
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    assert Api(tenant.client, "not-a-session").patch("/auth/profile", json={}).status_code == 401


def test_profile_refuses_api_keys(tenant: Tenant) -> None:
    assert tenant.api.get("/auth/profile").status_code == 403
    assert tenant.api.patch("/auth/profile", json={"name": "x"}).status_code == 403


def test_patch_profile_changes_name_and_email(tenant: Tenant) -> None:
    email = f"{unique('Renamed')}@Example.com"
    r = tenant.owner.patch("/auth/profile", json={"name": "Olive", "email": email})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["name"] == "Olive"
    assert r.json()["user"]["email"] == email.lower()
    login(tenant.client, email)
    r = tenant.owner.patch("/auth/profile", json={"name": None})
    assert r.status_code == 200 and r.json()["user"]["name"] is None
    assert r.json()["user"]["email"] == email.lower()


def test_patch_profile_to_a_taken_email_is_409(tenant: Tenant, other_tenant: Tenant) -> None:
    r = tenant.owner.patch("/auth/profile", json={"email": other_tenant.owner_email})
    assert r.status_code == 409 and r.json()["error"]["field"] == "email"


def test_patch_profile_validation_names_the_field(tenant: Tenant) -> None:
    for body in ({"email": "nope"}, {"email": None}):
        r = tenant.owner.patch("/auth/profile", json=body)
        assert r.status_code == 400 and r.json()["error"]["field"] == "email"
    r = tenant.owner.patch("/auth/profile", json={"role": "viewer"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "role"


# change password -------------------------------------------------------------------


def test_change_password_ends_other_sessions_but_not_this_one(tenant: Tenant) -> None:
    other = login(tenant.client, tenant.owner_email)
    r = tenant.owner.post(
        "/auth/change-password",
        json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
    )
    assert r.status_code == 200, r.text
    assert r.json()["revokedSessions"] == 1
    assert other.get("/auth/profile").status_code == 401
    assert tenant.owner.get("/auth/profile").status_code == 200
    login(tenant.client, tenant.owner_email, NEW_PASSWORD)
    r = tenant.client.post(
        f"{BASE}/auth/login", json={"email": tenant.owner_email, "password": PASSWORD}
    )
    assert r.status_code == 401


def test_change_password_with_a_wrong_current_password_is_400(tenant: Tenant) -> None:
    r = tenant.owner.post(
        "/auth/change-password",
        json={"currentPassword": "not my password", "newPassword": NEW_PASSWORD},
    )
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "currentPassword"
    assert r.json()["error"]["code"] == "INVALID_PASSWORD"
    login(tenant.client, tenant.owner_email)  # unchanged


def test_change_password_needs_a_long_enough_new_password(tenant: Tenant) -> None:
    r = tenant.owner.post(
        "/auth/change-password", json={"currentPassword": PASSWORD, "newPassword": "short"}
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "newPassword"


def test_change_password_needs_a_user_session(tenant: Tenant) -> None:
    body = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    assert tenant.client.post(f"{BASE}/auth/change-password", json=body).status_code == 401
    assert tenant.api.post("/auth/change-password", json=body).status_code == 403


# forgot / reset password -----------------------------------------------------------


def test_forgot_password_mails_a_link_that_resets_the_password(
    tenant: Tenant, settings: Settings
) -> None:
    r = tenant.client.post(f"{BASE}/auth/forgot-password", json={"email": tenant.owner_email})
    assert r.status_code == 202, r.text
    (mail,) = mails_to(settings, tenant.owner_email)
    assert "reset" in str(mail["Subject"]).lower()
    token = reset_token_from_mail(settings, tenant.owner_email)

    r = tenant.client.post(
        f"{BASE}/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD}
    )
    assert r.status_code == 200, r.text
    assert r.json()["revokedSessions"] == 1
    assert tenant.owner.get("/auth/profile").status_code == 401
    login(tenant.client, tenant.owner_email, NEW_PASSWORD)


def test_forgot_password_for_an_unknown_email_is_202_and_sends_nothing(
    client: TestClient, settings: Settings
) -> None:
    email = f"{unique('ghost')}@example.com"
    r = client.post(f"{BASE}/auth/forgot-password", json={"email": email})
    assert r.status_code == 202
    assert mails_to(settings, email) == []


def test_forgot_password_validation_names_the_field(client: TestClient) -> None:
    r = client.post(f"{BASE}/auth/forgot-password", json={"email": "nope"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "email"


def test_a_reset_token_works_once(tenant: Tenant, settings: Settings) -> None:
    forgot(tenant.client, tenant.owner_email)
    token = reset_token_from_mail(settings, tenant.owner_email)
    body = {"token": token, "newPassword": NEW_PASSWORD}
    assert tenant.client.post(f"{BASE}/auth/reset-password", json=body).status_code == 200
    r = tenant.client.post(
        f"{BASE}/auth/reset-password", json={"token": token, "newPassword": "yet another one"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "token"
    assert r.json()["error"]["code"] == "RESET_TOKEN_INVALID"
    login(tenant.client, tenant.owner_email, NEW_PASSWORD)


def test_a_reset_token_expires_after_an_hour(
    tenant: Tenant, settings: Settings, clock: TestClock
) -> None:
    forgot(tenant.client, tenant.owner_email)
    token = reset_token_from_mail(settings, tenant.owner_email)
    clock.advance(hours=1, seconds=1)
    r = tenant.client.post(
        f"{BASE}/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD}
    )
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "token"
    assert r.json()["error"]["code"] == "RESET_TOKEN_EXPIRED"
    login(tenant.client, tenant.owner_email)  # unchanged


def test_a_password_change_voids_outstanding_reset_tokens(
    tenant: Tenant, settings: Settings
) -> None:
    forgot(tenant.client, tenant.owner_email)
    token = reset_token_from_mail(settings, tenant.owner_email)
    r = tenant.owner.post(
        "/auth/change-password", json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    )
    assert r.status_code == 200
    r = tenant.client.post(
        f"{BASE}/auth/reset-password", json={"token": token, "newPassword": "attacker's choice"}
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "token"


def test_reset_password_validation_names_the_field(client: TestClient) -> None:
    r = client.post(
        f"{BASE}/auth/reset-password", json={"token": "made-up", "newPassword": NEW_PASSWORD}
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "token"
    r = client.post(f"{BASE}/auth/reset-password", json={"token": "x", "newPassword": "short"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "newPassword"
    r = client.post(f"{BASE}/auth/reset-password", json={"newPassword": NEW_PASSWORD})
    assert r.status_code == 400 and r.json()["error"]["field"] == "token"


def test_only_the_four_public_auth_routes_need_no_credentials(client: TestClient) -> None:
    doc = client.get(f"{BASE}/openapi.json").json()
    public = {
        f"{method.upper()} {path}"
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if path.startswith(f"{BASE}/auth/") and not op.get("x-required-scope")
    }
    assert public == {
        f"POST {BASE}/auth/register",
        f"POST {BASE}/auth/login",
        f"POST {BASE}/auth/forgot-password",
        f"POST {BASE}/auth/reset-password",
    }
