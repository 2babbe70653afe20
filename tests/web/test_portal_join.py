"""The member portal's join / sign-in form, SSO hand-off, sign-out and home in-process
(FastAPI TestClient against the suite's real database): one answer for a known and an
unknown email, the hourly mail limits, banned members, referral codes, the enrolment
capture, the magic link it mails, and the pages a member sees."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from punchcard.config import Settings
from punchcard.identity import member_sessions
from punchcard.identity.member_sessions import PORTAL_COOKIE, MemberSessionKind
from punchcard.models import Member, MemberSession, ReferralCode
from tests.api.native.test_members import make_member
from tests.conftest import TestClock as Clock
from tests.factories import Tenant, award, unique

QR_SVG = re.compile(r'<svg role="img" aria-label="[^"]*QR[^"]*"')


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A client of its own (own cookies), from an address of its own: the hourly mail
    limit per client address is not shared with other tests."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    with_address = TestClient(app, client=(address, 40000), follow_redirects=False)
    yield with_address
    with_address.close()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def join(client: TestClient, t: Tenant, email: str, *, query: str = "", **fields: str) -> Any:
    form = client.get(f"/portal/{t.partner_id}/join{query}")
    assert form.status_code == 200, form.text
    hidden = dict(re.findall(r'type="hidden" name="(next|ref)" value="([^"]*)"', form.text))
    data = {"csrf": csrf_of(form.text), "email": email, **hidden, **fields}
    return client.post(f"/portal/{t.partner_id}/join", data=data)


def mails_to(settings: Settings, email: str) -> list[str]:
    """The bodies of the ``.eml`` files addressed to ``email``, oldest first."""
    found = []
    for path in sorted(Path(settings.mail_dir).glob("*.eml")):
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        if msg["To"] == email:
            found.append(msg.get_body().get_content())  # type: ignore[union-attr]
    return found


def link_path(body: str, t: Tenant) -> str:
    found = re.search(rf"https?://[^/\s]+(/portal/{t.partner_id}/magic/\S+)", body)
    assert found, body
    return found.group(1)


def member_by_email(t: Tenant, email: str) -> Member | None:
    with t.db.transaction(write=False) as s:
        return s.scalar(select(Member).where(Member.tenant_id == t.id, Member.email == email))


def sign_in(client: TestClient, t: Tenant, settings: Settings, email: str, **kw: Any) -> Any:
    """Join with ``email``, open the mailed link, press Sign in: the 303 it answers."""
    assert join(client, t, email, **kw).status_code == 200
    path = link_path(mails_to(settings, email)[-1], t)
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Sign in" in confirm.text
    # A browser sends the button's POST with its real Origin (not "null"): same-origin.
    assert confirm.headers["referrer-policy"] == "same-origin"
    return client.post(path)


def test_the_answer_is_the_same_for_a_known_and_an_unknown_email(
    browser: TestClient, tenant: Tenant, settings: Settings
) -> None:
    known = make_member(tenant)["email"]
    unknown = f"{unique('new')}@example.com"
    answers = [join(browser, tenant, email) for email in (known, unknown)]
    assert [a.status_code for a in answers] == [200, 200]
    texts = [a.text.replace(e, "EMAIL") for a, e in zip(answers, (known, unknown), strict=True)]
    texts = [re.sub(r'value="[^"]+"', "", t) for t in texts]  # the CSRF token
    assert texts[0] == texts[1] and "Check your email" in texts[0]
    # Both got a link; the unknown email is a member now.
    assert len(mails_to(settings, known)) == 1 and len(mails_to(settings, unknown)) == 1
    assert member_by_email(tenant, unknown) is not None


def test_a_new_email_is_enrolled_from_the_portal_with_its_capture(
    browser: TestClient, tenant: Tenant
) -> None:
    email = f"{unique('cap')}@example.com"
    r = join(browser, tenant, email, first_name="Ada", last_name="Lovelace", phone="")
    assert r.status_code == 200, r.text
    member = member_by_email(tenant, email)
    assert member is not None and member.source == "portal"
    assert (member.first_name, member.last_name) == ("Ada", "Lovelace")
    caps = tenant.api.get("/captures", params={"memberId": f"mem_{member.id.hex}"}).json()
    assert [(c["source"], c["isNewMember"]) for c in caps["captures"]] == [("portal", True)]


def test_a_known_email_keeps_its_name_whatever_the_form_says(
    browser: TestClient, tenant: Tenant
) -> None:
    m = make_member(tenant, firstName="Grace")
    join(browser, tenant, m["email"], first_name="Mallory")
    assert tenant.api.get(f"/members/{m['id']}").json()["firstName"] == "Grace"


def test_the_mailed_link_signs_in_and_home_shows_balance_and_qr(
    browser: TestClient, tenant: Tenant, settings: Settings
) -> None:
    m = make_member(tenant, firstName="Grace", lastName="Hopper")
    award(tenant, m["id"], 120)
    signed = sign_in(browser, tenant, settings, m["email"])
    assert signed.status_code == 303 and signed.headers["location"] == (
        f"/portal/{tenant.partner_id}/"
    )
    assert signed.cookies[PORTAL_COOKIE].startswith("fl_mbr_")
    home = browser.get(signed.headers["location"])
    assert home.status_code == 200, home.text
    assert 'id="balance">120<' in home.text and "Grace Hopper" in home.text
    assert QR_SVG.search(home.text), home.text
    assert f'hx-get="/portal/{tenant.partner_id}/qr"' in home.text
    assert 'hx-trigger="every 60s"' in home.text
    assert "<script>" not in home.text  # CSP: no inline script
    fragment = browser.get(f"/portal/{tenant.partner_id}/qr")
    assert fragment.status_code == 200 and QR_SVG.search(fragment.text)
    assert "<html" not in fragment.text


def test_the_link_returns_to_next(browser: TestClient, tenant: Tenant, settings: Settings) -> None:
    m = make_member(tenant)
    first = browser.get(f"/portal/{tenant.partner_id}/history")
    assert first.status_code == 303
    assert first.headers["location"] == (
        f"/portal/{tenant.partner_id}/join?next=/portal/{tenant.partner_id}/history"
    )
    signed = sign_in(browser, tenant, settings, m["email"], query="?next=" + (
        f"/portal/{tenant.partner_id}/history"
    ))  # fmt: skip
    assert signed.headers["location"] == f"/portal/{tenant.partner_id}/history"
    # A next outside this portal is ignored: home.
    other = make_member(tenant)
    fresh = sign_in(browser, tenant, settings, other["email"], query="?next=//evil.example/x")
    assert fresh.headers["location"] == f"/portal/{tenant.partner_id}/"


def test_the_sixth_mail_in_an_hour_to_one_email_is_not_sent(
    browser: TestClient, app: FastAPI, tenant: Tenant, settings: Settings
) -> None:
    email = make_member(tenant)["email"]
    answers = []
    for i in range(6):
        # From a new address each time: only the email's own limit applies.
        client = TestClient(app, client=(f"192.0.2.{i + 10}", 1), follow_redirects=False)
        answers.append(join(client, tenant, email))
    assert {a.status_code for a in answers} == {200}
    assert "Check your email" in answers[5].text
    assert len(mails_to(settings, email)) == 5


def test_the_sixth_mail_in_an_hour_from_one_address_is_not_sent(
    browser: TestClient, tenant: Tenant, settings: Settings
) -> None:
    emails = [make_member(tenant)["email"] for _ in range(6)]
    answers = [join(browser, tenant, email) for email in emails]
    assert {a.status_code for a in answers} == {200}
    assert [len(mails_to(settings, e)) for e in emails] == [1, 1, 1, 1, 1, 0]
    # Nothing was enrolled for an unknown email over the limit either.
    newcomer = f"{unique('late')}@example.com"
    assert join(browser, tenant, newcomer).status_code == 200
    assert member_by_email(tenant, newcomer) is None and mails_to(settings, newcomer) == []


def test_a_banned_member_gets_no_link(
    browser: TestClient, tenant: Tenant, settings: Settings
) -> None:
    m = make_member(tenant)
    assert tenant.api.patch(f"/members/{m['id']}", json={"status": "banned"}).status_code == 200
    r = join(browser, tenant, m["email"])
    assert r.status_code == 200 and "Check your email" in r.text
    assert mails_to(settings, m["email"]) == []


def test_the_referral_code_of_the_join_link_is_honoured(
    browser: TestClient, tenant: Tenant
) -> None:
    friend = make_member(tenant)
    code = friend["referralCode"]
    email = f"{unique('ref')}@example.com"
    assert join(browser, tenant, email, query=f"?ref={code}").status_code == 200
    member = member_by_email(tenant, email)
    assert member is not None and member.referred_by_code_id is not None
    with tenant.db.transaction(write=False) as s:
        row = s.get(ReferralCode, (tenant.id, member.referred_by_code_id))
        assert row is not None and row.code == code
    # An unknown code enrols the member all the same, unattributed.
    stray = f"{unique('ref')}@example.com"
    assert join(browser, tenant, stray, query="?ref=NOSUCHCODE").status_code == 200
    joined = member_by_email(tenant, stray)
    assert joined is not None and joined.referred_by_code_id is None


def test_a_bad_email_or_phone_is_named_and_nothing_is_sent(
    browser: TestClient, tenant: Tenant, settings: Settings
) -> None:
    r = join(browser, tenant, "not-an-email")
    assert r.status_code == 400 and "Email is not a valid email address" in r.text
    assert 'aria-describedby="email-error"' in r.text
    email = f"{unique('ph')}@example.com"
    r = join(browser, tenant, email, phone="call me maybe")
    assert r.status_code == 400 and "Phone:" in r.text
    assert member_by_email(tenant, email) is None and mails_to(settings, email) == []
    empty = join(browser, tenant, "")
    assert empty.status_code == 400 and "Email is required" in empty.text


def test_a_join_without_the_csrf_token_is_refused(browser: TestClient, tenant: Tenant) -> None:
    browser.get(f"/portal/{tenant.partner_id}/join")
    email = f"{unique('x')}@example.com"
    r = browser.post(f"/portal/{tenant.partner_id}/join", data={"email": email})
    assert r.status_code == 403 and member_by_email(tenant, email) is None


def test_an_unknown_portal_is_a_404_page(browser: TestClient) -> None:
    for path in ("/portal/pt_nobody/join", "/portal/pt_nobody/", "/portal/pt_nobody/sso"):
        r = browser.get(path)
        assert r.status_code == 404 and "no such portal" in r.text, path
    r = browser.post("/portal/pt_nobody/sso", data={"sessionToken": "x"})
    assert r.status_code == 404 and "no such portal" in r.text


def test_not_signed_in_goes_to_join(browser: TestClient, tenant: Tenant) -> None:
    r = browser.get(f"/portal/{tenant.partner_id}/")
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/portal/{tenant.partner_id}/join?next=")
    # htmx (the QR refresh) is told where to go instead.
    hx = browser.get(f"/portal/{tenant.partner_id}/qr", headers={"HX-Request": "true"})
    assert hx.status_code == 204 and "/join" in hx.headers["HX-Redirect"]


def sso_token(t: Tenant, member_id: str) -> str:
    """What the SSO endpoint (``sso.service.recognize``) hands the widget."""
    with t.db.transaction() as s:
        member = s.get(Member, (t.id, uuid.UUID(member_id.split("_", 1)[1])))
        assert member is not None
        return member_sessions.open_session(
            s, member, kind=MemberSessionKind.sso, ttl_seconds=3600
        ).token


def portal_sessions(t: Tenant, member_id: str) -> int:
    """How many portal sessions the member has (open or not)."""
    query = (
        select(func.count())
        .select_from(MemberSession)
        .where(
            MemberSession.tenant_id == t.id,
            MemberSession.member_id == uuid.UUID(member_id.split("_", 1)[1]),
            MemberSession.kind == MemberSessionKind.portal.value,
        )
    )
    with t.db.transaction(write=False) as s:
        return s.scalar(query) or 0


def portal_cookie_set(r: Any) -> bool:
    return any(h.startswith(f"{PORTAL_COOKIE}=") for h in r.headers.get_list("set-cookie"))


def sso_page(client: TestClient, t: Tenant, token: str) -> Any:
    return client.get(f"/portal/{t.partner_id}/sso", params={"sessionToken": token})


def press_continue(client: TestClient, t: Tenant, page: str, **headers: str) -> Any:
    """POST the confirmation page's form as a browser would (its hidden field)."""
    action = re.search(r'<form method="post" action="([^"]+)"', page)
    token = re.search(r'type="hidden" name="sessionToken" value="([^"]*)"', page)
    assert action and token, page
    assert action.group(1) == f"/portal/{t.partner_id}/sso"
    return client.post(action.group(1), data={"sessionToken": token.group(1)}, headers=headers)


def test_the_sso_link_only_shows_a_button_and_opens_nothing(
    browser: TestClient, tenant: Tenant
) -> None:
    m = make_member(tenant, firstName="Sso")
    token = sso_token(tenant, m["id"])
    for _ in range(2):  # a link scanner's fetch, then the member's
        r = sso_page(browser, tenant, token)
        assert r.status_code == 200, r.text
        assert "Continue to Acme Coffee's portal" in r.text
        assert not portal_cookie_set(r) and PORTAL_COOKIE not in browser.cookies
    # The button's POST carries the real Origin in Chromium (not "null"): same-origin.
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cache-control"] == "no-store"
    assert portal_sessions(tenant, m["id"]) == 0
    home = browser.get(f"/portal/{tenant.partner_id}/")
    assert home.status_code == 303 and "/join" in home.headers["location"]


def test_the_sso_button_opens_the_portal(browser: TestClient, tenant: Tenant) -> None:
    m = make_member(tenant, firstName="Sso")
    token = sso_token(tenant, m["id"])
    page = sso_page(browser, tenant, token)
    r = press_continue(browser, tenant, page.text, Origin="http://testserver")
    assert r.status_code == 303 and r.headers["location"] == f"/portal/{tenant.partner_id}/"
    cookie = r.cookies[PORTAL_COOKIE]
    assert cookie.startswith("fl_mbr_") and cookie != token  # a session of its own
    assert portal_sessions(tenant, m["id"]) == 1
    header = next(h for h in r.headers.get_list("set-cookie") if h.startswith(PORTAL_COOKIE))
    flags = [f.strip().lower() for f in header.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # plain http here
    home = browser.get(r.headers["location"])
    assert home.status_code == 200 and "Sso" in home.text


def test_the_sso_cookie_is_secure_over_https(app: FastAPI, tenant: Tenant) -> None:
    m = make_member(tenant)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        page = sso_page(c, tenant, sso_token(tenant, m["id"]))
        r = press_continue(c, tenant, page.text)
    assert r.status_code == 303
    header = next(h for h in r.headers.get_list("set-cookie") if h.startswith(PORTAL_COOKIE))
    assert "secure" in [f.strip().lower() for f in header.split(";")]


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
)
def test_a_cross_site_sso_post_is_refused_and_opens_nothing(
    browser: TestClient, tenant: Tenant, headers: dict[str, str]
) -> None:
    m = make_member(tenant)
    token = sso_token(tenant, m["id"])
    r = browser.post(
        f"/portal/{tenant.partner_id}/sso", data={"sessionToken": token}, headers=headers
    )
    assert r.status_code == 403 and "Sign-in refused" in r.text
    assert not portal_cookie_set(r) and portal_sessions(tenant, m["id"]) == 0
    # The same token from our own page still works: the refusal spent nothing.
    ok = press_continue(browser, tenant, sso_page(browser, tenant, token).text)
    assert ok.status_code == 303 and portal_sessions(tenant, m["id"]) == 1


def test_an_invalid_or_foreign_sso_token_is_a_page_saying_so(
    browser: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = sso_token(other_tenant, make_member(other_tenant)["id"])
    for token in ("", "garbage", "fl_mbr_" + "0" * 32 + "_x", theirs):
        r = sso_page(browser, tenant, token)
        assert r.status_code == 401 and "not valid" in r.text, token
        assert "sessionToken" not in r.text and not portal_cookie_set(r)


def test_an_invalid_sso_token_posted_is_a_page_saying_so_and_opens_nothing(
    browser: TestClient, tenant: Tenant, clock: Clock
) -> None:
    m = make_member(tenant)
    revoked = sso_token(tenant, m["id"])
    with tenant.db.transaction() as s:
        principal = member_sessions.resolve(s, revoked)
        assert principal.session_id is not None
        member_sessions.revoke(s, principal, session_id=principal.session_id)
    expired = sso_token(tenant, m["id"])
    clock.advance(seconds=3601)
    url = f"/portal/{tenant.partner_id}/sso"
    for data in ({}, {"sessionToken": ""}, {"sessionToken": "garbage"}, {"sessionToken": revoked},
                 {"sessionToken": expired}):  # fmt: skip
        r = browser.post(url, data=data)
        assert r.status_code == 401 and "not valid" in r.text, data
        assert not portal_cookie_set(r)
    assert portal_sessions(tenant, m["id"]) == 0


def test_another_tenants_sso_token_opens_nothing_here(
    browser: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = make_member(other_tenant)
    token = sso_token(other_tenant, theirs["id"])
    r = browser.post(f"/portal/{tenant.partner_id}/sso", data={"sessionToken": token})
    assert r.status_code == 401 and "not valid" in r.text and not portal_cookie_set(r)
    assert portal_sessions(other_tenant, theirs["id"]) == 0
    # It is a valid token, of its own portal.
    page = sso_page(browser, other_tenant, token)
    assert press_continue(browser, other_tenant, page.text).status_code == 303


def test_sign_out_ends_the_session_and_clears_the_cookie(
    browser: TestClient, tenant: Tenant, settings: Settings
) -> None:
    m = make_member(tenant)
    signed = sign_in(browser, tenant, settings, m["email"])
    token = signed.cookies[PORTAL_COOKIE]
    home = browser.get(f"/portal/{tenant.partner_id}/")
    # Without the form's token: refused, still signed in.
    assert browser.post(f"/portal/{tenant.partner_id}/sign-out").status_code == 403
    assert browser.get(f"/portal/{tenant.partner_id}/").status_code == 200
    out = browser.post(f"/portal/{tenant.partner_id}/sign-out", data={"csrf": csrf_of(home.text)})
    assert out.status_code == 303 and "/join" in out.headers["location"]
    assert f'{PORTAL_COOKIE}=""' in out.headers["set-cookie"]
    assert PORTAL_COOKIE not in browser.cookies
    # The old token is dead even if replayed.
    stale = TestClient(browser.app, cookies={PORTAL_COOKIE: token}, follow_redirects=False)
    assert stale.get(f"/portal/{tenant.partner_id}/").status_code == 303


def test_home_shows_pending_tier_progress_and_expiries(
    browser: TestClient, tenant: Tenant, settings: Settings
) -> None:
    assert (
        tenant.api.post(
            "/tiers", json={"name": "Gold", "minPoints": 500, "position": 1}
        ).status_code
        == 201
    )
    m = make_member(tenant)
    soon = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    award(tenant, m["id"], 200, expiresAt=soon.isoformat().replace("+00:00", "Z"))
    sign_in(browser, tenant, settings, m["email"])
    home = browser.get(f"/portal/{tenant.partner_id}/")
    assert home.status_code == 200
    assert 'id="pending">0<' in home.text
    assert "300 points to Gold" in home.text
    assert '<progress id="tier-progress"' in home.text and 'value="200" max="500"' in home.text
    assert "Upcoming expiries" in home.text and ">200<" in home.text


def test_the_home_page_escapes_and_belongs_to_its_tenant(
    browser: TestClient, tenant: Tenant, other_tenant: Tenant, settings: Settings
) -> None:
    m = make_member(tenant, firstName="<b>x</b>")
    sign_in(browser, tenant, settings, m["email"])
    home = browser.get(f"/portal/{tenant.partner_id}/")
    assert "<b>x</b>" not in home.text and "&lt;b&gt;x&lt;/b&gt;" in home.text
    theirs = browser.get(f"/portal/{other_tenant.partner_id}/")
    assert theirs.status_code == 303 and "/join" in theirs.headers["location"]
