"""``/dashboard/team`` and ``/dashboard/invite/…`` in-process: invite → the mailed link
→ accept → logged in (and can log in again); a used, withdrawn, expired or unknown link
is a page saying so; an email with an account; role changes and removal by the rules
(the last owner stays, owners only for owners); removal ends the user's sessions; a
viewer sees the team and changes nothing; another tenant's user is a 404."""

from __future__ import annotations

import re
import uuid
from html import unescape
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from punchcard.config import Settings
from punchcard.kit.ids import render
from punchcard.models import User
from tests.conftest import TestClock as Clock
from tests.factories import PASSWORD, Tenant, new_user, unique
from tests.web.pages import Browser, link_in

NEW_PASSWORD = "a fresh long passphrase"
LINK = r"http://\S+(/dashboard/invite/[A-Za-z0-9_\-]+)"


def _user(t: Tenant, role: str) -> tuple[uuid.UUID, str]:
    return new_user(t, role)


def _owner_id(t: Tenant) -> uuid.UUID:
    with t.db.transaction(write=False) as s:
        return s.scalars(select(User.id).where(User.email == t.owner_email)).one()


def _as(app: Any, email: str) -> Browser:
    b = Browser(app)
    b.log_in(email, PASSWORD)
    return b


def _invite(b: Browser, settings: Settings, role: str = "viewer") -> tuple[str, str]:
    """Invite a new address; (the address, the link's path read from the mail)."""
    email = f"{unique('invitee')}@example.com"
    b.get("/dashboard/team")
    r = b.post("/dashboard/team/invite", {"email": email, "role": role})
    assert r.status_code == 303, r.text
    assert "Invitation sent" in b.get(r.headers["location"]).text
    return email, link_in(settings, email, LINK)


def _accept(app: Any, path: str, password: str = NEW_PASSWORD, again: str | None = None) -> Any:
    b = Browser(app)
    b.get(path)
    return b, b.post(
        path,
        {
            "name": "New Person",
            "password": password,
            "password_again": password if again is None else again,
        },
    )


def test_an_invitee_accepts_the_mailed_link_and_is_logged_in(
    client: TestClient, app: Any, settings: Settings, tenant: Tenant
) -> None:
    owner = _as(app, tenant.owner_email)
    email, path = _invite(owner, settings, "admin")
    assert email in owner.get("/dashboard/team").text  # pending
    page = Browser(app).get(path)
    assert page.status_code == 200 and "Acme Coffee" in page.text and "admin" in page.text
    b, r = _accept(app, path)
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/")
    home = b.get("/dashboard/team")
    assert home.status_code == 200 and f'{email} <span class="muted">(you)</span>' in home.text
    # A login of their own works with the password they chose.
    again = Browser(app)
    again.log_in(email, NEW_PASSWORD)
    with tenant.db.transaction(write=False) as s:
        user = s.scalars(select(User).where(User.email == email)).one()
    assert (user.tenant_id, user.role, user.name) == (tenant.id, "admin", "New Person")
    listing = owner.get("/dashboard/team").text
    assert "No invitation is waiting." in listing


def test_a_used_link_is_a_page_saying_so(
    client: TestClient, app: Any, settings: Settings, tenant: Tenant
) -> None:
    _, path = _invite(_as(app, tenant.owner_email), settings)
    _accept(app, path)
    again = Browser(app).get(path)
    assert again.status_code == 410 and "already used" in again.text
    _, r = _accept(app, path)
    assert r.status_code == 410 and "already used" in r.text


def test_an_expired_link_is_a_page_saying_so(
    client: TestClient, app: Any, settings: Settings, tenant: Tenant, clock: Clock
) -> None:
    clock.freeze()
    _, path = _invite(_as(app, tenant.owner_email), settings)
    clock.advance(days=7, seconds=1)
    page = Browser(app).get(path)
    assert page.status_code == 410 and "expired" in page.text
    _, r = _accept(app, path)
    assert r.status_code == 410 and "expired" in r.text


def test_a_withdrawn_or_made_up_link_is_a_page_saying_so(
    client: TestClient, app: Any, settings: Settings, tenant: Tenant
) -> None:
    owner = _as(app, tenant.owner_email)
    email, path = _invite(owner, settings)
    listing = owner.get("/dashboard/team").text
    assert email in listing
    found = re.search(r'action="(/dashboard/team/invitations/inv_[0-9a-f]+/revoke)"', listing)
    assert found
    r = owner.post(found.group(1))
    assert r.status_code == 303 and "withdrawn" in r.headers["location"]
    page = Browser(app).get(path)
    assert page.status_code == 410 and "withdrawn" in page.text
    unknown = Browser(app).get("/dashboard/invite/not-a-real-token")
    assert unknown.status_code == 404 and "not valid" in unknown.text


def test_a_bad_password_stays_on_the_invitation(
    client: TestClient, app: Any, settings: Settings, tenant: Tenant
) -> None:
    _, path = _invite(_as(app, tenant.owner_email), settings)
    _, short = _accept(app, path, password="short")
    assert short.status_code == 400 and "at least 10 characters" in short.text
    assert 'id="password"' in short.text and 'aria-invalid="true"' in short.text
    _, differ = _accept(app, path, again="something else entirely")
    assert differ.status_code == 400 and "differ" in differ.text
    _, ok = _accept(app, path)  # nothing was spent by the refusals
    assert ok.status_code == 303


def test_an_email_with_an_account_gets_a_message(
    client: TestClient, app: Any, tenant: Tenant, other_tenant: Tenant
) -> None:
    owner = _as(app, tenant.owner_email)
    owner.get("/dashboard/team")
    r = owner.post("/dashboard/team/invite", {"email": other_tenant.owner_email, "role": "viewer"})
    assert r.status_code == 409 and "already has a Punchcard account" in unescape(r.text)
    bad = owner.post("/dashboard/team/invite", {"email": "nope", "role": "viewer"})
    assert bad.status_code == 400 and "valid email" in bad.text


def _manage(b: Browser, user_id: uuid.UUID, what: str, role: str | None = None) -> Any:
    b.get("/dashboard/team")
    data = {"role": role} if role else {}
    return b.post(f"/dashboard/team/users/{render('usr', user_id)}/{what}", data)


def test_the_last_owner_cannot_be_demoted_or_removed(
    client: TestClient, app: Any, tenant: Tenant
) -> None:
    owner = _as(app, tenant.owner_email)
    me = _owner_id(tenant)
    for r in (_manage(owner, me, "role", "admin"), _manage(owner, me, "remove")):
        assert r.status_code == 409 and "last owner" in r.text
    with tenant.db.transaction(write=False) as s:
        assert s.get(User, me).role == "owner"  # type: ignore[union-attr]
    second, _ = _user(tenant, "owner")
    assert _manage(owner, second, "role", "viewer").status_code == 303
    assert _manage(owner, second, "role", "owner").status_code == 303
    assert _manage(owner, me, "role", "admin").status_code == 303  # two owners: may step down


def test_admins_manage_viewers_and_admins_not_owners(
    client: TestClient, app: Any, tenant: Tenant
) -> None:
    admin_id, admin_email = _user(tenant, "admin")
    viewer_id, _ = _user(tenant, "viewer")
    admin = _as(app, admin_email)
    page = admin.get("/dashboard/team").text
    assert '<option value="owner"' not in page and "Only an owner manages owners" in page
    assert _manage(admin, viewer_id, "role", "admin").status_code == 303
    assert _manage(admin, viewer_id, "role", "owner").status_code == 403
    assert _manage(admin, _owner_id(tenant), "role", "viewer").status_code == 403
    assert _manage(admin, _owner_id(tenant), "remove").status_code == 403
    admin.get("/dashboard/team")
    assert (
        admin.post(
            "/dashboard/team/invite", {"email": "x@example.com", "role": "owner"}
        ).status_code
        == 403
    )
    with tenant.db.transaction(write=False) as s:
        assert s.get(User, _owner_id(tenant)).role == "owner"  # type: ignore[union-attr]
        assert s.get(User, viewer_id).role == "admin"  # type: ignore[union-attr]
    del admin_id


def test_removing_a_user_ends_their_sessions(client: TestClient, app: Any, tenant: Tenant) -> None:
    gone_id, gone_email = _user(tenant, "admin")
    them = _as(app, gone_email)
    assert them.get("/dashboard/team").status_code == 200
    owner = _as(app, tenant.owner_email)
    r = _manage(owner, gone_id, "remove")
    assert r.status_code == 303 and "removed" in r.headers["location"]
    after = them.get("/dashboard/team", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/dashboard/login")
    assert gone_email not in owner.get("/dashboard/team").text
    relog = Browser(app)
    relog.get("/dashboard/login")
    assert (
        relog.post("/dashboard/login", {"email": gone_email, "password": PASSWORD}).status_code
        == 401
    )


def test_a_viewer_sees_the_team_and_changes_nothing(
    client: TestClient, app: Any, tenant: Tenant
) -> None:
    _, viewer_email = _user(tenant, "viewer")
    viewer = _as(app, viewer_email)
    page = viewer.get("/dashboard/team")
    assert page.status_code == 200 and tenant.owner_email in page.text
    assert "Send invitation" not in page.text and "Remove" not in page.text
    r = viewer.post(
        "/dashboard/team/invite", {"email": f"{unique('x')}@example.com", "role": "viewer"}
    )
    assert r.status_code == 403
    assert _manage(viewer, _owner_id(tenant), "remove").status_code == 403


def test_another_tenants_user_is_a_404(
    client: TestClient, app: Any, tenant: Tenant, other_tenant: Tenant
) -> None:
    owner = _as(app, tenant.owner_email)
    r = _manage(owner, _owner_id(other_tenant), "role", "viewer")
    assert r.status_code == 404 and "Not found" in r.text
    assert _manage(owner, _owner_id(other_tenant), "remove").status_code == 404
    owner.get("/dashboard/team")
    assert owner.post("/dashboard/team/invitations/inv_123/revoke").status_code == 404
