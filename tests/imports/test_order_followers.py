"""``punchcard.imports`` used as a library, in a process of its own that imports nothing
else first: an imported order pays what a placed one does (``apply.run`` wires the
order followers itself, ``punchcard.wiring``), once however often they are wired."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from punchcard.ambassador.payout import DEFAULT_REFERRAL_POINTS
from punchcard.models import ReferralEvent
from tests.conftest import database_url
from tests.factories import Tenant, balance, unique
from tests.tracking.factories import make_member, member_code, member_uuid

# ``argv``: database url, tenant id, orders file, how often to wire before the import.
# Prints the import's summary and, when it wired, whether the registered followers are
# exactly the wired list (each once).
_SCRIPT = """
import sys, uuid
from pathlib import Path

from punchcard.db.uow import Database
from punchcard.imports import apply, formats

url, tenant, file, times = sys.argv[1:5]
if int(times):
    from punchcard.wiring import ORDER_FOLLOWERS, wire
    for _ in range(int(times)):
        wire()
db = Database(url)
try:
    summary = apply.run(
        db, uuid.UUID(tenant), formats.Reader(Path(file), "orders", "csv"), platform="import"
    )
finally:
    db.dispose()
print(summary.created, summary.rejected)
if int(times):
    from punchcard.orders.service import followers
    print(followers() == ORDER_FOLLOWERS)
"""


def _import_orders(tenant: Tenant, file: Path, *, wired: int = 0) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, database_url(), str(tenant.id), str(file), str(wired)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def _referred_order(tenant: Tenant, tmp_path: Path) -> tuple[str, dict[str, Any], Path]:
    """A referrer, a friend who joined with their code, and a file of the friend's first
    order (the referrer's id, the friend, the file)."""
    referrer = make_member(tenant)
    friend = make_member(tenant, referredBy=member_code(tenant, referrer))
    file = tmp_path / "orders.csv"
    file.write_text(f"externalOrderId,memberId,total\n{unique('ORD-')},{friend['id']},40.00\n")
    return referrer["id"], friend, file


def _conversions(tenant: Tenant, referred: dict[str, Any]) -> int:
    member_id = member_uuid(referred)
    with tenant.db.transaction(write=False) as s:
        return len(
            s.scalars(
                select(ReferralEvent).where(
                    ReferralEvent.tenant_id == tenant.id,
                    ReferralEvent.type == "conversion",
                    ReferralEvent.referred_member_id == member_id,
                )
            ).all()
        )


def test_an_imported_first_order_of_a_referred_member_pays_the_referrer(
    tenant: Tenant, tmp_path: Path
) -> None:
    referrer, friend, file = _referred_order(tenant, tmp_path)
    assert _import_orders(tenant, file) == "1 0"
    assert balance(tenant, referrer) == DEFAULT_REFERRAL_POINTS
    assert _conversions(tenant, friend) == 1


def test_wiring_twice_registers_each_follower_once_and_pays_once(
    tenant: Tenant, tmp_path: Path
) -> None:
    referrer, friend, file = _referred_order(tenant, tmp_path)
    # Wired twice by the script, a third time by ``apply.run``: "True" is the registry
    # holding each follower once.
    assert _import_orders(tenant, file, wired=2) == "1 0\nTrue"
    assert balance(tenant, referrer) == DEFAULT_REFERRAL_POINTS
    assert _conversions(tenant, friend) == 1
