"""Member session tokens on today's faces, and banning a member."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from punchcard.identity import member_sessions
from punchcard.members import service as members
from punchcard.members.schemas import MemberStatus
from punchcard.members.service import MemberChanges
from punchcard.models import MemberSession
from tests.factories import Api, Tenant
from tests.identity.support import member_ref, new_member, sign_in, staff
from tests.reliability.conftest import SecretScanner
from tests.reliability.openapi import operations
from tests.reliability.requests import body_for, diff, send, snapshot
from tests.reliability.seed import seed


def _revoked(t: Tenant, token_row_id: object) -> bool:
    with t.db.transaction(write=False) as s:
        row = s.scalars(
            select(MemberSession).where(
                MemberSession.tenant_id == t.id, MemberSession.id == token_row_id
            )
        ).one()
        return row.revoked_at is not None


def test_a_member_token_gets_403_on_its_own_member_routes(tenant: Tenant) -> None:
    own = new_member(tenant)
    api = Api(tenant.client, sign_in(tenant, own).token)
    for path in (f"/members/{member_ref(own)}", f"/members/{member_ref(own)}/points", "/members"):
        r = api.get(path)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_a_revoked_member_token_is_refused_on_the_next_request(tenant: Tenant) -> None:
    own = new_member(tenant)
    opened = sign_in(tenant, own)
    api = Api(tenant.client, opened.token)
    assert api.get(f"/members/{member_ref(own)}").status_code == 403
    with tenant.db.transaction() as s:
        member_sessions.sign_out(s, member_sessions.resolve(s, opened.token))
    assert api.get(f"/members/{member_ref(own)}").status_code == 401


def test_every_operation_of_every_face_refuses_a_member_token(
    tenant: Tenant, client: TestClient
) -> None:
    fresh = seed(tenant)
    ids = fresh.path_ids()
    token = sign_in(tenant, new_member(tenant)).token
    scanner = SecretScanner(tenant.db)
    scanner.known(token)
    before = snapshot(tenant.db, tenant.id)
    wrong = []
    for face, expected in (("native", 403), ("shopsocially", 401)):
        for op in operations(face):
            if op.scope is None or op.scope == "member-session":
                continue  # public, or for member tokens only (GET /api/v2/me)
            headers = (
                {"Authorization": f"Bearer {token}"}
                if face == "native"
                else {"partner-id": tenant.partner_id, "api-key": token}
            )
            r = send(client, scanner, op, headers, ids, body_for(op, fresh))
            if r.status_code != expected:
                wrong.append(f"{op.label}: {r.status_code} {r.text[:150]}")
    assert not wrong, wrong
    assert not diff(before, snapshot(tenant.db, tenant.id))


def test_banning_a_member_through_the_api_revokes_its_sessions(tenant: Tenant) -> None:
    own, bystander = new_member(tenant), new_member(tenant)
    opened, kept = sign_in(tenant, own), sign_in(tenant, bystander)
    r = tenant.api.patch(f"/members/{member_ref(own)}", json={"status": "banned"})
    assert r.status_code == 200, r.text
    assert _revoked(tenant, opened.row.id)
    assert not _revoked(tenant, kept.row.id)
    assert Api(tenant.client, opened.token).get("/members").status_code == 401


def test_a_ban_and_its_revocations_commit_or_roll_back_together(tenant: Tenant) -> None:
    own = new_member(tenant)
    opened = sign_in(tenant, own)
    ban = MemberChanges(status=MemberStatus.banned)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), tenant.db.transaction() as s:
        members.update(s, staff(tenant), member_id=own, data=ban)
        row = s.get(MemberSession, (tenant.id, opened.row.id))
        assert row is not None and row.revoked_at is not None  # in the ban's transaction
        raise Abort
    assert not _revoked(tenant, opened.row.id)
    with tenant.db.transaction(write=False) as s:
        assert member_sessions.resolve(s, opened.token).member_id == own


def test_updating_a_member_without_banning_it_keeps_its_sessions(tenant: Tenant) -> None:
    own = new_member(tenant)
    opened = sign_in(tenant, own)
    r = tenant.api.patch(f"/members/{member_ref(own)}", json={"status": "inactive"})
    assert r.status_code == 200, r.text
    assert not _revoked(tenant, opened.row.id)
