"""`punchcard import`: files in, through the core's batch paths, resumable, quiet,
rejected rows on the side, opening balances that `verify` accepts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from punchcard.ambassador.payout import DEFAULT_REFERRAL_POINTS
from punchcard.identity.principal import Principal
from punchcard.imports.formats import SUPPORTED
from punchcard.ledger.verify import verify_all
from punchcard.models import Member, Order, OutboxEvent, PointsEntry, PointsLot, Product
from punchcard.tiers.schemas import NewTier
from punchcard.tiers.service import create_tier
from tests.cli.conftest import Cli, run_cli
from tests.conftest import database_url
from tests.factories import Tenant, balance, unique
from tests.tracking.factories import make_member, member_code

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"

# Every shipped (format, kind) and its sample file.
SAMPLES = {
    ("csv", "members"): "members.csv",
    ("jsonl", "members"): "members.jsonl",
    ("csv", "orders"): "orders.csv",
    ("jsonl", "orders"): "orders.jsonl",
    ("csv", "products"): "products.csv",
    ("jsonl", "products"): "products.jsonl",
    ("csv", "balances"): "balances.csv",
    ("jsonl", "balances"): "balances.jsonl",
    ("shopify", "members"): "shopify-customers.csv",
    ("shopify", "products"): "shopify-products.csv",
    ("shopsocially", "members"): "shopsocially-users.jsonl",
    ("shopsocially", "balances"): "shopsocially-users.jsonl",
    ("smile", "balances"): "smile-points.csv",
    ("yotpo", "members"): "yotpo-customers.csv",
    ("yotpo", "balances"): "yotpo-customers.csv",
}


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copy(FIXTURES / name, target)
    return target


def _import(cli: Cli, tenant: Tenant, kind: str, file: Path, *extra: str) -> str:
    r = cli("import", kind, str(file), "--tenant", tenant.partner_id, *extra)
    assert r.exit_code == 0, r.stdout + r.stderr
    return r.stdout


def _count(tenant: Tenant, model: Any) -> int:
    with tenant.db.transaction(write=False) as s:
        return int(
            s.scalar(select(func.count()).select_from(model).where(model.tenant_id == tenant.id))
            or 0
        )


def _members(tenant: Tenant) -> list[tuple[Any, ...]]:
    with tenant.db.transaction(write=False) as s:
        rows = s.execute(
            select(
                Member.id,
                Member.email,
                Member.first_name,
                Member.external_id,
                Member.points_balance,
                Member.lifetime_points,
                Member.updated_at,
            )
            .where(Member.tenant_id == tenant.id)
            .order_by(Member.id)
        )
        return [tuple(r) for r in rows]


def _summary(out: str, word: str) -> int:
    line = next(x for x in out.splitlines() if x.strip().startswith(f"{word}:"))
    return int(line.split(":")[1].split()[0])


def _rejected(file: Path) -> list[dict[str, Any]]:
    side = file.with_name(file.name + ".rejected.jsonl")
    return [json.loads(x) for x in side.read_text().splitlines()]


def test_every_shipped_format_has_a_sample_file() -> None:
    shipped = {(fmt, kind) for fmt, kinds in SUPPORTED.items() for kind in kinds}
    assert shipped == set(SAMPLES)
    for name in SAMPLES.values():
        assert (FIXTURES / name).is_file(), name


def test_members_import_twice_changes_nothing_the_second_time(
    cli: Cli, tenant: Tenant, tmp_path: Path
) -> None:
    file = _copy(tmp_path, "members.csv")
    out = _import(cli, tenant, "members", file)
    assert _summary(out, "created") == 3
    assert _summary(out, "rejected") == 1
    before = _members(tenant)
    assert {m[1] for m in before} == {"ada@example.com", "grace@example.com", "linus@example.com"}
    assert {m[3] for m in before} == {"ext-1", "ext-2", None}

    again = _import(cli, tenant, "members", file)
    assert _summary(again, "created") == 0
    assert _summary(again, "updated") == 0
    assert _summary(again, "skipped") == 3
    assert _members(tenant) == before


def test_rejected_rows_land_in_the_side_file_with_reasons(
    cli: Cli, tenant: Tenant, tmp_path: Path
) -> None:
    file = _copy(tmp_path, "members.csv")
    out = _import(cli, tenant, "members", file)
    rejected = _rejected(file)
    assert len(rejected) == 1
    assert rejected[0]["line"] == 4
    assert rejected[0]["row"]["externalId"] == "ext-3"
    assert rejected[0]["reason"].startswith("email ")
    assert "not a valid email" in rejected[0]["reason"]
    assert "rejected.jsonl" in out


def test_unreadable_rows_are_rejected_with_the_field_named(
    cli: Cli, tenant: Tenant, tmp_path: Path
) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_text('{"email": "ok@example.com"}\nnot json\n[1, 2]\n')
    out = _import(cli, tenant, "members", file)
    assert _summary(out, "created") == 1
    reasons = [r["reason"] for r in _rejected(file)]
    assert reasons[0].startswith("not JSON") and "one JSON object" in reasons[1]


def test_dry_run_writes_nothing(cli: Cli, tenant: Tenant, tmp_path: Path) -> None:
    members = _copy(tmp_path, "members.csv")
    out = _import(cli, tenant, "members", members, "--dry-run")
    assert _summary(out, "created") == 3 and "would be created" in out
    assert "nothing was written" in out
    assert _count(tenant, Member) == 0

    _import(cli, tenant, "members", members)
    balances = _copy(tmp_path, "balances.csv")
    entries = _count(tenant, PointsEntry)
    before = _members(tenant)
    dry = _import(cli, tenant, "balances", balances, "--dry-run")
    assert _summary(dry, "updated") == 2
    assert _count(tenant, PointsEntry) == entries
    assert _members(tenant) == before


def test_imports_emit_no_events_unless_asked(cli: Cli, tenant: Tenant, tmp_path: Path) -> None:
    _import(cli, tenant, "members", _copy(tmp_path, "members.csv"))
    assert _count(tenant, OutboxEvent) == 0
    loud = tmp_path / "more.csv"
    loud.write_text("email,firstName\nnew@example.com,New\n")
    _import(cli, tenant, "members", loud, "--emit-events")
    with tenant.db.transaction(write=False) as s:
        types = list(s.scalars(select(OutboxEvent.type).where(OutboxEvent.tenant_id == tenant.id)))
    assert types == ["member.created"]


def test_balances_import_passes_verify_and_a_rerun_writes_nothing(
    cli: Cli, tenant: Tenant, tmp_path: Path
) -> None:
    _import(cli, tenant, "members", _copy(tmp_path, "members.csv"))
    file = _copy(tmp_path, "balances.jsonl")
    out = _import(cli, tenant, "balances", file)
    assert _summary(out, "updated") == 2
    assert "160 were written as opening balances" in out
    with tenant.db.transaction(write=False) as s:
        ada = s.scalars(
            select(Member).where(Member.tenant_id == tenant.id, Member.email == "ada@example.com")
        ).one()
        assert (ada.points_balance, ada.lifetime_points) == (120, 300)
        lots = s.execute(
            select(PointsLot.remaining, PointsLot.expires_at)
            .where(PointsLot.member_id == ada.id, PointsLot.remaining > 0)
            .order_by(PointsLot.remaining)
        ).all()
        assert [r[0] for r in lots] == [20, 100]
        assert lots[1][1] is not None and lots[1][1].year == 2027
        entries = list(s.scalars(select(PointsEntry).where(PointsEntry.member_id == ada.id)))
        credits = [e for e in entries if e.amount > 0]
        assert {e.type for e in credits} == {"adjust"}
        assert {e.description for e in credits} == {"migrated from import"}
        report = verify_all(s, tenant.id)
        assert report.ok, report.violations
    count = _count(tenant, PointsEntry)

    again = _import(cli, tenant, "balances", file)
    assert _summary(again, "updated") == 0 and _summary(again, "skipped") == 2
    assert _count(tenant, PointsEntry) == count
    verify = subprocess.run(
        [sys.executable, "-m", "punchcard.cli.main", "verify"],
        env={**os.environ, "PUNCHCARD_DATABASE_URL": database_url()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # The command checks every tenant of the suite's shared database, where other tests
    # may leave deliberate damage: none of its findings may name this tenant.
    assert "checked" in verify.stdout, verify.stdout + verify.stderr
    tenant_hex = f"ten_{tenant.id.hex}"
    assert tenant_hex not in verify.stdout + verify.stderr, verify.stdout


def test_balances_of_unknown_members_are_rejected(cli: Cli, tenant: Tenant, tmp_path: Path) -> None:
    _import(cli, tenant, "members", _copy(tmp_path, "members.csv"))
    file = _copy(tmp_path, "balances.csv")
    out = _import(cli, tenant, "balances", file)
    assert _summary(out, "rejected") == 1
    [row] = _rejected(file)
    assert row["row"]["email"] == "nobody@example.com" and "no such member" in row["reason"]


def test_balances_carry_the_tier_by_name(cli: Cli, tenant: Tenant, tmp_path: Path) -> None:
    with tenant.db.transaction() as s:
        gold = create_tier(
            s,
            Principal(tenant_id=tenant.id, scopes=frozenset()),
            data=NewTier(name="Gold", min_points=10_000),
        )
        gold_id = gold.id
    _import(cli, tenant, "members", _copy(tmp_path, "members.csv"))
    file = tmp_path / "tiers.csv"
    file.write_text("email,points,tier\nada@example.com,50,Gold\ngrace@example.com,5,Platinum\n")
    out = _import(cli, tenant, "balances", file)
    assert _summary(out, "updated") == 1
    [row] = _rejected(file)
    assert row["reason"].startswith("tier:")
    with tenant.db.transaction(write=False) as s:
        ada = s.scalars(
            select(Member).where(Member.email == "ada@example.com", Member.tenant_id == tenant.id)
        ).one()
        grace = s.scalars(
            select(Member).where(Member.email == "grace@example.com", Member.tenant_id == tenant.id)
        ).one()
        assert ada.tier_id == gold_id and ada.points_balance == 50
        # The refused row left nothing behind (its savepoint rolled back).
        assert grace.points_balance == 0
        assert verify_all(s, tenant.id).ok


def test_orders_import_once(cli: Cli, tenant: Tenant, tmp_path: Path) -> None:
    _import(cli, tenant, "members", _copy(tmp_path, "members.csv"))
    file = _copy(tmp_path, "orders.csv")
    out = _import(cli, tenant, "orders", file)
    assert _summary(out, "created") == 2 and _summary(out, "rejected") == 1
    assert "no such member" in _rejected(file)[0]["reason"]
    before = _members(tenant)
    assert sum(m[4] for m in before) > 0  # the orders earned points through the core
    again = _import(cli, tenant, "orders", file)
    assert _summary(again, "created") == 0 and _summary(again, "skipped") == 2
    assert _count(tenant, Order) == 2
    assert _members(tenant) == before
    with tenant.db.transaction(write=False) as s:
        assert verify_all(s, tenant.id).ok


def test_an_imported_first_order_of_a_referred_member_pays_the_referrer(
    tenant: Tenant, tmp_path: Path
) -> None:
    # As a process of its own: what pays must not hang on what this suite imported.
    referrer = make_member(tenant)
    friend = make_member(tenant, referredBy=member_code(tenant, referrer))
    file = tmp_path / "orders.csv"
    file.write_text(f"externalOrderId,memberId,total\n{unique('ORD-')},{friend['id']},40.00\n")
    done = run_cli(
        "import", "orders", str(file), "--tenant", tenant.partner_id, database=database_url()
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _summary(done.stdout, "created") == 1
    assert balance(tenant, referrer["id"]) == DEFAULT_REFERRAL_POINTS


def test_products_import_once(cli: Cli, tenant: Tenant, tmp_path: Path) -> None:
    file = _copy(tmp_path, "products.csv")
    out = _import(cli, tenant, "products", file)
    assert _summary(out, "created") == 2
    assert _rejected(file)[0]["reason"] == "storeId is required"
    again = _import(cli, tenant, "products", file)
    assert _summary(again, "skipped") == 2 and _summary(again, "created") == 0
    assert _count(tenant, Product) == 2


@pytest.mark.parametrize(("fmt", "kind"), sorted(SAMPLES))
def test_every_sample_imports(
    cli: Cli, tenant: Tenant, tmp_path: Path, fmt: str, kind: str
) -> None:
    if kind in ("orders", "balances"):
        _import(cli, tenant, "members", _copy(tmp_path, "members.csv"))
    file = _copy(tmp_path, SAMPLES[(fmt, kind)])
    out = _import(cli, tenant, kind, file, "--format", fmt)
    assert _summary(out, "created") + _summary(out, "updated") >= 1
    again = _import(cli, tenant, kind, file, "--format", fmt)
    assert _summary(again, "created") == 0 and _summary(again, "updated") == 0
    with tenant.db.transaction(write=False) as s:
        assert verify_all(s, tenant.id).ok


def test_platform_mappings_read_the_documented_columns(
    cli: Cli, tenant: Tenant, tmp_path: Path
) -> None:
    _import(cli, tenant, "members", _copy(tmp_path, "shopify-customers.csv"), "--format", "shopify")
    by_email = {m[1]: m for m in _members(tenant)}
    assert by_email["ada@example.com"][2] == "Ada"
    assert by_email["ada@example.com"][3] == "7398802653250"
    _import(cli, tenant, "balances", _copy(tmp_path, "yotpo-customers.csv"), "--format", "yotpo")
    by_email = {m[1]: m for m in _members(tenant)}
    # Yotpo: Points Balance, and lifetime = balance + Points Spent.
    assert by_email["ada@example.com"][4:6] == (120, 300)
    assert by_email["grace@example.com"][4:6] == (40, 40)
    with tenant.db.transaction(write=False) as s:
        refs = set(
            s.scalars(select(PointsEntry.description).where(PointsEntry.tenant_id == tenant.id))
        )
    assert "migrated from yotpo" in refs


def test_shopify_products_take_the_handle_and_skip_variant_rows(
    cli: Cli, tenant: Tenant, tmp_path: Path
) -> None:
    file = _copy(tmp_path, "shopify-products.csv")
    out = _import(cli, tenant, "products", file, "--format", "shopify")
    assert _summary(out, "created") == 2 and _summary(out, "skipped") == 1
    assert _summary(out, "rejected") == 0
    with tenant.db.transaction(write=False) as s:
        rows = s.execute(
            select(Product.external_id, Product.title, Product.description, Product.image_url)
            .where(Product.tenant_id == tenant.id)
            .order_by(Product.external_id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("black-tea", "Black tea", "", None),
        (
            "green-tea",
            "Green tea",
            "<p>Loose leaf green tea</p>",
            "https://cdn.example.com/green-tea.jpg",
        ),
    ]


def test_a_format_without_a_documented_mapping_is_refused(
    cli: Cli, tenant: Tenant, tmp_path: Path
) -> None:
    file = _copy(tmp_path, "smile-points.csv")
    r = cli("import", "orders", str(file), "--tenant", tenant.partner_id, "--format", "smile")
    assert r.exit_code == 1
    assert "no orders mapping" in r.stderr
    r = cli("import", "members", str(file), "--tenant", "nope", "--format", "csv")
    assert r.exit_code == 1 and "no tenant" in r.stderr


def test_another_tenants_members_are_not_touched(
    cli: Cli, tenant: Tenant, other_tenant: Tenant, tmp_path: Path
) -> None:
    _import(cli, other_tenant, "members", _copy(tmp_path, "members.csv"))
    out = _import(cli, tenant, "members", _copy(tmp_path, "members.jsonl"))
    assert _summary(out, "created") == 2  # not "skipped": the other tenant's are theirs
    balances = _copy(tmp_path, "balances.jsonl")
    _import(cli, tenant, "balances", balances)
    assert all(m[4] == 0 for m in _members(other_tenant))


# The import run in a process of its own: first a one-row import (start-up, the first
# chunk's caches: start-up alone peaks far above an import's working set), then the
# peak RSS reset (Linux: ``/proc/self/clear_refs``), then the import, whose peak is read.
# The peak is the kernel's high-water mark ``VmHWM``: ``getrusage``'s ``ru_maxrss`` is
# the same mark but also keeps the peak of any thread that exited (kept in the process's
# signal struct, which clear_refs does not reset), so after start-up it never moves.
_MEASURE = """
import gc, sys

def hwm():
    with open("/proc/self/status") as f:
        return int(next(x for x in f if x.startswith("VmHWM:")).split()[1])

from punchcard.cli.main import app

def run(args):
    try:
        app(args)
    except SystemExit as exc:
        assert not exc.code, exc.code

report, warm, args = sys.argv[1], sys.argv[2], sys.argv[3:]
run([*args[:2], warm, *args[3:]])
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
base = hwm()
run(args)
peak = hwm()
with open(report, "w") as out:
    out.write(str(peak - base))
"""


def _peak_kb(tmp_path: Path, tenant: Tenant, rows: int) -> int:
    file = tmp_path / f"members-{rows}.csv"
    with file.open("w") as out:
        out.write("email,firstName,lastName,externalId\n")
        for i in range(rows):
            out.write(f"m{i}@example.com,First{i},Last{i},x-{rows}-{i}\n")
    report = tmp_path / f"peak-{rows}"
    warm = tmp_path / f"warm-{rows}.csv"
    warm.write_text(f"email\nwarm-{rows}@example.com\n")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURE,
            str(report),
            str(warm),
            "import",
            "members",
            str(file),
            "--tenant",
            tenant.partner_id,
        ],
        env={**os.environ, "PUNCHCARD_DATABASE_URL": database_url()},
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"created: {rows} were created" in done.stdout, done.stdout
    # The progress bar was drawn (on stderr), with its rate.
    assert "rows/s" in done.stderr
    return int(report.read_text())


def test_a_large_members_file_imports_in_bounded_memory(
    tenant: Tenant, other_tenant: Tenant, tmp_path: Path
) -> None:
    small = _peak_kb(tmp_path, tenant, 2_000)
    large = _peak_kb(tmp_path, other_tenant, 30_000)
    # Fifteen times the rows, the same peak: what grows with the file would show here
    # (merely keeping the 28,000 more rows as read measured +23 MB; their members in the
    # session, more).
    assert large - small < 10 * 1024, (small, large)
    assert _count(other_tenant, Member) == 30_001


def test_a_file_that_is_not_utf8_stops_with_a_message_naming_the_line(
    cli: Cli, tenant: Tenant, tmp_path: Path
) -> None:
    file = tmp_path / "latin1.csv"
    file.write_bytes(b"email,firstName\nok@example.com,Ok\nzoe@example.com,Zo\xe9\n")
    r = cli("import", "members", str(file), "--tenant", tenant.partner_id, "--chunk", "1")
    assert r.exit_code == 1
    assert "line 3: not UTF-8" in r.stderr
    # The chunk before the bad line was kept: a rerun of a fixed file resumes.
    assert [m[1] for m in _members(tenant)] == ["ok@example.com"]
