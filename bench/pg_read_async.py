"""Issue 10, PostgreSQL reads: the member read's statement run as today (a thread hand-off,
a read session: BEGIN, the prepared SELECT, COMMIT) against a prototype on psycopg's
async connection on the event loop (autocommit: the SELECT alone), in process; and,
to tell the two changes apart, the SELECT alone on a thread's own sync autocommit
connection (the thread hand-off kept).

Both run the very statement ``GET /api/v2/members/{id}`` runs (``members.views``'
prepared member row, its SQL and bind/result processors), 32 concurrent tasks on one
uvloop event loop for ``--seconds``, interleaved rounds. Reported per read: this
process's CPU time (``time.process_time``), the PostgreSQL backends' CPU time (every
backend of the bench's own database, ``/proc/<pid>/stat``), and reads/s. CPU per read is
the figure to trust on a shared machine; reads/s moves with the neighbours.

Only the database part of the request is compared (authentication, routing and
rendering are the same either way).

The prototype of what ``db/aio.py`` now does in the app; ``bench/pg_loop_ab.py``
measures the two paths through the real server.

Usage: ``.venv/bin/python bench/pg_read_async.py [--seconds 5] [--rounds 3]
[--pg postgresql://postgres@127.0.0.1:5432/postgres]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import psycopg
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database
from punchcard.kit.ids import new_id
from punchcard.members import views
from punchcard.tenants.service import create_tenant

TASKS = 32
POOL = 10  # the engine's pool_size: the async side gets as many connections


def backends_cpu(dbname: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to ``dbname``."""
    total = 0.0
    tck = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            if f" {dbname} ".encode() not in cmd.replace(b"\0", b" ") + b" ":
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tck
    return total


async def run_round(read: Callable[[], Awaitable[Any]], seconds: float) -> int:
    done = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            row = await read()
            assert row is not None
            done += 1

    await asyncio.gather(*(worker() for _ in range(TASKS)))
    return done


async def main_async(args: argparse.Namespace) -> None:
    admin = args.pg
    name = f"bench_async_{os.getpid()}_{secrets.token_hex(2)}"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + "/" + name
    db = None
    conns: list[psycopg.AsyncConnection[Any]] = []
    try:
        db = Database(url)
        upgrade(db.engine)
        with db.transaction() as s:
            tenant = create_tenant(s, name="Async bench")
            from punchcard.models import Member

            member = Member(
                tenant_id=tenant.id,
                id=new_id(),
                email="a@example.com",
                status="active",
                enrolled_at=db.clock.now(),
                created_at=db.clock.now(),
                updated_at=db.clock.now(),
            )
            s.add(member)
        params = {"tenant_id": tenant.id, "id": member.id}
        prepared = views._MEMBER_ROW

        def read_sync() -> Any:
            # What a read request's unit of work does on PostgreSQL today.
            session = db.session(write=False)
            try:
                row = prepared.first(session, params)
                session.commit()
                return row
            finally:
                session.close()

        read_sync()  # the plan: SQL, bind and result processors
        plan = prepared._plans["postgresql"]
        args_ = {n: b(params[n]) if b else params[n] for n, b in plan.binds}
        pool: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()
        for _ in range(POOL):
            conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
            conns.append(conn)
            pool.put_nowait(conn)

        # As many threads as the engine's pool holds connections: no overflow connection
        # opened and closed per round (the async side gets as many connections).
        limiter = anyio.CapacityLimiter(POOL)

        async def thread_hop() -> Any:
            return await anyio.to_thread.run_sync(read_sync, limiter=limiter)

        local = threading.local()
        sync_conns: list[psycopg.Connection[Any]] = []

        def read_autocommit() -> Any:
            # The same statement alone on the thread's own autocommit connection.
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = psycopg.connect(url, autocommit=True)
                sync_conns.append(conn)
            with conn.cursor() as cur:
                cur.execute(plan.sql, args_)
                raw = cur.fetchone()
            assert raw is not None
            return tuple(f(v) if f else v for v, f in zip(raw, plan.results, strict=True))

        async def thread_autocommit() -> Any:
            return await anyio.to_thread.run_sync(read_autocommit, limiter=limiter)

        async def on_loop() -> Any:
            conn = await pool.get()
            try:
                cur = conn.cursor()
                await cur.execute(plan.sql, args_)
                raw = await cur.fetchone()
                await cur.close()
            finally:
                pool.put_nowait(conn)
            assert raw is not None
            return tuple(f(v) if f else v for v, f in zip(raw, plan.results, strict=True))

        assert await on_loop() == tuple(read_sync())  # the same row either way
        sides = {
            "thread hop + BEGIN/COMMIT (today)": thread_hop,
            "thread hop, autocommit SELECT alone": thread_autocommit,
            "async, on the loop (autocommit)": on_loop,
        }
        samples: dict[str, list[tuple[float, float, float]]] = {k: [] for k in sides}
        for read in sides.values():
            await run_round(read, 1)
        for rnd in range(args.rounds):
            order = list(sides.items())
            order = order[rnd % len(order) :] + order[: rnd % len(order)]
            for label, read in order:
                cpu0, pg0, t0 = time.process_time(), backends_cpu(name), time.monotonic()
                n = await run_round(read, args.seconds)
                cpu, pg = time.process_time() - cpu0, backends_cpu(name) - pg0
                wall = time.monotonic() - t0
                samples[label].append((cpu * 1000 / n, pg * 1000 / n, n / wall))
                print(
                    f"round {rnd} {label}: {n / wall:,.0f} reads/s, CPU/read "
                    f"{cpu * 1000 / n:.3f} ms here + {pg * 1000 / n:.3f} ms PostgreSQL",
                    flush=True,
                )
        print("\n| path | reads/s | CPU ms/read (this process) | CPU ms/read (PostgreSQL) |")
        print("|---|---:|---:|---:|")
        for label, rows in samples.items():
            here = statistics.median(r[0] for r in rows)
            pg = statistics.median(r[1] for r in rows)
            rps = statistics.median(r[2] for r in rows)
            print(f"| {label} | {rps:,.0f} | {here:.3f} | {pg:.3f} |")
        for c in sync_conns:
            c.close()
    finally:
        for conn in conns:
            await conn.close()
        if db is not None:
            db.dispose()
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()
    uvloop.run(main_async(args))


if __name__ == "__main__":
    main()
