"""`punchcard verify` proves the ledger; it fails loudly and readably on a violation."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import update

from punchcard.kit.ids import parse
from punchcard.models import Member
from tests.conftest import database_url
from tests.factories import Tenant, award, insert_member


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PUNCHCARD_DATABASE_URL": database_url()}
    return subprocess.run(
        [sys.executable, "-m", "punchcard.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_verify_reports_a_tampered_balance_and_exits_non_zero(tenant: Tenant) -> None:
    m = insert_member(tenant)
    award(tenant, m, 40)
    with tenant.db.transaction() as s:
        s.execute(
            update(Member)
            .where(Member.tenant_id == tenant.id, Member.id == parse("mem", m))
            .values(points_balance=41)
        )
    try:
        result = run_cli("verify")
        assert result.returncode == 1, result.stdout + result.stderr
        assert m in result.stdout
        assert "balance == sum(lot remaining) - debt" in result.stdout
        assert "violation" in result.stdout
    finally:
        with tenant.db.transaction() as s:
            s.execute(
                update(Member)
                .where(Member.tenant_id == tenant.id, Member.id == parse("mem", m))
                .values(points_balance=40)
            )


def test_tenants_create_prints_json_with_a_working_key(tenant: Tenant) -> None:
    import json

    result = run_cli("tenants", "create", "--name", "CLI Co", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"tenantId", "partnerId", "apiKey"}
    assert out["apiKey"].startswith("fl_live_") and len(out["apiKey"]) >= len("fl_live_") + 32
    r = tenant.client.get("/api/v2/stores", headers={"Authorization": f"Bearer {out['apiKey']}"})
    assert r.status_code == 200 and r.json()["total"] == 0


def test_migrate_is_idempotent() -> None:
    result = run_cli("migrate")
    assert result.returncode == 0, result.stderr
