"""The yardstick: the fastest version of Punchcard's benchmarked requests that its stack
allows, on Punchcard's own schema, returning the same JSON.

Starlette (the framework under FastAPI) on plain ``sqlite3``, with orjson for every
body, served like Punchcard (uvicorn with uvloop and httptools, one worker) on a copy
of the database Punchcard was seeded on (``bench/run.py`` copies it with SQLite's
backup API), so both read the same rows. Reads run on the event loop, on one
connection: no thread hop. Writes take one hop, to one dedicated writer thread with its
own connection (``REFERENCE_WRITES=thread``, the default): the writes are serialised
without SQLite's lock polling, and while a COMMIT waits for its fsync (``sqlite3``
releases the GIL) the loop goes on parsing and answering; on the 2-core bench machine
that measured faster than running the writes on the loop too
(``REFERENCE_WRITES=loop``, no hop at all; ``bench/run.py --reference-writes loop``
compares). Same durability as Punchcard: WAL, ``synchronous`` from
``REFERENCE_SYNCHRONOUS`` (FULL: an fsync at every COMMIT).

- ``GET /noop``: a JSON no-op.
- ``GET /api/v2/members/{id}``: the member as Punchcard's native face renders it
  (``MemberRead``: tier name and tag keys included), in one statement.
- ``POST /api/v2/members/{id}/points`` ``{"amount": n}``: the reference durable award,
  one transaction per request (``BEGIN IMMEDIATE`` ... ``COMMIT``, so one fsync each)
  writing the rows Punchcard's ledger writes for an award: the member's cached totals
  (balance, lifetime and period points, last activity; ``RETURNING`` the balance), the
  journal entry, its lot and the ``points.awarded`` outbox event. Replies
  ``{"transactionId", "balance"}`` like Punchcard.
- ``POST /api/v2/orders/batch`` ``{"orders": [...]}``: the reference batched insert,
  set-based in one transaction: one query for duplicate external ids, the members read
  once, one prepared statement per table run over all rows (``executemany``): the
  orders, their award entries and lots, the ``points.awarded`` and ``order.created``
  outbox events, then one update per member. Replies like Punchcard's batch (a result
  per row, then created / duplicates / failed).

The tenant's configuration (currency, points per currency unit, the purchase activity)
is read once at start: a per-process snapshot, the fastest a server can do. Not part
of the product: no auth, no idempotency, no tiers, no expiry, no webhook endpoints.
Run: ``REFERENCE_DB=... REFERENCE_TENANT=<hex> uvicorn bench.reference_app:app``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Any, TypeVar

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DB = os.environ.get("REFERENCE_DB", "/tmp/punchcard-reference.db")
SYNC = os.environ.get("REFERENCE_SYNCHRONOUS", "FULL")
TENANT = os.environ.get("REFERENCE_TENANT", "")
WRITES = os.environ.get("REFERENCE_WRITES", "thread")  # thread | loop
T = TypeVar("T")


def connect() -> sqlite3.Connection:
    c = sqlite3.connect(DB, isolation_level=None, check_same_thread=False, timeout=30)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute(f"PRAGMA synchronous={SYNC}")
    c.execute("PRAGMA busy_timeout=30000")
    c.execute("PRAGMA foreign_keys=ON")
    return c


# Reads (and, with REFERENCE_WRITES=loop, writes) run on the event loop's thread, on
# this connection.
_conn = connect()
_writer_local = threading.local()


def _write_conn() -> sqlite3.Connection:
    if WRITES == "loop":
        return _conn
    c = getattr(_writer_local, "conn", None)
    if c is None:
        c = _writer_local.conn = connect()
    return c


_writer = ThreadPoolExecutor(1, thread_name_prefix="ref-writer") if WRITES == "thread" else None


async def write(fn: Callable[..., T], *args: Any) -> T:
    """Run a write: inline on the loop, or on the one writer thread."""
    if _writer is None:
        return fn(*args)
    return await asyncio.get_running_loop().run_in_executor(_writer, fn, *args)


def _config() -> tuple[str, Decimal, str | None, Decimal]:
    row = _conn.execute(
        "SELECT t.currency, t.points_per_currency_unit, a.id, a.multiplier FROM tenants t "
        "LEFT JOIN activities a ON a.tenant_id = t.id AND a.system_key = 'purchase' "
        "AND a.is_active = 1 WHERE t.id = ?",
        (TENANT,),
    ).fetchone()
    if row is None:
        raise SystemExit(f"REFERENCE_TENANT {TENANT!r} not found in {DB}")
    currency, ppcu, activity, mult = row
    return currency, Decimal(str(ppcu)), activity, Decimal(str(mult if mult is not None else 1))


CURRENCY, PER_UNIT, PURCHASE, PURCHASE_MULT = _config()

# Wire formats ------------------------------------------------------------------------


def new_id() -> str:
    """A UUIDv7 as a Uuid column holds it (32 hex digits)."""
    r = int.from_bytes(os.urandom(10), "big")
    v = (
        ((time.time_ns() // 1_000_000) << 80)
        | (0x7 << 76)
        | (((r >> 64) & 0xFFF) << 64)
        | (0b10 << 62)
        | (r & ((1 << 62) - 1))
    )
    return f"{v:032x}"


def dashed(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def stamps() -> tuple[str, str]:
    """Now as SQLAlchemy stores it on SQLite, and as an event payload writes it."""
    now = datetime.now(UTC)
    iso = now.isoformat(timespec="microseconds")
    return f"{iso[:10]} {iso[11:26]}", iso


def iso_z(db: str | None) -> str | None:
    """A stored UTC timestamp as the native face renders it (milliseconds, Z)."""
    return None if db is None else f"{db[:10]}T{db[11:23]}Z"


def json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def not_found(field: str) -> Response:
    return json({"error": {"code": "NOT_FOUND", "message": "Not found", "field": field}}, 404)


def member_hex(raw: str) -> str:
    return (raw[4:] if raw.startswith("mem_") else raw).replace("-", "").lower()


# Routes ------------------------------------------------------------------------------


async def noop(request: Request) -> Response:
    return json({"status": "ok"})


READ_SQL = (
    "SELECT m.id, m.email, m.phone, m.first_name, m.last_name, m.external_id, m.status, "
    "m.tier_id, t.name, m.points_balance, m.pending_points, m.lifetime_points, "
    "(SELECT json_group_array(k) FROM (SELECT g.key AS k FROM member_tags mt "
    " JOIN tags g ON g.tenant_id = mt.tenant_id AND g.id = mt.tag_id "
    " WHERE mt.tenant_id = m.tenant_id AND mt.member_id = m.id ORDER BY g.key)), "
    "m.enrolled_at, m.last_activity_at, m.metadata, m.referral_code, m.created_at, m.updated_at "
    "FROM members m LEFT JOIN tiers t ON t.tenant_id = m.tenant_id AND t.id = m.tier_id "
    "WHERE m.tenant_id = ? AND m.id = ?"
)


async def read_member(request: Request) -> Response:
    r = _conn.execute(READ_SQL, (TENANT, member_hex(request.path_params["id"]))).fetchone()
    if r is None:
        return not_found("id")
    meta = orjson.loads(r[15]) if r[15] else None
    return json(
        {
            "id": "mem_" + r[0],
            "email": r[1],
            "phone": r[2],
            "firstName": r[3],
            "lastName": r[4],
            "externalId": r[5],
            "status": r[6],
            "tier": {"id": "tier_" + r[7], "name": r[8]} if r[7] else None,
            "pointsBalance": r[9],
            "pendingPoints": r[10],
            "lifetimePoints": r[11],
            "tags": orjson.loads(r[12]),
            "enrolledAt": iso_z(r[13]),
            "lastActivityAt": iso_z(r[14]),
            "metadata": meta or {},
            "referralCode": r[16],
            "createdAt": iso_z(r[17]),
            "updatedAt": iso_z(r[18]),
        }
    )


CREDIT_MEMBER_SQL = (
    "UPDATE members SET points_balance = points_balance + ?1, lifetime_points = "
    "lifetime_points + ?1, period_points = period_points + ?1, last_activity_at = ?2 "
    "WHERE tenant_id = ?3 AND id = ?4 RETURNING points_balance"
)
ENTRY_SQL = (
    "INSERT INTO points_entries (member_id, type, amount, status, balance_after, description, "
    "activity_id, order_id, created_at, decided_at, tenant_id, id) "
    "VALUES (?, 'award', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
LOT_SQL = (
    "INSERT INTO points_lots (member_id, amount, remaining, expires_at, created_at, tenant_id, id)"
    " VALUES (?, ?, ?, NULL, ?, ?, ?)"
)
EVENT_SQL = (
    "INSERT INTO outbox_events (type, resource_id, payload, created_at, tenant_id, id) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
ORDER_SQL = (
    "INSERT INTO orders (external_order_id, member_id, store_id, channel, total, currency, "
    "items, status, points_awarded, points_clawed_back, refunded_amount, body_hash, "
    "placed_at, created_at, updated_at, tenant_id, id) "
    "VALUES (?, ?, NULL, 'online', ?, ?, '[]', 'paid', ?, 0, 0, ?, ?, ?, ?, ?, ?)"
)


def awarded_payload(
    member: str, balance: int, entry: str, amount: int, status: str, iso: str, **refs: Any
) -> str:
    """The ``points.awarded`` event body, as Punchcard writes it (JSON text)."""
    return orjson.dumps(
        {
            "member_id": dashed(member),
            "balance": balance,
            "transaction": {
                "id": dashed(entry),
                "member_id": dashed(member),
                "type": "award",
                "amount": amount,
                "balance_after": balance,
                "status": status,
                "description": refs.get("description"),
                "activity_id": refs.get("activity_id"),
                "order_id": refs.get("order_id"),
                "store_id": None,
                "created_at": iso,
                "expires_at": None,
            },
        }
    ).decode()


def _award(member: str, amount: int) -> tuple[str, int] | None:
    c = _write_conn()
    db_now, iso = stamps()
    entry = new_id()
    c.execute("BEGIN IMMEDIATE")
    try:
        row = c.execute(CREDIT_MEMBER_SQL, (amount, db_now, TENANT, member)).fetchone()
        if row is None:
            c.execute("ROLLBACK")
            return None
        balance = int(row[0])
        c.execute(
            ENTRY_SQL,
            (member, amount, "approved", balance, None, None, None, db_now, db_now, TENANT, entry),
        )
        c.execute(LOT_SQL, (member, amount, amount, db_now, TENANT, entry))
        payload = awarded_payload(member, balance, entry, amount, "approved", iso)
        c.execute(EVENT_SQL, ("points.awarded", "mem_" + member, payload, db_now, TENANT, new_id()))
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    return entry, balance


async def award(request: Request) -> Response:
    body = orjson.loads(await request.body())
    amount = body.get("amount") if isinstance(body, dict) else None
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        return json({"error": {"code": "VALIDATION_FAILED", "field": "amount"}}, 400)
    member = member_hex(request.path_params["id"])
    done = await write(_award, member, amount)
    if done is None:
        return not_found("id")
    return json({"transactionId": "txn_" + done[0], "balance": done[1]})


def _batch(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The batch, set-based, in one transaction."""
    c = _write_conn()
    db_now, iso = stamps()
    results: list[dict[str, Any] | None] = [None] * len(rows)
    valid: list[tuple[int, str, str, Decimal, dict[str, Any]]] = []
    for i, r in enumerate(rows):
        ext, mem, total = r.get("externalOrderId"), r.get("memberId"), r.get("total")
        try:
            amount = Decimal(str(total))
        except ArithmeticError:
            amount = Decimal(-1)
        if not isinstance(ext, str) or not isinstance(mem, str) or amount < 0:
            results[i] = {
                "index": i,
                "externalOrderId": ext if isinstance(ext, str) else None,
                "status": "error",
                "id": None,
                "pointsAwarded": None,
                "error": {"code": "VALIDATION_FAILED", "message": "invalid row", "field": None},
            }
            continue
        valid.append((i, ext, member_hex(mem), amount, r))
    c.execute("BEGIN IMMEDIATE")
    try:
        exts = orjson.dumps([v[1] for v in valid]).decode()
        existing = dict(
            c.execute(
                "SELECT external_order_id, id FROM orders WHERE tenant_id = ? AND "
                "external_order_id IN (SELECT value FROM json_each(?))",
                (TENANT, exts),
            ).fetchall()
        )
        wanted = orjson.dumps(sorted({v[2] for v in valid})).decode()
        balances: dict[str, int] = dict(
            c.execute(
                "SELECT id, points_balance FROM members WHERE tenant_id = ? AND "
                "id IN (SELECT value FROM json_each(?))",
                (TENANT, wanted),
            ).fetchall()
        )
        credited: dict[str, int] = {}
        orders, entries, lots, events = [], [], [], []
        for i, ext, member, amount, raw in valid:
            if ext in existing:
                results[i] = {
                    "index": i,
                    "externalOrderId": ext,
                    "status": "duplicate",
                    "id": "ord_" + existing[ext],
                    "pointsAwarded": None,
                    "error": None,
                }
                continue
            if member not in balances:
                results[i] = {
                    "index": i,
                    "externalOrderId": ext,
                    "status": "error",
                    "id": None,
                    "pointsAwarded": None,
                    "error": {
                        "code": "NOT_FOUND",
                        "message": "Member not found",
                        "field": "memberId",
                    },
                }
                continue
            existing[ext] = order = new_id()
            points = (
                int((amount * PER_UNIT * PURCHASE_MULT).to_integral_value(rounding=ROUND_FLOOR))
                if PURCHASE
                else 0
            )
            digest = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
            total = str(amount)
            orders.append(
                (
                    ext,
                    member,
                    total,
                    CURRENCY,
                    points,
                    digest,
                    db_now,
                    db_now,
                    db_now,
                    TENANT,
                    order,
                )
            )
            if points > 0:
                entry = new_id()
                balance = balances[member] = balances[member] + points
                credited[member] = credited.get(member, 0) + points
                description = f"Order {ext}"
                entries.append(
                    (member, points, "auto_approved", balance, description, PURCHASE, order,
                     db_now, db_now, TENANT, entry)
                )  # fmt: skip
                lots.append((member, points, points, db_now, TENANT, entry))
                refs = {"description": description, "activity_id": dashed(PURCHASE)}
                payload = awarded_payload(
                    member, balance, entry, points, "auto_approved", iso,
                    order_id=dashed(order), **refs,
                )  # fmt: skip
                events.append(
                    ("points.awarded", "mem_" + member, payload, db_now, TENANT, new_id())
                )
            order_payload = {
                "order": {
                    "id": dashed(order),
                    "external_order_id": ext,
                    "member_id": dashed(member),
                    "store_id": None,
                    "channel": "online",
                    "total": total,
                    "currency": CURRENCY,
                    "items": [],
                    "status": "paid",
                    "points_awarded": points,
                    "points_clawed_back": 0,
                    "refunded_amount": "0",
                    "placed_at": iso,
                    "created_at": iso,
                }
            }
            event = orjson.dumps(order_payload).decode()
            events.append(("order.created", "ord_" + order, event, db_now, TENANT, new_id()))
            results[i] = {
                "index": i,
                "externalOrderId": ext,
                "status": "created",
                "id": "ord_" + order,
                "pointsAwarded": points,
                "error": None,
            }
        c.executemany(ORDER_SQL, orders)
        c.executemany(ENTRY_SQL, entries)
        c.executemany(LOT_SQL, lots)
        c.executemany(EVENT_SQL, events)
        c.executemany(
            "UPDATE members SET points_balance = points_balance + ?1, lifetime_points = "
            "lifetime_points + ?1, period_points = period_points + ?1, last_activity_at = ?2 "
            "WHERE tenant_id = ?3 AND id = ?4",
            [(n, db_now, TENANT, m) for m, n in credited.items()],
        )
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    out = [r for r in results if r is not None]
    return {
        "results": out,
        "created": sum(r["status"] == "created" for r in out),
        "duplicates": sum(r["status"] == "duplicate" for r in out),
        "failed": sum(r["status"] == "error" for r in out),
    }


async def batch(request: Request) -> Response:
    body = orjson.loads(await request.body())
    rows = body.get("orders") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not 1 <= len(rows) <= 500:
        return json({"error": {"code": "VALIDATION_FAILED", "field": "orders"}}, 400)
    return json(await write(_batch, [r if isinstance(r, dict) else {} for r in rows]))


app = Starlette(
    routes=[
        Route("/noop", noop),
        Route("/api/v2/members/{id}", read_member),
        Route("/api/v2/members/{id}/points", award, methods=["POST"]),
        Route("/api/v2/orders/batch", batch, methods=["POST"]),
    ]
)
