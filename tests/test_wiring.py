"""``punchcard.wiring``: every entry point that can place or refund an order registers
the order followers (importing it is not enough), and a process that never wired
refuses an order whole rather than skip what the followers owe. Each case runs in a
process of its own, so nothing this suite imported or wired counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from punchcard.models import Order
from tests.conftest import database_url
from tests.factories import Tenant, unique
from tests.tracking.factories import make_member, member_uuid

# ``argv``: the database url and an empty members file. ``{enter}`` runs the entry point
# once its module is imported.
_ENTRY = """
import sys, uuid
from pathlib import Path

from punchcard.orders.service import NotWired, followers
from punchcard.wiring import ORDER_FOLLOWERS

url, empty = sys.argv[1:3]
{imports}
try:
    followers()
except NotWired:
    pass
else:
    raise SystemExit("wired by an import")
{enter}
assert followers() == ORDER_FOLLOWERS, followers()
print("wired")
"""

ENTRY_POINTS = {
    "create_app": (
        "from punchcard.app import create_app\nfrom punchcard.config import Settings",
        "create_app(Settings(database_url=url, run_worker=False))",
    ),
    "cli": (
        "from punchcard.cli.main import app",
        "app(['migrate'], standalone_mode=False)",
    ),
    "worker": (
        "from punchcard.config import Settings\nfrom punchcard.db.uow import Database\n"
        "from punchcard.worker.runner import Worker",
        "Worker(Database(url), Settings(database_url=url), renderers={}).deliveries.close()",
    ),
    "imports": (
        "from punchcard.db.uow import Database\nfrom punchcard.imports import apply, formats",
        "apply.run(Database(url), uuid.uuid4(), formats.Reader(Path(empty), 'members', 'csv'),"
        " platform='import')",
    ),
}


def _python(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**os.environ, "PUNCHCARD_DATABASE_URL": database_url()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_entry_point_wires_the_order_followers(entry: str, tmp_path: Path) -> None:
    imports, enter = ENTRY_POINTS[entry]
    empty = tmp_path / "empty.csv"
    empty.write_text("email\n")
    done = _python(_ENTRY.format(imports=imports, enter=enter), database_url(), str(empty))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("wired"), done.stdout


_UNWIRED = """
import sys, uuid
from decimal import Decimal

from punchcard.db.uow import Database
from punchcard.identity.principal import Principal
from punchcard.orders import service
from punchcard.orders.service import NewOrder, NotWired

url, tenant, member, ext = sys.argv[1:5]
db = Database(url)
principal = Principal(tenant_id=uuid.UUID(tenant), scopes=frozenset())
order = NewOrder(
    external_order_id=ext, member_id=uuid.UUID(member), total=Decimal("10.00"), fingerprint="f"
)
try:
    with db.transaction() as session:
        service.place(session, principal, data=order)
except NotWired as exc:
    print(exc)
finally:
    db.dispose()
"""


def test_an_order_placed_before_wiring_is_refused_and_writes_nothing(tenant: Tenant) -> None:
    member = make_member(tenant)
    ext = unique("ORD-")
    done = _python(_UNWIRED, database_url(), str(tenant.id), str(member_uuid(member)), ext)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "punchcard.wiring.wire()" in done.stdout
    with tenant.db.transaction(write=False) as s:
        placed = s.scalar(
            select(func.count()).select_from(Order).where(Order.external_order_id == ext)
        )
    assert placed == 0
