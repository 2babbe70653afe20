"""The dashboard's login in a real browser (good and wrong password, at desktop and
phone width, accessible), and its rules over HTTP: unauthenticated pages redirect to
the login, a form without this site's CSRF token is refused, logging out ends the
session, an API key or a member token is no login."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server
from tests.factories import PASSWORD, Tenant
from tests.web.browser import assert_accessible, log_in, no_sideways_scroll, register_team


def test_a_good_password_opens_the_overview(page: Page, live: Server) -> None:
    team = register_team(live)
    log_in(page, live, team["email"], team["password"])
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_role("navigation", name="Dashboard")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page)


def test_a_wrong_password_stays_on_the_form_with_a_message(page: Page, live: Server) -> None:
    team = register_team(live)
    log_in(page, live, team["email"], "not the password")
    expect(page).to_have_url(re.compile(r"/dashboard/login"))
    expect(page.get_by_role("alert")).to_contain_text("Invalid email or password")
    expect(page.get_by_label("Email")).to_have_value(team["email"])
    no_sideways_scroll(page)
    assert_accessible(page)


def test_a_page_needs_a_login_and_comes_back_after_it(page: Page, live: Server) -> None:
    team = register_team(live)
    page.goto(live.url + "/dashboard/members")
    expect(page).to_have_url(re.compile(r"/dashboard/login\?next=/dashboard/members"))
    page.get_by_label("Email").fill(team["email"])
    page.get_by_label("Password").fill(team["password"])
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/members$"))


def test_logging_out_ends_the_session(page: Page, live: Server) -> None:
    team = register_team(live)
    log_in(page, live, team["email"], team["password"])
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/dashboard/login"))
    page.goto(live.url + "/dashboard/")
    expect(page).to_have_url(re.compile(r"/dashboard/login"))


def _csrf(client: TestClient, path: str) -> str:
    html = client.get(path).text
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_a_login_without_the_sites_token_is_refused(client: TestClient, tenant: Tenant) -> None:
    r = client.post("/dashboard/login", data={"email": tenant.owner_email, "password": PASSWORD})
    assert r.status_code == 403
    assert "punchcard_user" not in r.cookies
    token = _csrf(client, "/dashboard/login")
    forged = client.post(
        "/dashboard/login",
        data={"email": tenant.owner_email, "password": PASSWORD, "csrf": token + "x"},
    )
    assert forged.status_code == 403
    cross = client.post(
        "/dashboard/login",
        data={"email": tenant.owner_email, "password": PASSWORD, "csrf": token},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    ok = client.post(
        "/dashboard/login",
        data={"email": tenant.owner_email, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/dashboard/"
    cookie = ok.headers["set-cookie"]
    assert "punchcard_user=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_the_login_goes_only_to_a_dashboard_page(client: TestClient, tenant: Tenant) -> None:
    token = _csrf(client, "/dashboard/login")
    for evil in ("https://evil.example/", "//evil.example/dashboard", "/api/v2/members"):
        r = client.post(
            "/dashboard/login",
            data={"email": tenant.owner_email, "password": PASSWORD, "csrf": token, "next": evil},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/dashboard/", evil


def test_an_api_key_or_a_bogus_cookie_is_no_login(client: TestClient, tenant: Tenant) -> None:
    for value in (tenant.api.token, "fl_ses_bogus", ""):
        client.cookies.set("punchcard_user", value, path="/dashboard")
        r = client.get("/dashboard/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")
    client.cookies.clear()


def test_the_pages_assets_are_served_from_the_package(client: TestClient) -> None:
    css = client.get("/static/web/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = client.get("/static/htmx/htmx.min.js")
    assert js.status_code == 200 and b"htmx" in js.content
    assert client.get("/static/htmx/LICENSE").status_code == 404
    assert client.get("/static/web/../../config.py").status_code == 404
