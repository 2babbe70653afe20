"""The dashboard's members pages over HTTP, in process: the search finds a member by
each kind of identity (a phone however written), a member page is a 404 for another
tenant's id or a malformed one, and the changes (adjust points, enrol, ban) keep the
rules: CSRF, admins and owners only, bad input re-rendered with nothing written, each
change audited with the user."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from urllib.parse import unquote_plus

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from punchcard.models import AuditRecord, User
from tests.factories import PASSWORD, Tenant, award, new_user, unique


@pytest.fixture(autouse=True)
def _signed_out(client: TestClient) -> Iterator[None]:
    client.cookies.clear()
    yield
    client.cookies.clear()


def _csrf(client: TestClient, path: str) -> str:
    html = client.get(path).text
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def log_in(client: TestClient, email: str) -> None:
    token = _csrf(client, "/dashboard/login")
    r = client.post(
        "/dashboard/login",
        data={"email": email, "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def make_user(t: Tenant, role: str) -> str:
    """A user of ``t`` with ``role`` (as ``make_tenant`` writes the owner); its email."""
    return new_user(t, role)[1]


def enrol(t: Tenant, **body: str) -> str:
    r = t.api.post("/members", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def balance(t: Tenant, member_id: str) -> int:
    r = t.api.get(f"/members/{member_id}")
    assert r.status_code == 200, r.text
    return int(r.json()["pointsBalance"])


def _member_links(html: str) -> list[str]:
    return re.findall(r'href="/dashboard/members/(mem_[0-9a-f]{32})"', html)


def test_the_search_finds_a_member_by_each_identity(client: TestClient, tenant: Tenant) -> None:
    tag = uuid.uuid4().hex[:8]
    ada = enrol(
        tenant,
        email=f"ada-{tag}@example.com",
        phone="+12125550147",
        firstName="Ada",
        lastName=f"Lovelace{tag}",
        externalId=f"crm-{tag}",
    )
    other = enrol(tenant, email=f"grace-{tag}@example.com", firstName="Grace")
    log_in(client, tenant.owner_email)
    for query in (
        f"ADA-{tag}@example.com",  # an email, as typed
        "(212) 555-0147",  # the phone written nationally (the tenant's country is the US)
        "+1 212-555-0147",
        f"crm-{tag}",  # the external id
        f"lovelace{tag}",  # a part of the name
        f"Ada Lovelace{tag}",  # the full name
    ):
        r = client.get("/dashboard/members", params={"q": query})
        assert r.status_code == 200, query
        found = _member_links(r.text)
        assert found == [ada], (query, found)
        assert other not in found
    recent = client.get("/dashboard/members")
    links = _member_links(recent.text)
    assert links[:2] == [other, ada]  # an empty query: the newest members first
    assert "Recent members" in recent.text
    none = client.get("/dashboard/members", params={"q": f"nobody-{tag}"})
    assert none.status_code == 200 and _member_links(none.text) == []
    assert "No member matches" in none.text


def test_the_search_pages_through_its_results(client: TestClient, tenant: Tenant) -> None:
    tag = uuid.uuid4().hex[:8]
    made = [enrol(tenant, email=f"page{i}-{tag}@example.com") for i in range(23)]
    log_in(client, tenant.owner_email)
    first = client.get("/dashboard/members", params={"q": tag})
    assert _member_links(first.text) == made[::-1][:20]
    assert "Next page" in first.text and "Previous page" not in first.text
    second = client.get("/dashboard/members", params={"q": tag, "offset": "20"})
    assert _member_links(second.text) == made[::-1][20:]
    assert "Previous page" in second.text and "Next page" not in second.text
    bad = client.get("/dashboard/members", params={"offset": "many"})
    assert bad.status_code == 400 and "offset" in bad.text


def test_a_member_page_shows_the_member(client: TestClient, tenant: Tenant) -> None:
    tag = uuid.uuid4().hex[:8]
    mid = enrol(tenant, email=f"show-{tag}@example.com", firstName="Show", lastName="Me")
    award(tenant, mid, 120, description="Welcome gift")
    award(tenant, mid, 30, description="Birthday")
    log_in(client, tenant.owner_email)
    r = client.get(f"/dashboard/members/{mid}")
    assert r.status_code == 200
    html = r.text
    assert f"show-{tag}@example.com" in html and "Show Me" in html
    assert re.search(r'id="balance">150<', html)
    # Newest first: the birthday entry comes before the welcome gift.
    assert html.index("Birthday") < html.index("Welcome gift")
    assert "Adjust points" in html and 'name="csrf"' in html


def test_another_tenants_member_or_a_malformed_id_is_a_404_page(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = enrol(other_tenant, email=f"{unique('theirs')}@example.com")
    log_in(client, tenant.owner_email)
    for path in (
        f"/dashboard/members/{theirs}",
        "/dashboard/members/mem_nothex",
        "/dashboard/members/mem_" + "0" * 31,
        f"/dashboard/members/mem_{uuid.uuid4().hex}",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Not found" in r.text and "<html" in r.text
    token = _csrf(client, "/dashboard/members")
    r = client.post(
        f"/dashboard/members/{theirs}/points",
        data={"amount": "10", "reason": "steal", "csrf": token},
    )
    assert r.status_code == 404
    assert balance(other_tenant, theirs) == 0


def test_adjusting_points_awards_and_deducts_through_the_ledger(
    client: TestClient, tenant: Tenant
) -> None:
    mid = enrol(tenant, email=f"{unique('adj')}@example.com")
    log_in(client, tenant.owner_email)
    token = _csrf(client, f"/dashboard/members/{mid}")
    r = client.post(
        f"/dashboard/members/{mid}/points",
        data={"amount": "+250", "reason": "Goodwill", "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/dashboard/members/{mid}?notice=")
    assert "balance 250" in unquote_plus(r.headers["location"])
    assert balance(tenant, mid) == 250
    r = client.post(
        f"/dashboard/members/{mid}/points",
        data={"amount": "-100", "reason": "Correction", "csrf": token},
    )
    assert r.status_code == 200 and "Deducted 100 points" in r.text
    assert balance(tenant, mid) == 150
    ledger = tenant.api.get(f"/members/{mid}/points").json()["transactions"]
    assert [(e["type"], e["amount"], e["description"]) for e in ledger] == [
        ("deduct", -100, "Correction"),
        ("award", 250, "Goodwill"),
    ]


@pytest.mark.parametrize(
    ("amount", "reason", "field", "words"),
    [
        ("0", "Nothing", "amount", "amount must be a non-zero integer"),
        ("12.5", "Half", "amount", "amount must be a whole number"),
        ("lots", "Many", "amount", "amount must be a whole number"),
        ("", "Empty", "amount", "amount must be a whole number"),
        ("50", "", "reason", "reason is required"),
        ("50", "x" * 501, "reason", "reason may have at most 500"),
        ("-500", "Too much", "amount", "The member has 100 points available; 500 requested"),
    ],
)
def test_bad_input_re_renders_the_form_and_writes_nothing(
    client: TestClient, tenant: Tenant, amount: str, reason: str, field: str, words: str
) -> None:
    mid = enrol(tenant, email=f"{unique('bad')}@example.com")
    award(tenant, mid, 100)
    log_in(client, tenant.owner_email)
    token = _csrf(client, f"/dashboard/members/{mid}")
    r = client.post(
        f"/dashboard/members/{mid}/points",
        data={"amount": amount, "reason": reason, "csrf": token},
    )
    assert r.status_code == 400
    assert words in r.text
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', r.text)
    assert f'value="{amount}"' in r.text  # what was typed stays in the form
    assert balance(tenant, mid) == 100
    entries = tenant.api.get(f"/members/{mid}/points").json()["transactions"]
    assert len(entries) == 1


def test_an_adjustment_without_the_csrf_token_is_refused(
    client: TestClient, tenant: Tenant
) -> None:
    mid = enrol(tenant, email=f"{unique('csrf')}@example.com")
    log_in(client, tenant.owner_email)
    r = client.post(f"/dashboard/members/{mid}/points", data={"amount": "50", "reason": "x"})
    assert r.status_code == 403
    forged = client.post(
        f"/dashboard/members/{mid}/points", data={"amount": "50", "reason": "x", "csrf": "forged"}
    )
    assert forged.status_code == 403
    assert balance(tenant, mid) == 0


def test_a_viewer_sees_the_member_but_cannot_change_it(client: TestClient, tenant: Tenant) -> None:
    mid = enrol(tenant, email=f"{unique('view')}@example.com")
    award(tenant, mid, 40)
    log_in(client, make_user(tenant, "viewer"))
    page = client.get(f"/dashboard/members/{mid}")
    assert page.status_code == 200 and re.search(r'id="balance">40<', page.text)
    assert f"/dashboard/members/{mid}/points" not in page.text
    assert f"/dashboard/members/{mid}/status" not in page.text
    assert "Enrol a member" not in client.get("/dashboard/members").text
    assert client.get("/dashboard/members/new").status_code == 403
    token = _csrf(client, f"/dashboard/members/{mid}")
    for path, data in (
        (f"/dashboard/members/{mid}/points", {"amount": "500", "reason": "me"}),
        (f"/dashboard/members/{mid}/status", {"status": "banned"}),
        ("/dashboard/members/new", {"email": f"{unique('sneak')}@example.com"}),
    ):
        r = client.post(path, data={**data, "csrf": token})
        assert r.status_code == 403, path
        assert "Not allowed" in r.text
    assert balance(tenant, mid) == 40
    assert tenant.api.get(f"/members/{mid}").json()["status"] == "active"
    assert tenant.api.get("/members", params={"q": "sneak"}).json()["total"] == 0


def test_an_adjustment_is_audited_with_the_user(client: TestClient, tenant: Tenant) -> None:
    mid = enrol(tenant, email=f"{unique('audit')}@example.com")
    admin = make_user(tenant, "admin")
    log_in(client, admin)
    token = _csrf(client, f"/dashboard/members/{mid}")
    path = f"/dashboard/members/{mid}/points"
    r = client.post(path, data={"amount": "7", "reason": "Audit me", "csrf": token})
    assert r.status_code == 200 and balance(tenant, mid) == 7
    client.app.state.audit.flush()  # type: ignore[attr-defined]
    with tenant.db.transaction() as s:
        user_id = s.scalar(select(User.id).where(User.email == admin))
        rows = s.scalars(
            select(AuditRecord).where(AuditRecord.tenant_id == tenant.id, AuditRecord.path == path)
        ).all()
    assert [(a.user_id, a.method, a.status, a.api_key_id) for a in rows] == [
        (user_id, "POST", 303, None)
    ]


def test_banning_and_unbanning_a_member(client: TestClient, tenant: Tenant) -> None:
    mid = enrol(tenant, email=f"{unique('ban')}@example.com")
    log_in(client, tenant.owner_email)
    token = _csrf(client, f"/dashboard/members/{mid}")
    r = client.post(f"/dashboard/members/{mid}/status", data={"status": "banned", "csrf": token})
    assert r.status_code == 200 and "Member banned" in r.text
    assert re.search(r'id="member-status">banned<', r.text)
    assert "Unban member" in r.text
    assert tenant.api.get(f"/members/{mid}").json()["status"] == "banned"
    r = client.post(f"/dashboard/members/{mid}/status", data={"status": "active", "csrf": token})
    assert r.status_code == 200 and "Member unbanned" in r.text
    assert tenant.api.get(f"/members/{mid}").json()["status"] == "active"
    bad = client.post(f"/dashboard/members/{mid}/status", data={"status": "gone", "csrf": token})
    assert bad.status_code == 400 and "status must be banned or active" in bad.text


def test_enrolling_a_member_and_a_duplicate_email(client: TestClient, tenant: Tenant) -> None:
    email = f"{unique('new')}@example.com"
    log_in(client, tenant.owner_email)
    token = _csrf(client, "/dashboard/members/new")
    form = {"email": email, "phone": "(212) 555-0199", "first_name": "New", "last_name": "One"}
    r = client.post("/dashboard/members/new", data={**form, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and "notice=Member+enrolled" in r.headers["location"]
    mid = r.headers["location"].split("/")[-1].split("?")[0]
    made = tenant.api.get(f"/members/{mid}").json()
    assert (made["email"], made["phone"], made["firstName"]) == (email, "+12125550199", "New")
    again = client.post(
        "/dashboard/members/new", data={**form, "phone": "", "email": email.upper(), "csrf": token}
    )
    assert again.status_code == 409
    assert "A member with this email already exists" in again.text
    assert re.search(r'id="email"[^>]*aria-invalid="true"', again.text)
    empty = client.post("/dashboard/members/new", data={"first_name": "Nobody", "csrf": token})
    assert empty.status_code == 400 and "Enter an email or a phone" in empty.text
    bad_phone = client.post(
        "/dashboard/members/new", data={"phone": "12", "first_name": "Short", "csrf": token}
    )
    assert bad_phone.status_code == 400 and "phone must be a phone number" in bad_phone.text
    assert tenant.api.get("/members", params={"q": "Nobody"}).json()["total"] == 0
    assert tenant.api.get("/members", params={"q": "Short"}).json()["total"] == 0


def test_a_bad_ledger_page_is_a_400_naming_it(client: TestClient, tenant: Tenant) -> None:
    mid = enrol(tenant, email=f"{unique('q')}@example.com")
    log_in(client, tenant.owner_email)
    for value in ("9999999999", "-1", "x"):
        r = client.get(f"/dashboard/members/{mid}", params={"ledger": value})
        assert r.status_code == 400 and "ledger" in r.text, value
