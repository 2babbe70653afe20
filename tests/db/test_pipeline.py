"""``db.pipeline``: statements sent together on PostgreSQL, each run at once on SQLite,
with the same results and the same errors either way.

The award's own use (five writes, one round trip) is counted in
``tests/api/test_award_cost.py``; ``tests/ledger/test_write_paths.py`` proves the
pipelined path writes what the ORM path writes.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from punchcard.db.engine import lost_connection, wrote
from punchcard.db.pipeline import Pipeline
from punchcard.db.uow import Database
from punchcard.kit.ids import new_id
from punchcard.models import Member, OutboxEvent
from tests.ledger.test_write_paths import _setup

EVENTS = cast(Table, OutboxEvent.__table__)


def _event(db: Database, tenant_id: uuid.UUID, id_: uuid.UUID | None = None) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": id_ or new_id(),
        "type": "member.updated",
        "resource_id": "pipeline-test",
        "payload": {"n": 1},
        "created_at": db.clock.now(),
    }


def _bump() -> Any:
    table = cast(Table, Member.__table__)
    return (
        update(table)
        .where(table.c.tenant_id == bindparam("t"), table.c.id == bindparam("m"))
        .values(points_balance=table.c.points_balance + bindparam("n"))
        .returning(table.c.points_balance)
    )


BUMP = _bump()


def _events(db: Database, tenant_id: uuid.UUID) -> int:
    with db.transaction(write=False) as s:
        rows = s.execute(select(EVENTS.c.id).where(EVENTS.c.tenant_id == tenant_id)).all()
        return len(rows)


def test_queued_writes_and_a_returning_row_read_after_the_pipeline(db: Database) -> None:
    tenant_id, member_id = _setup(db, tiers=False, members=1)
    before = _events(db, tenant_id)
    with db.transaction() as s:
        with Pipeline(s) as pipe:
            s.execute(insert(EVENTS), _event(db, tenant_id))
            s.execute(insert(EVENTS), _event(db, tenant_id))
            row = pipe.returning(BUMP, {"t": tenant_id, "m": member_id, "n": 7})
            assert pipe.open is (not db.is_sqlite)
            if pipe.open:  # PostgreSQL: nothing has come back yet
                with pytest.raises(RuntimeError, match="before its pipeline ended"):
                    row.one()
        assert not pipe.open
        assert row.one() == (7,)
    assert _events(db, tenant_id) == before + 2


def test_a_statement_that_reads_ends_the_pipeline_and_sees_what_was_queued(
    db: Database,
) -> None:
    tenant_id, _ = _setup(db, tiers=False, members=1)
    event_id = new_id()
    with db.transaction() as s:
        with Pipeline(s) as pipe:
            s.execute(insert(EVENTS), _event(db, tenant_id, event_id))
            found = s.execute(select(EVENTS.c.type).where(EVENTS.c.id == event_id)).all()
            assert not pipe.open  # the SELECT ended it
            s.execute(insert(EVENTS), _event(db, tenant_id))  # runs as usual afterwards
        assert found == [("member.updated",)]


def test_an_error_of_a_queued_insert_fails_the_block_and_writes_nothing(db: Database) -> None:
    tenant_id, member_id = _setup(db, tiers=False, members=1)
    before = _events(db, tenant_id)
    dup = new_id()
    with pytest.raises(IntegrityError):
        with db.transaction() as s, Pipeline(s) as pipe:
            s.execute(insert(EVENTS), _event(db, tenant_id, dup))
            s.execute(insert(EVENTS), _event(db, tenant_id, dup))  # the same key
            pipe.returning(BUMP, {"t": tenant_id, "m": member_id, "n": 7})
    assert _events(db, tenant_id) == before
    with db.transaction(write=False) as s:
        member = s.get(Member, (tenant_id, member_id))
        assert member is not None and member.points_balance == 0


def test_a_connection_lost_in_a_pipeline_is_reported_as_lost_after_a_write(
    db: Database,
) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no server connection to lose")
    tenant_id, _ = _setup(db, tiers=False, members=1)
    with pytest.raises(Exception) as caught:
        with db.transaction() as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with db.engine.connect() as killer:
                killer.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            with Pipeline(s):
                s.execute(insert(EVENTS), _event(db, tenant_id))
    assert lost_connection(caught.value), caught.value
    assert wrote(caught.value)
