"""``/dashboard/forgot-password`` and ``/dashboard/reset-password`` in-process: the same
answer whether or not the email exists, the mailed link opens the reset page, two
matching passwords set it (every session ends, the login says so), a bad or spent link
stays on the page with its message."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from fastapi.testclient import TestClient

from punchcard.config import Settings
from tests.factories import PASSWORD, Tenant, unique
from tests.web.pages import Browser, link_in, mails_to

NEW_PASSWORD = "another long passphrase"
LINK = r"(/dashboard/reset-password\?token=[A-Za-z0-9_\-]+)"


def _forgot(app: Any, email: str) -> Any:
    b = Browser(app)
    b.get("/dashboard/forgot-password")
    return b.post("/dashboard/forgot-password", {"email": email})


def test_the_answer_is_the_same_whether_or_not_the_email_exists(
    client: TestClient, app: Any, settings: Settings, tenant: Tenant
) -> None:
    nobody = f"{unique('nobody')}@example.com"
    known, unknown = _forgot(app, tenant.owner_email), _forgot(app, nobody)
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: html.replace(tenant.owner_email, "").replace(nobody, "")  # noqa: E731
    assert "is on its way" in known.text
    assert strip(known.text).split("<main")[1] == strip(unknown.text).split("<main")[1]
    assert len(mails_to(settings, tenant.owner_email)) == 1 and mails_to(settings, nobody) == []


def test_the_mailed_link_resets_the_password_and_ends_every_session(
    client: TestClient, app: Any, settings: Settings, tenant: Tenant
) -> None:
    signed_in = Browser(app)
    signed_in.log_in(tenant.owner_email, PASSWORD)
    _forgot(app, tenant.owner_email)
    path = link_in(settings, tenant.owner_email, r"http://\S+" + LINK)
    b = Browser(app)
    page = b.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.text
    token = path.split("token=")[1]
    r = b.post(
        "/dashboard/reset-password",
        {"token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login?notice=")
    assert "Log in with the new one" in b.get(r.headers["location"]).text
    assert "password was changed" in unquote(r.headers["location"])
    gone = signed_in.get("/dashboard/", follow_redirects=False)
    assert gone.status_code == 303  # the old session ended
    Browser(app).log_in(tenant.owner_email, NEW_PASSWORD)
    old = Browser(app)
    old.get("/dashboard/login")
    assert (
        old.post(
            "/dashboard/login", {"email": tenant.owner_email, "password": PASSWORD}
        ).status_code
        == 401
    )
    # The link works once.
    again = b.post(
        "/dashboard/reset-password",
        {"token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert again.status_code == 400 and "already used" in again.text


def test_bad_passwords_stay_on_the_page(
    client: TestClient, app: Any, settings: Settings, tenant: Tenant
) -> None:
    _forgot(app, tenant.owner_email)
    token = link_in(settings, tenant.owner_email, LINK).split("token=")[1]
    b = Browser(app)
    b.get(f"/dashboard/reset-password?token={token}")
    short = b.post(
        "/dashboard/reset-password",
        {"token": token, "password": "short", "password_again": "short"},
    )
    assert short.status_code == 400 and "at least 10 characters" in short.text
    differ = b.post(
        "/dashboard/reset-password",
        {"token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "!"},
    )
    assert differ.status_code == 400 and "differ" in differ.text
    made_up = b.post(
        "/dashboard/reset-password",
        {"token": "made-up", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert made_up.status_code == 400 and "invalid" in made_up.text
    Browser(app).log_in(tenant.owner_email, PASSWORD)  # unchanged by the refusals
    assert b.get("/dashboard/reset-password").status_code == 400


def test_the_forms_need_the_sites_token(client: TestClient, app: Any, tenant: Tenant) -> None:
    b = Browser(app)
    r = b.http.post("/dashboard/forgot-password", data={"email": tenant.owner_email})
    assert r.status_code == 403
    r = b.http.post("/dashboard/reset-password", data={"token": "x", "password": NEW_PASSWORD})
    assert r.status_code == 403
