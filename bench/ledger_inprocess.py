"""Statements and process CPU time per award and per deduction, through the ledger
service in process (no HTTP), on one member: the ledger's write path in isolation.

    .venv/bin/python bench/ledger_inprocess.py [DATABASE_URL] [--endpoint]

Each operation runs in its own transaction (lock the member, credit or debit, commit),
as a request does. ``--endpoint`` adds one enabled webhook endpoint subscribed to every
event, so each award also writes a delivery. Prints the statements per operation (from
the engine's ``before_cursor_execute``, an ``executemany`` counted once) and the median
over 5 rounds of the CPU milliseconds per operation. A quick A/B for ledger changes:
run it on both commits, one after the other.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from typing import Any

from sqlalchemy import event

from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database
from punchcard.kit.ids import new_id
from punchcard.ledger import service as ledger
from punchcard.members.repository import MemberRepository
from punchcard.models import Member, WebhookEndpoint
from punchcard.tenants.service import create_tenant


def setup(db: Database, *, endpoint: bool) -> tuple[uuid.UUID, uuid.UUID]:
    with db.transaction() as s:
        t = create_tenant(s, name="Bench Co")
        at = db.clock.now()
        m = Member(
            tenant_id=t.id,
            id=new_id(),
            email=f"{new_id().hex}@example.com",
            status="active",
            enrolled_at=at,
            created_at=at,
            updated_at=at,
        )
        s.add(m)
        if endpoint:
            s.add(
                WebhookEndpoint(
                    tenant_id=t.id,
                    id=new_id(),
                    url="https://example.com/hook",
                    secret="s" * 32,
                    event_types=["*"],
                    enabled=True,
                    created_at=at,
                    updated_at=at,
                )
            )
        s.flush()
        return t.id, m.id


def one(db: Database, tenant_id: uuid.UUID, member_id: uuid.UUID, kind: str) -> None:
    with db.transaction() as s:
        member = MemberRepository(s, tenant_id).lock_by_id(member_id)
        assert member is not None
        if kind == "award":
            ledger.credit(s, member, amount=10)
        else:
            ledger.debit(s, member, amount=3)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    url = args[0] if args else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    db = Database(url)
    upgrade(db.engine)
    tenant_id, member_id = setup(db, endpoint="--endpoint" in sys.argv)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    n = 200
    for kind in ("award", "deduct"):
        for _ in range(20):
            one(db, tenant_id, member_id, kind)
        statements = 0
        one(db, tenant_id, member_id, kind)
        per_op = statements
        samples = []
        for _ in range(5):
            start = time.process_time()
            for _ in range(n):
                one(db, tenant_id, member_id, kind)
            samples.append((time.process_time() - start) / n * 1000)
        print(
            f"{kind}: {per_op} statements (BEGIN/COMMIT and the lock included), "
            f"{statistics.median(samples):.3f} ms CPU"
        )
    db.dispose()


if __name__ == "__main__":
    main()
