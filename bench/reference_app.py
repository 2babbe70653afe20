"""The yardstick: the least an ASGI app on SQLite can do for each benchmarked path.

Three routes on plain ``sqlite3``, served exactly like Punchcard (uvicorn, same
worker count, same PRAGMAs and durability):

- ``GET /noop``                 a JSON no-op
- ``GET /balance/{id}``         a balance read by primary key
- ``POST /award/{id}``          BEGIN IMMEDIATE, insert a ledger row, update the balance, COMMIT
- ``POST /award-batch``         the same for 500 rows in one transaction

Not part of the product: it has no auth, no validation, no idempotency, no events.
Run: ``REFERENCE_DB=/tmp/ref.db uvicorn bench.reference_app:app``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DB = os.environ.get("REFERENCE_DB", "/tmp/punchcard-reference.db")
SYNC = os.environ.get("REFERENCE_SYNCHRONOUS", "FULL")
_local = threading.local()


def conn() -> sqlite3.Connection:
    c = getattr(_local, "conn", None)
    if c is None:
        c = sqlite3.connect(DB, isolation_level=None, check_same_thread=False, timeout=30)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute(f"PRAGMA synchronous={SYNC}")
        c.execute("PRAGMA busy_timeout=30000")
        _local.conn = c
    return c


def setup(members: int = 1000) -> None:
    c = conn()
    c.execute(
        "CREATE TABLE IF NOT EXISTS members (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)"
    )
    c.execute(
        "CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL,"
        " amount INTEGER NOT NULL, balance_after INTEGER NOT NULL, created_at REAL NOT NULL)"
    )
    c.execute("BEGIN")
    c.executemany(
        "INSERT OR IGNORE INTO members (id, balance) VALUES (?, 0)",
        [(i,) for i in range(1, members + 1)],
    )
    c.execute("COMMIT")


async def noop(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def _balance(member_id: int) -> int | None:
    row = conn().execute("SELECT balance FROM members WHERE id = ?", (member_id,)).fetchone()
    return None if row is None else int(row[0])


async def balance(request: Request) -> JSONResponse:
    value = await run_in_threadpool(_balance, int(request.path_params["id"]))
    return JSONResponse({"balance": value})


def _award(member_id: int, amount: int) -> int:
    c = conn()
    c.execute("BEGIN IMMEDIATE")
    try:
        (bal,) = c.execute("SELECT balance FROM members WHERE id = ?", (member_id,)).fetchone()
        bal += amount
        c.execute(
            "INSERT INTO ledger (member_id, amount, balance_after, created_at) VALUES (?, ?, ?, ?)",
            (member_id, amount, bal, time.time()),
        )
        c.execute("UPDATE members SET balance = ? WHERE id = ?", (bal, member_id))
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    return int(bal)


async def award(request: Request) -> JSONResponse:
    body = await request.json()
    value = await run_in_threadpool(
        _award, int(request.path_params["id"]), int(body.get("amount", 1))
    )
    return JSONResponse({"balance": value})


def _award_batch(rows: list[tuple[int, int]]) -> int:
    c = conn()
    c.execute("BEGIN IMMEDIATE")
    try:
        for member_id, amount in rows:
            (bal,) = c.execute("SELECT balance FROM members WHERE id = ?", (member_id,)).fetchone()
            bal += amount
            c.execute(
                "INSERT INTO ledger (member_id, amount, balance_after, created_at) VALUES (?, ?, ?, ?)",
                (member_id, amount, bal, time.time()),
            )
            c.execute("UPDATE members SET balance = ? WHERE id = ?", (bal, member_id))
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    return len(rows)


async def award_batch(request: Request) -> JSONResponse:
    body = await request.json()
    rows = [(int(r["member"]), int(r["amount"])) for r in body["rows"]]
    n = await run_in_threadpool(_award_batch, rows)
    return JSONResponse({"rows": n})


setup()
app = Starlette(
    routes=[
        Route("/noop", noop),
        Route("/balance/{id:int}", balance),
        Route("/award/{id:int}", award, methods=["POST"]),
        Route("/award-batch", award_batch, methods=["POST"]),
    ]
)
