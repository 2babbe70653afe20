"""``punchcard members erase --tenant PARTNER_ID MEMBER_ID``."""

from __future__ import annotations

from sqlalchemy import select

from punchcard.models import AuditRecord, Member
from tests.cli.conftest import Cli
from tests.factories import Tenant, award, balance, verify_tenant
from tests.tracking.factories import make_member, member_uuid


def test_erase_from_the_console_keeps_points_and_audits(tenant: Tenant, cli: Cli) -> None:
    m = make_member(tenant, firstName="Ada")
    award(tenant, m["id"], 120)
    out = cli("members", "erase", "--tenant", tenant.partner_id, m["id"], "--json").json()
    assert out["id"] == m["id"] and out["erased"] is True and out["alreadyErased"] is False
    got = tenant.api.get(f"/members/{m['id']}").json()
    assert got["email"] is None and got["firstName"] is None and got["status"] == "banned"
    assert balance(tenant, m["id"]) == 120
    verify_tenant(tenant)
    with tenant.db.transaction(write=False) as s:
        records = s.scalars(
            select(AuditRecord).where(
                AuditRecord.tenant_id == tenant.id, AuditRecord.method == "CLI"
            )
        ).all()
    assert [r.path for r in records] == [f"punchcard members erase {m['id']}"]


def test_erase_twice_says_already_erased(tenant: Tenant, cli: Cli) -> None:
    m = make_member(tenant)
    first = cli("members", "erase", "--tenant", tenant.partner_id, m["id"])
    assert first.exit_code == 0 and "erased" in first.stdout
    again = cli("members", "erase", "--tenant", tenant.partner_id, m["id"])
    assert again.exit_code == 0 and "already erased" in again.stdout
    with tenant.db.transaction(write=False) as s:
        row = s.get(Member, (tenant.id, member_uuid(m)))
        assert row is not None and row.erased_at is not None


def test_erase_refuses_unknown_tenant_member_and_malformed_id(
    tenant: Tenant, other_tenant: Tenant, cli: Cli
) -> None:
    m = make_member(tenant)
    r = cli("members", "erase", "--tenant", "pt_nope", m["id"])
    assert r.exit_code != 0 and "no tenant" in r.stdout + r.stderr
    r = cli("members", "erase", "--tenant", other_tenant.partner_id, m["id"])
    assert r.exit_code != 0 and "not found" in (r.stdout + r.stderr).lower()
    r = cli("members", "erase", "--tenant", tenant.partner_id, "mem_bad")
    assert r.exit_code != 0 and "not a member id" in r.stdout + r.stderr
    assert tenant.api.get(f"/members/{m['id']}").json()["email"] == m["email"]
