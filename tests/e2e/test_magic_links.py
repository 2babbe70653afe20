"""The magic-link flow end to end over HTTP against a real ``punchcard serve`` process:
create (AddGlow face), GET (confirms, uses nothing), POST (once: cookie, 303 to
``returnTo`` with ``state``), the cookie as a member principal, and every way to get
no session (used twice, expired, banned, raced, posted from another site)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from punchcard.identity.member_sessions import PORTAL_COOKIE
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.magiclinks import service as links
from punchcard.models import OutboxEvent
from tests.conftest import TestClock as Clock
from tests.e2e.conftest import Server
from tests.factories import Tenant, unique


@pytest.fixture
def http(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)


def enable_custom_auth(t: Tenant) -> None:
    r = t.api.patch("/settings", json={"customAuthEnabled": True})
    assert r.status_code == 200, r.text


def make_link(http: httpx.Client, t: Tenant, **kw: Any) -> tuple[str, dict[str, Any]]:
    """A link created over HTTP; its path on the server, and the body sent."""
    body = {
        "customAuthSub": unique("auth0|"),
        "email": f"{unique('e2e')}@example.com",
        "firstName": "Grace",
        "lastName": "Hopper",
        **kw,
    }
    r = http.post(
        "/addglow/v1/auth/magic-link",
        json=body,
        headers={"Authorization": f"Bearer {t.api.token}"},
    )
    assert r.status_code == 201, r.text
    return urlsplit(r.json()["data"]["url"]).path, body


def set_cookie(r: httpx.Response) -> str | None:
    return r.headers.get("set-cookie")


def joined(t: Tenant) -> list[str | None]:
    with t.db.transaction(write=False) as s:
        stmt = select(OutboxEvent.resource_id).where(
            OutboxEvent.tenant_id == t.id, OutboxEvent.type == "user.joined"
        )
        return list(s.scalars(stmt))


def test_get_confirms_post_signs_in_once_and_the_cookie_is_the_member(
    http: httpx.Client, server: Server, tenant: Tenant
) -> None:
    enable_custom_auth(tenant)
    path, _ = make_link(http, tenant, returnTo="/rooms/42?tab=new", state="opaque 1&2")
    assert path.startswith(f"/portal/{tenant.partner_id}/magic/")

    # GET (twice: a mail scanner, then the member) shows the button and uses nothing.
    for _ in range(2):
        page = http.get(path)
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert '<form method="post"' in page.text and "Sign in" in page.text
        assert set_cookie(page) is None and not page.cookies

    r = http.post(path)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == (
        f"/portal/{tenant.partner_id}/rooms/42?tab=new&state=opaque+1%262"
    )
    cookie = set_cookie(r)
    assert cookie is not None and cookie.startswith(f"{PORTAL_COOKIE}=fl_mbr_")
    attrs = {a.strip().split("=")[0].lower(): a for a in cookie.split(";")[1:]}
    assert "httponly" in attrs and attrs["samesite"].strip().lower() == "samesite=lax"
    assert attrs["path"].strip() == "Path=/" and "secure" not in attrs  # plain http here
    token = r.cookies[PORTAL_COOKIE]

    # The cookie is a member principal: /api/v2/me is its own member ...
    me = httpx.get(f"{server.url}/api/v2/me", cookies={PORTAL_COOKIE: token})
    assert me.status_code == 200, me.text
    assert me.json()["firstName"] == "Grace"
    member_id = me.json()["id"]
    # ... and no other route reads it: a member's own id without a bearer is refused.
    other = httpx.get(f"{server.url}/api/v2/members/{member_id}", cookies={PORTAL_COOKIE: token})
    assert other.status_code == 401, other.text
    # The portal page at returnTo shows the member with the cookie, and sends to the
    # join / sign-in page without it.
    portal = httpx.get(server.url + r.headers["location"], cookies={PORTAL_COOKIE: token})
    assert portal.status_code == 200 and "Grace Hopper" in portal.text
    assert 'id="balance">0<' in portal.text
    anonymous = httpx.get(server.url + r.headers["location"])
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith(f"/portal/{tenant.partner_id}/join?next=")

    # A second POST gets a clear page and no session.
    again = http.post(path)
    assert again.status_code == 410 and "already used or has expired" in again.text
    assert set_cookie(again) is None
    assert http.get(path).status_code == 410

    assert joined(tenant).count(f"mem_{member_id.split('_', 1)[1]}") == 1


def test_an_expired_link_gets_no_session(http: httpx.Client, tenant: Tenant, clock: Clock) -> None:
    enable_custom_auth(tenant)
    # Made through the core an hour ago (the suite's clock): it expired 45 minutes ago
    # by the server's clock.
    clock.freeze(datetime.now(UTC) - timedelta(hours=1))
    with tenant.db.transaction() as s:
        created = links.create(
            s,
            Principal(tenant_id=tenant.id, scopes=frozenset(ALL_SCOPES)),
            data=links.NewLink(custom_auth_sub=unique("s"), email=f"{unique('x')}@example.com"),
        )
    assert http.get(created.path).status_code == 410
    r = http.post(created.path)
    assert r.status_code == 410 and set_cookie(r) is None
    assert f"mem_{created.member.id.hex}" not in joined(tenant)


def test_a_banned_member_gets_no_session(http: httpx.Client, tenant: Tenant) -> None:
    enable_custom_auth(tenant)
    path, body = make_link(http, tenant)
    found = tenant.api.get("/members", params={"email": body["email"]}).json()["members"][0]
    assert tenant.api.patch(f"/members/{found['id']}", json={"status": "banned"}).status_code == 200
    r = http.post(path)
    assert r.status_code == 403 and set_cookie(r) is None
    assert "cannot sign in" in r.text
    assert found["id"] not in joined(tenant)


def test_an_unknown_token_gets_a_clear_page(http: httpx.Client, tenant: Tenant) -> None:
    r = http.post(f"/portal/{tenant.partner_id}/magic/not-a-token")
    assert r.status_code == 404 and "not valid" in r.text and set_cookie(r) is None


def test_a_post_from_another_site_is_refused_and_uses_nothing(
    http: httpx.Client, tenant: Tenant
) -> None:
    enable_custom_auth(tenant)
    path, _ = make_link(http, tenant)
    r = http.post(path, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and set_cookie(r) is None
    same = http.post(path, headers={"Origin": str(http.base_url).rstrip("/")})
    assert same.status_code == 303


def test_over_https_the_cookie_is_secure(http: httpx.Client, tenant: Tenant) -> None:
    enable_custom_auth(tenant)
    path, _ = make_link(http, tenant)
    # The server trusts X-Forwarded-Proto from its local proxy (uvicorn's default).
    r = http.post(path, headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 303
    cookie = set_cookie(r)
    assert cookie is not None and "secure" in cookie.lower().replace(" ", "").split(";")


def test_of_two_concurrent_posts_exactly_one_signs_in(http: httpx.Client, tenant: Tenant) -> None:
    enable_custom_auth(tenant)
    path, _ = make_link(http, tenant)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        with httpx.Client(base_url=str(http.base_url), timeout=30) as c:
            barrier.wait()
            statuses.append(c.post(path).status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(statuses) == [303, 410]
