"""`punchcard export`: a tenant's members, ledger and orders out, as CSV or JSONL,
streamed, only that tenant's rows, and a members export that imports back."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from punchcard.models import Member
from tests.cli.conftest import Cli
from tests.factories import Tenant

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"


def _seed(cli: Cli, tenant: Tenant, tmp_path: Path) -> None:
    for kind, name in (
        ("members", "members.csv"),
        ("orders", "orders.csv"),
        ("balances", "balances.jsonl"),
    ):
        shutil.copy(FIXTURES / name, tmp_path / name)
        r = cli("import", kind, str(tmp_path / name), "--tenant", tenant.partner_id)
        assert r.exit_code == 0, r.stdout + r.stderr


def _export(cli: Cli, tenant: Tenant, kind: str, file: Path, *extra: str) -> str:
    r = cli("export", kind, "--tenant", tenant.partner_id, str(file), *extra)
    assert r.exit_code == 0, r.stdout + r.stderr
    return r.stdout


def test_members_export_csv_has_the_import_header_and_every_member(
    cli: Cli, tenant: Tenant, other_tenant: Tenant, tmp_path: Path
) -> None:
    _seed(cli, tenant, tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(FIXTURES / "members.jsonl", other / "m.jsonl")
    cli("import", "members", str(other / "m.jsonl"), "--tenant", other_tenant.partner_id)
    file = tmp_path / "out.csv"
    out = _export(cli, tenant, "members", file)
    assert "3 members rows written" in out
    rows = list(csv.DictReader(file.open()))
    assert list(rows[0])[:5] == ["email", "phone", "firstName", "lastName", "externalId"]
    by_email = {r["email"]: r for r in rows}
    assert set(by_email) == {"ada@example.com", "grace@example.com", "linus@example.com"}
    ada = _points(tenant, "ada@example.com")
    assert ada > 120  # the opening balance and the order's points
    assert by_email["ada@example.com"]["pointsBalance"] == str(ada)
    assert by_email["ada@example.com"]["id"].startswith("mem_")


def _points(tenant: Tenant, email: str) -> int:
    with tenant.db.transaction(write=False) as s:
        return int(
            s.scalar(
                select(Member.points_balance).where(
                    Member.tenant_id == tenant.id, Member.email == email
                )
            )
            or 0
        )


def test_a_members_export_imports_back_as_nothing_new(
    cli: Cli, tenant: Tenant, other_tenant: Tenant, tmp_path: Path
) -> None:
    _seed(cli, tenant, tmp_path)
    file = tmp_path / "members.csv"
    _export(cli, tenant, "members", file)
    r = cli("import", "members", str(file), "--tenant", tenant.partner_id)
    assert r.exit_code == 0 and "created: 0" in r.stdout and "skipped: 3" in r.stdout
    # Into another tenant: the same people, new members there.
    r = cli("import", "members", str(file), "--tenant", other_tenant.partner_id)
    assert r.exit_code == 0 and "created: 3" in r.stdout, r.stdout
    with other_tenant.db.transaction(write=False) as s:
        n = s.scalar(
            select(func.count()).select_from(Member).where(Member.tenant_id == other_tenant.id)
        )
    assert n == 3


def test_ledger_export_jsonl_lists_the_opening_balances(
    cli: Cli, tenant: Tenant, tmp_path: Path
) -> None:
    _seed(cli, tenant, tmp_path)
    file = tmp_path / "ledger.jsonl"
    _export(cli, tenant, "ledger", file)
    entries = [json.loads(x) for x in file.read_text().splitlines()]
    migrated = [e for e in entries if e["description"] == "migrated from import"]
    assert {e["type"] for e in migrated} == {"adjust"}
    assert sum(e["amount"] for e in migrated) == 120 + 180 + 40  # lots + spent lifetime
    # Points the orders earned are in the journal too, each naming its order.
    assert any(e["orderId"] and e["orderId"].startswith("ord_") for e in entries)
    assert all(e["memberId"].startswith("mem_") for e in entries)


def test_orders_export_by_format_option(cli: Cli, tenant: Tenant, tmp_path: Path) -> None:
    _seed(cli, tenant, tmp_path)
    file = tmp_path / "orders.txt"
    _export(cli, tenant, "orders", file, "--format", "jsonl")
    orders = [json.loads(x) for x in file.read_text().splitlines()]
    assert sorted(o["externalOrderId"] for o in orders) == ["ord-1", "ord-2"]
    assert {o["total"] for o in orders} == {"100.00", "25.50"}


def test_export_refuses_an_unknown_kind_or_format(cli: Cli, tenant: Tenant, tmp_path: Path) -> None:
    r = cli("export", "coupons", "--tenant", tenant.partner_id, str(tmp_path / "x.csv"))
    assert r.exit_code == 1 and "unknown kind" in r.stderr
    r = cli(
        "export", "members", "--tenant", tenant.partner_id, str(tmp_path / "x"), "--format", "xml"
    )
    assert r.exit_code == 1 and "csv or jsonl" in r.stderr
