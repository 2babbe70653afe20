"""The overview costs the same number of SQL statements whatever the members or the
days: every figure is an aggregate (GROUP BY) statement, none runs per member or day."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from punchcard.db.uow import Database
from punchcard.metrics.service import overview
from tests.factories import award, insert_member, make_tenant


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []
    me = threading.get_ident()

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        # This thread's only: the app's audit writer may flush on the same engine.
        if threading.get_ident() == me:
            seen.append(sql)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _cost(db: Database, tenant_id: Any, days: int) -> list[str]:
    today = db.clock.now().date()
    with db.transaction(write=False) as s:
        overview(s, tenant_id, start=today - timedelta(days=days - 1), end=today)  # warm
        with statements(db) as seen:
            result = overview(s, tenant_id, start=today - timedelta(days=days - 1), end=today)
    assert len(result.series) == days
    return [sql[:50] for sql in seen]


def test_statement_count_does_not_grow_with_members_or_days(db: Database, client: Any) -> None:
    t = make_tenant(db, client)
    for _ in range(2):
        award(t, insert_member(t), 10)
    few = _cost(db, t.id, 7)
    for _ in range(20):
        award(t, insert_member(t), 10)
    assert _cost(db, t.id, 7) == few, few
    assert _cost(db, t.id, 365) == few, few
    assert len(few) <= 8, few


def test_a_period_that_ends_before_it_starts_is_refused(db: Database, client: Any) -> None:
    import pytest

    from punchcard.errors import ValidationFailed

    t = make_tenant(db, client)
    with db.transaction(write=False) as s, pytest.raises(ValidationFailed) as exc:
        overview(s, t.id, start=date(2026, 5, 2), end=date(2026, 5, 1))
    assert exc.value.field == "end"
