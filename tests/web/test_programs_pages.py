"""The dashboard's programs pages in-process (a real database, the app over TestClient):
earning rules, tiers, rewards, coupon pools with the CSV upload of codes, quests and
the referral settings. Each change: good input written (seen over the API), bad input
the form again with a message naming the field and nothing written, a viewer 403,
another tenant's id the 404 page."""

from __future__ import annotations

import re
import uuid
from html import unescape
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.factories import PASSWORD, Tenant, make_pool, new_user

P = "/dashboard/programs"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log the client in to the dashboard; the CSRF token for its forms."""
    client.cookies.clear()
    token = csrf_of(client.get("/dashboard/login").text)
    r = client.post(
        "/dashboard/login",
        data={"email": email, "password": password, "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return token


def add_viewer(t: Tenant) -> str:
    """A viewer of ``t`` (password ``PASSWORD``): their email."""
    return new_user(t, "viewer")[1]


def post(client: TestClient, path: str, token: str, **data: Any) -> Response:
    return client.post(path, data={"csrf": token, **data}, follow_redirects=False)


def uid(prefixed: str) -> str:
    """The UUID of an API id (``act_…``)."""
    return str(uuid.UUID(prefixed.split("_", 1)[1]))


def alert(html: str) -> str:
    found = re.search(r'role="alert"[^>]*>([^<]+)<', html)
    assert found, html[:2000]
    return unescape(found.group(1))


RULE = {
    "name": "Left a review",
    "kind": "fixed",
    "points": "25",
    "multiplier": "1",
    "approval": "immediate",
    "is_active": "1",
}


def activities(t: Tenant) -> list[dict[str, Any]]:
    r = t.api.get("/activities")
    assert r.status_code == 200, r.text
    return list(r.json()["activities"])


# The index -------------------------------------------------------------------------


def test_the_index_links_every_part(client: TestClient, tenant: Tenant) -> None:
    sign_in(client, tenant.owner_email)
    r = client.get(P)
    assert r.status_code == 200
    for part in ("activities", "tiers", "rewards", "coupons", "quests", "referrals"):
        assert f'href="{P}/{part}"' in r.text
        assert client.get(f"{P}/{part}").status_code == 200


def test_the_pages_need_a_login(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get(f"{P}/activities", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")


# Earning rules ---------------------------------------------------------------------


def test_an_earning_rule_is_created_listed_edited_and_disabled(
    client: TestClient, tenant: Tenant
) -> None:
    token = sign_in(client, tenant.owner_email)
    r = post(client, f"{P}/activities/new", token, **RULE)
    assert r.status_code == 303 and "notice=" in r.headers["location"]
    (made,) = [a for a in activities(tenant) if a["name"] == "Left a review"]
    assert made["points"] == 25 and made["isActive"] is True
    listed = client.get(f"{P}/activities").text
    assert "Left a review" in listed and f"{P}/activities/{uid(made['id'])}" in listed

    edit = client.get(f"{P}/activities/{uid(made['id'])}")
    assert edit.status_code == 200 and 'value="Left a review"' in edit.text
    r = post(
        client,
        f"{P}/activities/{uid(made['id'])}",
        token,
        **{**RULE, "name": "Reviewed", "points": "40", "approval": "manual"},
    )
    assert r.status_code == 303
    (after,) = [a for a in activities(tenant) if a["id"] == made["id"]]
    assert (after["name"], after["points"], after["approval"]) == ("Reviewed", 40, "manual")

    r = post(client, f"{P}/activities/{uid(made['id'])}/active", token, active="0")
    assert r.status_code == 303 and "disabled" in r.headers["location"]
    (off,) = [a for a in activities(tenant) if a["id"] == made["id"]]
    assert off["isActive"] is False
    post(client, f"{P}/activities/{uid(made['id'])}/active", token, active="1")
    (on,) = [a for a in activities(tenant) if a["id"] == made["id"]]
    assert on["isActive"] is True


def test_a_bad_earning_rule_names_the_field_and_writes_nothing(
    client: TestClient, tenant: Tenant
) -> None:
    token = sign_in(client, tenant.owner_email)
    before = len(activities(tenant))
    for field, value, word in [
        ("points", "lots", "Points"),
        ("points", "-5", "Points"),
        ("multiplier", "0", "Multiplier"),
        ("name", "", "Name"),
        ("kind", "double", "Kind"),
    ]:
        r = post(client, f"{P}/activities/new", token, **{**RULE, field: value})
        assert r.status_code == 400, (field, r.text[:300])
        assert alert(r.text).startswith(word), alert(r.text)
        assert f'id="f-{field}"' in r.text and 'aria-invalid="true"' in r.text
    assert len(activities(tenant)) == before
    made = tenant.api.post("/activities", json={"name": "Kept", "points": 5}).json()
    r = post(client, f"{P}/activities/{uid(made['id'])}", token, **{**RULE, "points": "x"})
    assert r.status_code == 400 and "Points" in alert(r.text)
    (same,) = [a for a in activities(tenant) if a["id"] == made["id"]]
    assert (same["name"], same["points"]) == ("Kept", 5)


def test_a_viewer_sees_the_rules_but_cannot_change_them(client: TestClient, tenant: Tenant) -> None:
    made = tenant.api.post("/activities", json={"name": "Visit", "points": 5}).json()
    token = sign_in(client, add_viewer(tenant))
    listed = client.get(f"{P}/activities")
    assert listed.status_code == 200 and "Visit" in listed.text
    assert "New earning rule" not in listed.text
    assert post(client, f"{P}/activities/new", token, **RULE).status_code == 403
    r = post(client, f"{P}/activities/{uid(made['id'])}/active", token, active="0")
    assert r.status_code == 403
    assert [a["name"] for a in activities(tenant)].count("Left a review") == 0
    (same,) = [a for a in activities(tenant) if a["id"] == made["id"]]
    assert same["isActive"] is True


def test_another_tenants_rule_is_a_404_page(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = other_tenant.api.post("/activities", json={"name": "Theirs", "points": 5}).json()
    token = sign_in(client, tenant.owner_email)
    for r in (
        client.get(f"{P}/activities/{uid(theirs['id'])}"),
        post(client, f"{P}/activities/{uid(theirs['id'])}", token, **RULE),
        post(client, f"{P}/activities/{uid(theirs['id'])}/active", token, active="0"),
        client.get(f"{P}/activities/not-a-uuid"),
    ):
        assert r.status_code == 404 and "<h1>Not found</h1>" in r.text
    (same,) = [a for a in activities(other_tenant) if a["id"] == theirs["id"]]
    assert (same["name"], same["isActive"]) == ("Theirs", True)


# Tiers -----------------------------------------------------------------------------

TIER = {
    "name": "Gold",
    "type": "lifetime",
    "position": "2",
    "min_points": "1000",
    "multiplier": "1.5",
    "is_active": "1",
}


def tiers(t: Tenant) -> list[dict[str, Any]]:
    return list(t.api.get("/tiers").json()["tiers"])


def test_a_tier_is_created_listed_and_edited(client: TestClient, tenant: Tenant) -> None:
    token = sign_in(client, tenant.owner_email)
    assert post(client, f"{P}/tiers/new", token, **TIER).status_code == 303
    (gold,) = [t for t in tiers(tenant) if t["name"] == "Gold"]
    assert (gold["minPoints"], gold["position"], gold["multiplier"]) == (1000, 2, "1.5")
    listed = client.get(f"{P}/tiers").text
    assert "Gold" in listed and "1000" in listed and "1.5" in listed
    r = post(
        client,
        f"{P}/tiers/{uid(gold['id'])}",
        token,
        **{**TIER, "min_points": "2000", "is_active": "0"},
    )
    assert r.status_code == 303
    (after,) = [t for t in tiers(tenant) if t["id"] == gold["id"]]
    assert (after["minPoints"], after["isActive"]) == (2000, False)


def test_a_bad_tier_names_the_field_viewer_403_other_tenant_404(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    token = sign_in(client, tenant.owner_email)
    r = post(client, f"{P}/tiers/new", token, **{**TIER, "min_points": "1.5"})
    assert r.status_code == 400 and alert(r.text).startswith("Threshold (points)")
    r = post(client, f"{P}/tiers/new", token, **{**TIER, "multiplier": "abc"})
    assert r.status_code == 400 and alert(r.text).startswith("Multiplier")
    assert not [t for t in tiers(tenant) if t["name"] == "Gold"]
    theirs = other_tenant.api.post("/tiers", json={"name": "Theirs"}).json()
    assert client.get(f"{P}/tiers/{uid(theirs['id'])}").status_code == 404
    assert post(client, f"{P}/tiers/{uid(theirs['id'])}", token, **TIER).status_code == 404
    token = sign_in(client, add_viewer(tenant))
    assert post(client, f"{P}/tiers/new", token, **TIER).status_code == 403
    assert not [t for t in tiers(tenant) if t["name"] == "Gold"]


# Rewards ---------------------------------------------------------------------------

REWARD = {
    "name": "Free coffee",
    "points_cost": "100",
    "type": "product",
    "description": "",
    "stock": "5",
    "is_active": "1",
}


def rewards(t: Tenant) -> list[dict[str, Any]]:
    return list(t.api.get("/rewards").json()["rewards"])


def test_a_reward_is_created_with_stock_edited_and_deactivated(
    client: TestClient, tenant: Tenant
) -> None:
    token = sign_in(client, tenant.owner_email)
    assert post(client, f"{P}/rewards/new", token, **REWARD).status_code == 303
    (made,) = [r for r in rewards(tenant) if r["name"] == "Free coffee"]
    assert (made["pointsCost"], made["stock"], made["type"]) == (100, 5, "product")
    listed = client.get(f"{P}/rewards").text
    assert re.search(r'data-label="Stock left" class="num">5<', listed)
    r = post(
        client,
        f"{P}/rewards/{uid(made['id'])}",
        token,
        **{**REWARD, "points_cost": "150", "stock": ""},
    )
    assert r.status_code == 303
    (after,) = [r for r in rewards(tenant) if r["id"] == made["id"]]
    assert (after["pointsCost"], after["stock"]) == (150, None)
    r = post(client, f"{P}/rewards/{uid(made['id'])}/active", token, active="0")
    assert r.status_code == 303 and "deactivated" in r.headers["location"]
    (off,) = [r for r in rewards(tenant) if r["id"] == made["id"]]
    assert off["isActive"] is False


def test_a_bad_reward_names_the_field_viewer_403_other_tenant_404(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    token = sign_in(client, tenant.owner_email)
    r = post(client, f"{P}/rewards/new", token, **{**REWARD, "points_cost": "0"})
    assert r.status_code == 400 and alert(r.text).startswith("Points cost")
    r = post(client, f"{P}/rewards/new", token, **{**REWARD, "stock": "-1"})
    assert r.status_code == 400 and alert(r.text).startswith("Stock")
    assert not rewards(tenant)
    theirs = other_tenant.api.post("/rewards", json={"name": "T", "pointsCost": 5}).json()
    for r in (
        client.get(f"{P}/rewards/{uid(theirs['id'])}"),
        post(client, f"{P}/rewards/{uid(theirs['id'])}/active", token, active="0"),
    ):
        assert r.status_code == 404
    assert rewards(other_tenant)[0]["isActive"] is True
    token = sign_in(client, add_viewer(tenant))
    assert post(client, f"{P}/rewards/new", token, **REWARD).status_code == 403
    assert not rewards(tenant)


# Coupon pools and the CSV upload ---------------------------------------------------

POOL = {"name": "Summer", "discount_type": "percent", "discount_value": "10", "points_cost": ""}


def pools(t: Tenant) -> list[dict[str, Any]]:
    return list(t.api.get("/coupons/pools").json()["pools"])


def upload(
    client: TestClient,
    path: str,
    token: str,
    content: bytes,
    filename: str = "codes.csv",
    **data: str,
) -> Response:
    return client.post(
        path,
        data={"csrf": token, **data},
        files={"file": (filename, content, "text/csv")},
        follow_redirects=False,
    )


def test_a_pool_is_created_from_a_csv_with_repeats_and_blanks_counted(
    client: TestClient, tenant: Tenant
) -> None:
    token = sign_in(client, tenant.owner_email)
    csv = b"code,note\nSUM-1,a\nSUM-2,b\n\nSUM-1,again\n,\nSUM-3,c\n"
    r = upload(client, f"{P}/coupons/new", token, csv, **POOL)
    assert r.status_code == 303, alert(r.text)
    notice = r.headers["location"]
    assert "3%20codes%20added" in notice and "1%20duplicate%20skipped" in notice
    assert "2%20blank%20lines%20skipped" in notice
    (pool,) = pools(tenant)
    assert (pool["name"], pool["availableCodes"], pool["issuedCodes"]) == ("Summer", 3, 0)
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and re.search(r'id="available">3<', page.text)
    listed = client.get(f"{P}/coupons").text
    assert re.search(r'data-label="Available" class="num">3<', listed)


def test_codes_are_uploaded_to_a_pool_one_per_line(client: TestClient, tenant: Tenant) -> None:
    made = make_pool(tenant, codes=2)
    token = sign_in(client, tenant.owner_email)
    taken = tenant.api.get("/coupons", params={"poolId": made["id"]}).json()["coupons"][0]["code"]
    path = f"{P}/coupons/{uid(made['id'])}/codes"
    r = upload(client, path, token, f"NEW-1\nNEW-2\r\nNEW-2\n\n{taken}\n".encode(), "c.txt")
    assert r.status_code == 303, alert(r.text)
    loc = r.headers["location"]
    assert "2%20codes%20added" in loc and "1%20duplicate%20skipped" in loc
    assert "1%20already%20in%20use%20skipped" in loc
    (pool,) = pools(tenant)
    assert pool["availableCodes"] == 4
    codes = {c["code"] for c in tenant.api.get("/coupons").json()["coupons"]}
    assert {"NEW-1", "NEW-2"} <= codes


def test_an_empty_or_non_csv_file_is_refused_and_nothing_written(
    client: TestClient, tenant: Tenant
) -> None:
    made = make_pool(tenant, codes=1)
    token = sign_in(client, tenant.owner_email)
    path = f"{P}/coupons/{uid(made['id'])}/codes"
    cases = [
        (b"", "codes.csv", "has no codes"),
        (b"\n\n  \n", "codes.csv", "has no codes"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "codes.csv", "not a CSV"),
        (b"A-1\nA-2\n", "codes.xlsx", "upload a .csv or .txt file"),
        (b"GOOD-1\nhas space\n", "codes.csv", "line 2"),
        (b"X" * 1_000_001, "codes.csv", "over 1 MB"),
    ]
    for content, name, words in cases:
        r = upload(client, path, token, content, name)
        assert r.status_code == 400, (name, r.text[:300])
        message = alert(r.text)
        assert message.startswith("Codes file (CSV)") and words in message, message
    r = client.post(path, data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 400 and "choose a file" in alert(r.text)
    assert pools(tenant)[0]["totalCodes"] == 1
    r = upload(client, f"{P}/coupons/new", token, b"", **POOL)
    assert r.status_code == 400 and "has no codes" in alert(r.text)
    assert len(pools(tenant)) == 1


def test_a_bad_pool_names_the_field_viewer_403_other_tenant_404(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    token = sign_in(client, tenant.owner_email)
    r = post(client, f"{P}/coupons/new", token, **{**POOL, "discount_value": "150"})
    assert r.status_code == 400 and alert(r.text).startswith("Discount value")
    r = post(client, f"{P}/coupons/new", token, **{**POOL, "discount_type": "gift"})
    assert r.status_code == 400 and alert(r.text).startswith("Discount type")
    assert not pools(tenant)
    theirs = make_pool(other_tenant, codes=1)
    path = f"{P}/coupons/{uid(theirs['id'])}"
    assert client.get(path).status_code == 404
    assert upload(client, path + "/codes", token, b"Z-1\n").status_code == 404
    assert pools(other_tenant)[0]["totalCodes"] == 1
    token = sign_in(client, add_viewer(tenant))
    assert upload(client, f"{P}/coupons/new", token, b"V-1\n", **POOL).status_code == 403
    assert not pools(tenant)


# Quests ----------------------------------------------------------------------------


def test_a_quest_is_created_and_listed_bad_tasks_refused(
    client: TestClient, tenant: Tenant
) -> None:
    token = sign_in(client, tenant.owner_email)
    quest = {
        "title": "Get started",
        "description": "",
        "status": "active",
        "tasks": "50 Follow us\n20 Share a post",
        "reward_points": "30",
    }
    r = post(client, f"{P}/quests/new", token, **{**quest, "tasks": "fifty Follow us"})
    assert r.status_code == 400 and alert(r.text).startswith("Tasks: line 1")
    r = post(client, f"{P}/quests/new", token, **{**quest, "reward_points": "0"})
    assert r.status_code == 400 and alert(r.text).startswith("Bonus points")
    assert tenant.api.get("/quests").json()["total"] == 0
    assert post(client, f"{P}/quests/new", token, **quest).status_code == 303
    (made,) = tenant.api.get("/quests").json()["quests"]
    assert [(t["title"], t["points"]) for t in made["tasks"]] == [
        ("Follow us", 50),
        ("Share a post", 20),
    ]
    listed = client.get(f"{P}/quests").text
    assert "Get started" in listed and "Share a post (20)" in listed
    token = sign_in(client, add_viewer(tenant))
    assert post(client, f"{P}/quests/new", token, **quest).status_code == 403
    assert tenant.api.get("/quests").json()["total"] == 1


# Referral settings -----------------------------------------------------------------


def test_the_referral_settings_are_shown_and_saved(client: TestClient, tenant: Tenant) -> None:
    token = sign_in(client, tenant.owner_email)
    shown = client.get(f"{P}/referrals").text
    assert 'id="f-points"' in shown and 'value="100"' in shown
    r = post(
        client,
        f"{P}/referrals",
        token,
        points="250",
        approval="manual",
        is_active="1",
        welcome_points="40",
    )
    assert r.status_code == 303
    by_key = {a["key"]: a for a in activities(tenant)}
    assert (by_key["referral"]["points"], by_key["referral"]["approval"]) == (250, "manual")
    assert by_key["referral_welcome"]["points"] == 40
    assert by_key["referral_welcome"]["isActive"] is True
    shown = client.get(f"{P}/referrals").text
    assert 'value="250"' in shown and 'value="40"' in shown
    post(
        client,
        f"{P}/referrals",
        token,
        points="250",
        approval="manual",
        is_active="1",
        welcome_points="0",
    )
    by_key = {a["key"]: a for a in activities(tenant)}
    assert by_key["referral_welcome"]["isActive"] is False
    r = post(
        client,
        f"{P}/referrals",
        token,
        points="-1",
        approval="manual",
        is_active="1",
        welcome_points="0",
    )
    assert r.status_code == 400 and alert(r.text).startswith("Referrer's points")
    assert {a["key"]: a for a in activities(tenant)}["referral"]["points"] == 250
    token = sign_in(client, add_viewer(tenant))
    r = post(
        client,
        f"{P}/referrals",
        token,
        points="1",
        approval="manual",
        is_active="1",
        welcome_points="0",
    )
    assert r.status_code == 403
