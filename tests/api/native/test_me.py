"""``/api/v2/me/...``: the storefront widgets' API, for a member principal only (an SSO
session token as a bearer, or the portal cookie), and its CORS for the tenant's
storefront origins."""

from __future__ import annotations

from typing import Any

import pytest

from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.ids import parse
from punchcard.members import service as members
from tests.factories import Tenant, award, balance, unique, verify_tenant

SHOP = "https://shop.example.com"


def new_member(t: Tenant, **kw: Any) -> str:
    r = t.api.post("/members", json={"email": f"{unique('m')}@example.com", **kw})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def token_of(t: Tenant, member: str, kind: str = "sso") -> str:
    member_id = parse("mem", member)
    assert member_id is not None
    with t.db.transaction() as s:
        row = members.get(s, Principal(t.id, frozenset(ALL_SCOPES)), member_id=member_id)
        return member_sessions.open_session(s, row, kind=kind, ttl_seconds=3600).token  # type: ignore[arg-type]


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def origins(t: Tenant, *listed: str) -> None:
    r = t.api.patch("/settings", json={"storefrontOrigins": list(listed)})
    assert r.status_code == 200, r.text


def test_balance_tier_and_history_paged(tenant: Tenant) -> None:
    m = new_member(tenant, firstName="Ada")
    for n in (10, 20, 30):
        award(tenant, m, n)
    tok = token_of(tenant, m)
    c = tenant.client
    assert c.get("/api/v2/me", headers=bearer(tok)).json()["firstName"] == "Ada"
    bal = c.get("/api/v2/me/balance", headers=bearer(tok)).json()
    assert bal["balance"] == 60 and bal["lifetime"] == 60 and bal["expirationSchedule"] == []
    st = c.get("/api/v2/me/history?limit=2", headers=bearer(tok)).json()
    assert st["total"] == 3 and len(st["transactions"]) == 2
    assert [t["amount"] for t in st["transactions"]] == [30, 20]
    more = c.get("/api/v2/me/history?limit=2&offset=2", headers=bearer(tok)).json()
    assert [t["amount"] for t in more["transactions"]] == [10]
    tier = c.get("/api/v2/me/tier", headers=bearer(tok))
    assert tier.status_code == 200, tier.text
    bad = c.get("/api/v2/me/history?limit=0", headers=bearer(tok))
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "limit"


def test_rewards_and_redeem_and_coupons(tenant: Tenant) -> None:
    m = new_member(tenant)
    award(tenant, m, 150)
    body = {"name": unique("Five off"), "pointsCost": 100, "codes": ["ME-1", "ME-2"]}
    reward = tenant.api.post("/rewards", json=body).json()
    inactive = {"name": unique("Old"), "pointsCost": 1, "isActive": False}
    assert tenant.api.post("/rewards", json=inactive).status_code == 201
    tok = token_of(tenant, m)
    c = tenant.client
    listed = c.get("/api/v2/me/rewards", headers=bearer(tok)).json()
    assert [r["id"] for r in listed["rewards"]] == [reward["id"]]
    done = c.post(f"/api/v2/me/rewards/{reward['id']}/redeem", headers=bearer(tok))
    assert done.status_code == 200, done.text
    code = done.json()["coupon"]["code"]
    assert code in ("ME-1", "ME-2") and done.json()["balance"] == 50
    again = c.post(f"/api/v2/me/rewards/{reward['id']}/redeem", headers=bearer(tok))
    assert again.status_code == 422 and again.json()["error"]["code"] == "INSUFFICIENT_POINTS"
    assert balance(tenant, m) == 50
    mine = c.get("/api/v2/me/coupons", headers=bearer(tok)).json()
    assert [x["code"] for x in mine["coupons"]] == [code]
    verify_tenant(tenant)


def test_another_tenants_reward_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = other_tenant.api.post("/rewards", json={"name": "X", "pointsCost": 1}).json()
    m = new_member(tenant)
    award(tenant, m, 10)
    r = tenant.client.post(
        f"/api/v2/me/rewards/{theirs['id']}/redeem", headers=bearer(token_of(tenant, m))
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    assert balance(tenant, m) == 10


def test_referral_link_and_stats(tenant: Tenant) -> None:
    m = new_member(tenant)
    code = tenant.api.get(f"/members/{m}").json()["referralCode"]
    assert (
        tenant.api.post("/referrals/clicks", json={"code": code, "visitorId": "v"}).status_code
        == 202
    )
    r = tenant.client.get("/api/v2/me/referral", headers=bearer(token_of(tenant, m))).json()
    assert r["code"] == code and r["url"].endswith(f"/r/{code}") and r["clicks"] == 1
    assert r["conversions"] == 0


@pytest.mark.parametrize(
    "path",
    ["/me/balance", "/me/history", "/me/tier", "/me/rewards", "/me/coupons", "/me/referral"],
)
def test_a_key_is_refused_and_nobody_is_401(tenant: Tenant, path: str) -> None:
    assert tenant.api.get(path).status_code == 403
    r = tenant.client.get("/api/v2" + path)
    assert r.status_code == 401 and r.json()["error"]["code"]


def test_the_routes_are_documented(tenant: Tenant) -> None:
    spec = tenant.client.get("/api/v2/openapi.json").json()
    for path in (
        "/me/balance",
        "/me/history",
        "/me/rewards",
        "/me/rewards/{id}/redeem",
        "/me/referral",
    ):
        assert any(p.endswith(path) for p in spec["paths"]), path


# CORS -----------------------------------------------------------------------------------


def test_a_listed_origin_gets_cors_headers_on_the_answer(tenant: Tenant) -> None:
    origins(tenant, SHOP)
    tok = token_of(tenant, new_member(tenant))
    r = tenant.client.get("/api/v2/me/history", headers=bearer(tok, Origin=SHOP))
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == SHOP
    assert r.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in r.headers["vary"]
    # An error the widget must read (signed out) carries them too.
    gone = tenant.client.get("/api/v2/me", headers=bearer(tok[:-3] + "xyz", Origin=SHOP))
    assert gone.status_code == 401 and gone.headers["access-control-allow-origin"] == SHOP


def test_the_portal_cookie_is_read_for_the_tenant(tenant: Tenant) -> None:
    origins(tenant, SHOP)
    tok = token_of(tenant, new_member(tenant), kind="portal")
    headers = {"Cookie": f"{member_sessions.PORTAL_COOKIE}={tok}", "Origin": SHOP}
    r = tenant.client.get("/api/v2/me", headers=headers)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == SHOP


def test_an_unlisted_origin_or_another_tenants_gets_none(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    origins(tenant, SHOP)
    origins(other_tenant, "https://other.example")
    tok = token_of(tenant, new_member(tenant))
    for origin in ("https://evil.example", "https://other.example", SHOP + ":8443"):
        r = tenant.client.get("/api/v2/me", headers=bearer(tok, Origin=origin))
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers
        assert "access-control-allow-credentials" not in r.headers


def test_only_me_paths_get_cors(tenant: Tenant) -> None:
    origins(tenant, SHOP)
    r = tenant.api.get("/stores", headers={"Origin": SHOP})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = tenant.client.options(
        "/api/v2/stores", headers={"Origin": SHOP, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in pre.headers


def test_a_preflight_passes_for_an_origin_some_tenant_lists(tenant: Tenant) -> None:
    shop = f"https://{unique('shop')}.example"
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    before = tenant.client.options("/api/v2/me/rewards/x/redeem", headers={"Origin": shop, **ask})
    assert before.status_code == 204 and "access-control-allow-origin" not in before.headers
    origins(tenant, shop)
    r = tenant.client.options("/api/v2/me/rewards/x/redeem", headers={"Origin": shop, **ask})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == shop
    assert r.headers["access-control-allow-credentials"] == "true"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "Authorization" in r.headers["access-control-allow-headers"]
    assert r.headers["vary"] == "Origin"
    # A look-alike origin (LIKE's wildcards in it) is not listed.
    odd = shop.replace(".example", "_example")
    r = tenant.client.options("/api/v2/me", headers={"Origin": odd, **ask})
    assert "access-control-allow-origin" not in r.headers
