"""`punchcard demo --members 30` on a fresh SQLite file: the tenant it prints holds the
members, orders, tiers, rewards, quests and posts it says, the metrics over its year
are not zero, the owner can log in with the printed password, and `punchcard verify`
passes on the result."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from punchcard.db.uow import Database
from punchcard.identity.users import login
from punchcard.metrics.service import overview
from punchcard.models import Member, Order, Post, QuestTaskCompletion, Refund, Reward, Tenant, Tier
from tests.cli.conftest import run_cli


def test_demo_loads_a_tenant_that_verifies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    assert run_cli("migrate", database=url).returncode == 0
    result = run_cli("demo", "--members", "30", "--seed", "3", database=url)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    partner_id = re.search(r"partner id\s+:\s+(\S+)", out)
    email = re.search(r"login\s+:\s+(\S+)", out)
    password = re.search(r"password\s+:\s+(\S+)", out)
    assert partner_id and email and password and "/dashboard/login" in out
    assert re.search(r"API key\s+:\s+fl_live_\S+", out)
    db = Database(url)
    try:
        with db.transaction(write=False) as s:
            tenant = s.scalars(select(Tenant).where(Tenant.partner_id == partner_id[1])).one()

            def count(model: type) -> int:
                stmt = select(func.count()).select_from(model).where(model.tenant_id == tenant.id)  # type: ignore[attr-defined]
                return int(s.execute(stmt).scalar_one())

            assert count(Member) == 30
            orders = count(Order)
            assert 30 <= orders <= 30 * 8
            assert f"{orders} orders" in " ".join(out.split())
            assert count(Tier) == 3 and count(Reward) == 3
            assert count(Refund) > 0 and count(Post) > 0 and count(QuestTaskCompletion) > 0
            today = db.clock.now().date()
            o = overview(s, tenant.id, start=today - timedelta(days=365), end=today)
            assert o.total_members == 30 and o.totals.new_members == 30
            assert o.totals.orders == orders
            assert o.totals.issued > 0 and o.totals.redeemed > 0 and o.totals.expired > 0
            assert o.outstanding_points > 0 and o.liability > 0
            assert o.totals.referral_clicks > 0 and o.active_members > 0
            assert o.totals.referral_conversions > 0 and o.totals.referral_revenue > 0
            assert sum(t.members for t in o.members_by_tier) == 30
        with db.transaction() as s:
            assert login(s, email=email[1], password=password[1], ttl_seconds=60) is not None
    finally:
        db.dispose()
    verified = run_cli("verify", database=url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "ledger OK" in verified.stdout


def test_the_first_start_banner_offers_the_demo_and_the_dashboard(tmp_path: Path) -> None:
    from rich.console import Console

    from punchcard.cli.bootstrap import first_start
    from punchcard.cli.database import migrate

    db = Database(f"sqlite:///{tmp_path}/first.db")
    try:
        migrate(db)
        console = Console(record=True, width=120)
        assert first_start(db, console, base_url="http://127.0.0.1:8000")
        text = console.export_text()
        assert "punchcard demo" in text
        assert "http://127.0.0.1:8000/dashboard/login" in text
    finally:
        db.dispose()
