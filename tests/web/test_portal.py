"""The portal pages and the portal cookie in-process: what the cookie may and may not
stand for, the tenant it belongs to, and pages that escape what they show."""

from __future__ import annotations

from typing import Any

import pytest

from punchcard.identity.member_sessions import PORTAL_COOKIE
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.magiclinks import service as links
from punchcard.tenants.service import update_settings
from tests.factories import Tenant, unique


@pytest.fixture(autouse=True)
def _no_cookie_left(tenant: Tenant) -> Any:
    """The suite's client is shared: a cookie a POST set here must not sign in others."""
    yield
    tenant.client.cookies.clear()


def signed_in(t: Tenant, **kw: Any) -> links.SignedIn:
    with t.db.transaction() as s:
        update_settings(s, t.id, {"custom_auth_enabled": True})
    data = links.NewLink(
        custom_auth_sub=unique("s"), email=kw.pop("email", f"{unique('w')}@example.com"), **kw
    )
    with t.db.transaction() as s:
        created = links.create(
            s, Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES)), data=data
        )
    with t.db.transaction() as s:
        return links.consume(s, partner_id=t.partner_id, token=created.path.rsplit("/", 1)[1])


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"{PORTAL_COOKIE}={token}"}


def test_the_cookie_reads_me_and_a_bearer_wins_over_it(tenant: Tenant) -> None:
    signed = signed_in(tenant, first_name="Ada")
    r = tenant.client.get("/api/v2/me", headers=cookie(signed.session_token))
    assert r.status_code == 200 and r.json()["firstName"] == "Ada"
    # An API key as bearer is the key, whatever the cookie: /me is not for keys.
    both = {**cookie(signed.session_token), "Authorization": f"Bearer {tenant.api.token}"}
    assert tenant.client.get("/api/v2/me", headers=both).status_code == 403


def test_an_api_key_never_comes_from_the_cookie(tenant: Tenant) -> None:
    for value in (tenant.api.token, tenant.owner.token, "garbage"):
        r = tenant.client.get("/api/v2/me", headers=cookie(value))
        assert r.status_code == 401, r.text
    r = tenant.client.get("/api/v2/stores", headers=cookie(tenant.api.token))
    assert r.status_code == 401


def test_the_cookie_opens_no_other_route(tenant: Tenant) -> None:
    signed = signed_in(tenant)
    member = f"mem_{signed.member.id.hex}"
    for path in (
        f"/api/v2/members/{member}",
        "/api/v2/members",
        f"/api/v2/members/{member}/points",
    ):
        assert tenant.client.get(path, headers=cookie(signed.session_token)).status_code == 401


def test_a_signed_out_or_banned_members_cookie_is_refused(tenant: Tenant) -> None:
    signed = signed_in(tenant)
    member = f"mem_{signed.member.id.hex}"
    r = tenant.api.patch(f"/members/{member}", json={"status": "banned"})
    assert r.status_code == 200
    assert tenant.client.get("/api/v2/me", headers=cookie(signed.session_token)).status_code == 401
    page = tenant.client.get(
        f"/portal/{tenant.partner_id}",
        headers=cookie(signed.session_token),
        follow_redirects=False,
    )
    assert page.status_code == 303 and "/join?next=" in page.headers["location"]


def test_the_portal_page_escapes_names_and_belongs_to_its_tenant(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    signed = signed_in(tenant, first_name="<script>x</script>")
    r = tenant.client.get(f"/portal/{tenant.partner_id}/a/b", headers=cookie(signed.session_token))
    assert r.status_code == 200
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    theirs = tenant.client.get(
        f"/portal/{other_tenant.partner_id}",
        headers=cookie(signed.session_token),
        follow_redirects=False,
    )
    assert theirs.status_code == 303
    assert theirs.headers["location"].startswith(f"/portal/{other_tenant.partner_id}/join")
    assert tenant.client.get("/portal/pt_nobody").status_code == 404


@pytest.mark.parametrize("header", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}])
def test_a_cross_site_post_uses_nothing(tenant: Tenant, header: dict[str, str]) -> None:
    with tenant.db.transaction() as s:
        update_settings(s, tenant.id, {"custom_auth_enabled": True})
    data = links.NewLink(custom_auth_sub=unique("s"), email=f"{unique('w')}@example.com")
    with tenant.db.transaction() as s:
        created = links.create(
            s, Principal(tenant_id=tenant.id, scopes=frozenset(ALL_SCOPES)), data=data
        )
    r = tenant.client.post(created.path, headers=header, follow_redirects=False)
    assert r.status_code == 403 and "set-cookie" not in r.headers
    ok = tenant.client.post(created.path, follow_redirects=False)
    assert ok.status_code == 303
