"""``db/prepared.py``: a hot SELECT run on the driver with SQLAlchemy's own processors
returns exactly what SQLAlchemy returns; on SQLite a pristine read session runs it on
the thread's autocommit reader, which always sees the latest commit, and a session with
a transaction (a writer's above all) runs it in that transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from punchcard.db.uow import Database
from punchcard.identity.principal import Principal
from punchcard.members import views
from punchcard.models import Member
from tests.factories import Tenant, insert_member


def _principal(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset({"members:read"}))


def _member(t: Tenant) -> Any:
    from punchcard.kit.ids import parse

    return parse("mem", insert_member(t, metadata_={"plan": "gold", "n": 3}))


def test_the_driver_path_returns_what_sqlalchemy_returns(db: Database, tenant: Tenant) -> None:
    member_id = _member(tenant)
    params = {"tenant_id": tenant.id, "id": member_id}
    prepared = views._MEMBER_ROW
    with db.transaction(write=False) as s:
        expected = tuple(s.execute(prepared.statement(db.engine.dialect.name), params).one())
    for _ in range(3):  # the first run plans through SQLAlchemy, the others do not
        with db.transaction(write=False) as s:
            got = prepared.first(s, params)
        assert got == expected
        assert got is not None
        assert [type(v) for v in got] == [type(v) for v in expected]
        assert got[13].tzinfo is not None  # enrolled_at: the TypeDecorator ran
    with db.transaction(write=False) as s:
        assert prepared.first(s, {"tenant_id": tenant.id, "id": tenant.id}) is None


def test_a_pristine_read_runs_alone_and_sees_every_commit(db: Database, tenant: Tenant) -> None:
    """SQLite: on the thread's autocommit reader; PostgreSQL: on a pooled connection in
    autocommit mode. Either way the session never begins a transaction."""
    member_id = _member(tenant)
    principal = _principal(tenant)
    with db.transaction(write=False) as s:  # the statement planned (through SQLAlchemy)
        assert views.member_row(s, principal, member_id) is not None
    for email in ("one@example.com", "two@example.com"):
        with db.transaction() as s:
            s.execute(update(Member).where(Member.id == member_id).values(email=email))
        reader = db.session(write=False)
        try:
            key = "autocommit_reader" if db.is_sqlite else "autocommit_checkout"
            assert key in reader.info
            row = views.member_row(reader, principal, member_id)
            assert row is not None and row.email == email
            assert not reader.in_transaction()  # it never began one: the reader read
        finally:
            reader.close()


def test_a_session_with_a_transaction_reads_in_it(db: Database, tenant: Tenant) -> None:
    member_id = _member(tenant)
    principal = _principal(tenant)
    s = db.session(write=True)
    try:
        # never a writer's
        assert "autocommit_reader" not in s.info and "autocommit_checkout" not in s.info
        s.execute(update(Member).where(Member.id == member_id).values(email="mine@example.com"))
        row = views.member_row(s, principal, member_id)
        assert row is not None and row.email == "mine@example.com"  # its own write
    finally:
        s.rollback()
        s.close()
    with db.transaction(write=False) as r:
        row = views.member_row(r, principal, member_id)
        assert row is not None and row.email != "mine@example.com"
