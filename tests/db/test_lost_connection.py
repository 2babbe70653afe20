"""A PostgreSQL connection that died in the pool (server restart, failover, an idle
timeout, ``pg_terminate_backend``) without ``pool_pre_ping`` (``db/engine.py``): the
unit of work that finds it dead before it wrote anything runs again on a fresh
connection, and the request succeeds; one that had written answers 503 (retryable),
its transaction rolled back by the server, never half applied.

The backends are really terminated, from a second connection, by the application
name this test's own app connects with (other tests' connections are left alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import make_url

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.aio import LoopReads
from punchcard.db.uow import Database
from tests.conftest import database_url
from tests.factories import Api, Tenant, award, balance, insert_member, make_tenant

pytestmark = pytest.mark.skipif(
    not database_url().startswith("postgres"),
    reason="PostgreSQL only: SQLite has no server connection to lose",
)


class Stack:
    def __init__(self, db: Database, tenant: Tenant, name: str) -> None:
        self.db = db
        self.tenant = tenant
        self.name = name
        self.lost = 0  # statements that found their connection dead
        event.listen(db.engine, "handle_error", self._count)

    def _count(self, ctx: Any) -> None:
        if ctx.is_disconnect:
            self.lost += 1

    @property
    def lost_anywhere(self) -> int:
        """Statements that found their connection dead: the engine's, and the event
        loop's reads (``db/aio.py``, the member read)."""
        loop = self.db.loop_reads
        return self.lost + (loop.lost if loop is not None else 0)

    def terminate(self, pid: int | None = None) -> int:
        """Terminate this app's backends (or one), from a connection of our own."""
        url = make_url(database_url()).set(drivername="postgresql", query={})
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as c:
            rows = c.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s AND (%s::int IS NULL OR pid = %s::int)",
                (self.name, pid, pid),
            ).fetchall()
        return len(rows)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    name = f"punchcard-lost-{uuid.uuid4().hex[:8]}"
    url = make_url(database_url()).update_query_dict({"application_name": name})
    text = url.render_as_string(hide_password=False)
    settings = Settings(database_url=text, mail_dir=tmp_path / "mail", run_worker=False)
    db = Database(text, settings=settings)
    assert not db.engine.pool._pre_ping  # the point: no round trip per checkout
    app = create_app(settings, db=db)
    with TestClient(app) as client:
        yield Stack(db, make_tenant(db, client), name)
    db.dispose()


def test_requests_after_every_pooled_connection_died_succeed(stack: Stack) -> None:
    t = stack.tenant
    member = insert_member(t)
    award(t, member, 10)
    # A pool of connections, all of them idle now (the member read's: on the event
    # loop's own pool, from the second read on; the first plans its statement).
    assert t.api.get(f"/members/{member}").status_code == 200
    assert t.api.get(f"/members/{member}").status_code == 200
    assert stack.terminate() >= 1

    # A read, on a dead pooled connection: retried, answered.
    r = t.api.get(f"/members/{member}")
    assert r.status_code == 200, r.text
    assert r.json()["pointsBalance"] == 10
    assert stack.lost_anywhere >= 1

    # A write, an Idempotency-Key claim and a credentials lookup, each on a dead one.
    stack.terminate()
    award(t, member, 5)
    stack.terminate()
    key = {"Idempotency-Key": "lost-1"}
    r = t.api.post(f"/members/{member}/points", json={"amount": 7}, headers=key)
    assert r.status_code == 200, r.text
    fresh: Api = t.key("members:read", "points:read")
    stack.terminate()
    assert fresh.get(f"/members/{member}").status_code == 200
    # Each change applied exactly once.
    assert balance(t, member) == 22
    replay = t.api.post(f"/members/{member}/points", json={"amount": 7}, headers=key)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert balance(t, member) == 22
    assert stack.lost_anywhere >= 4


def test_a_connection_lost_after_a_write_answers_503_and_nothing_happened(stack: Stack) -> None:
    t = stack.tenant
    member = insert_member(t)
    award(t, member, 10)
    armed = {"on": True}

    # Kill the request's own backend right after its first write statement: the next
    # statement finds the connection gone with something written in the transaction.
    def after(conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        if armed["on"] and statement.startswith("INSERT INTO points_entries"):
            armed["on"] = False
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            assert stack.terminate(pid) == 1

    event.listen(stack.db.engine, "after_cursor_execute", after)
    try:
        r = t.api.post(f"/members/{member}/points", json={"amount": 5})
    finally:
        event.remove(stack.db.engine, "after_cursor_execute", after)
    assert not armed["on"]
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert r.headers.get("Retry-After")
    # Not half written, not retried behind the client's back: the retry is the client's.
    assert balance(t, member) == 10
    award(t, member, 5)
    assert balance(t, member) == 15


def backend_pids(stack: Stack) -> set[int]:
    url = make_url(database_url()).set(drivername="postgresql", query={})
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as c:
        rows = c.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (stack.name,)
        ).fetchall()
    return {pid for (pid,) in rows}


def test_a_member_read_on_the_event_loop_survives_a_terminated_backend(stack: Stack) -> None:
    """The member read runs on the event loop's own async connections (``db/aio.py``);
    when its backend was terminated between two requests, the read finds the
    connection dead, drops it (and the pool's other idle ones), runs once more on a new
    connection and answers as if nothing had happened."""
    t = stack.tenant
    loop = stack.db.loop_reads
    assert loop is not None  # on by default on PostgreSQL
    member = insert_member(t)
    award(t, member, 10)
    t.api.get(f"/members/{member}")  # the statement planned: the next reads on the loop
    first = t.api.get(f"/members/{member}")
    assert first.status_code == 200, first.text
    before = backend_pids(stack)
    assert stack.terminate() >= 1
    assert not backend_pids(stack) & before
    lost = loop.lost

    again = t.api.get(f"/members/{member}")
    assert again.status_code == 200, again.text
    assert again.content == first.content
    assert loop.lost == lost + 1  # found dead once, and answered from the retry
    # Later reads keep working on the new connection, and see new writes.
    award(t, member, 5)
    assert t.api.get(f"/members/{member}").json()["pointsBalance"] == 15
    assert loop.lost == lost + 1


def test_the_loop_pool_keeps_to_its_size_and_closes_what_it_cannot_trust(stack: Stack) -> None:
    """``db/aio.py``'s rules, on one event loop: at most ``size`` connections, reused
    while idle; a read cancelled mid-statement (a client gone) closes its connection;
    closing the pool closes the idle ones."""
    reads = LoopReads(stack.db.engine, 2)

    async def scenario() -> None:
        pids = await asyncio.gather(
            *(reads.fetchone("SELECT pg_backend_pid(), pg_sleep(0.05)", ()) for _ in range(6))
        )
        assert len({pid for pid, _ in pids}) == 2
        pool = reads.pool()
        assert len(pool._idle) == 2
        slow = asyncio.ensure_future(reads.fetchone("SELECT pg_sleep(5)", ()))
        await asyncio.sleep(0.2)
        slow.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await slow
        assert len(pool._idle) == 1  # the cancelled read's connection was closed
        ((pid, _),) = [await reads.fetchone("SELECT pg_backend_pid(), 1", ())]
        assert pid in {p for p, _ in pids}  # an idle one, reused
        reads.close()
        assert pool.closed and pool._idle == []
        # A read after the close makes a new pool on this loop.
        assert await reads.fetchone("SELECT 1", ()) == (1,)
        reads.close()

    asyncio.run(scenario())
