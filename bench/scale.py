"""Cost as work grows: does a request cost the same on a big database as on a small one?

Issue 5, benchmark item 4. One SQLite database, one Punchcard server (uvicorn, one
worker, ``--no-worker``), three questions:

1. **History**: balance read and award on a member with 1,000,000 journal entries
   against the same on a member with 10 (goal: at least 0.9 times as many requests a
   second; nothing may sum over history).
2. **Contention**: awards all on one member against the same awards spread over
   10,000 members (goal: at least 0.8 times).
3. **Size**: lookup by email (``GET /api/v2/members?email=``) of random members among
   1,000,000, p99 at the usual connections and unloaded (goal ≤ 10 ms; under load the
   p99 is at least connections / throughput from queueing alone).

The program (points expiry after 365 days, two lifetime tiers and a period tier, so
the expiry check and the tier evaluation run on every award) and the small cases are
set up over the API. The big data is bulk-inserted with plain SQL in exactly the shape
the service writes — journal entries, lots, allocations and the member's cached
balance; members with their referral code and enrolment capture — and ``punchcard
verify`` (which recomputes every balance from the journal) must pass before anything
is measured. Outbox and audit rows are not seeded: no measured path reads them.

Usage: ``python bench/scale.py [--seconds 5] [--rounds 3] [--connections 32]
[--size 1000000]`` (``--size``: journal entries on the big member and members in the
tenant; a smaller size is a smoke run of the same harness, not a measure of the goal);
from code: ``run_scale(seconds, rounds, connections, size=...)`` returns the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

try:  # run as a script, or imported next to run.py
    from run import (
        PY,
        Result,
        Target,
        free_port,
        median,
        stop,
        wait_ready,
        wrk,
    )
except ImportError:  # imported as bench.scale
    from bench.run import (  # type: ignore[no-redef]
        PY,
        Result,
        Target,
        free_port,
        median,
        stop,
        wait_ready,
        wrk,
    )

from punchcard.members.service import REFERRAL_ALPHABET, REFERRAL_LENGTH

# The big member's history: PAIRS awards of 10 each spent at once by a deduction of 10
# (exhausted lots, one allocation each), then OPEN awards of 5 still unspent: 1,000,000
# journal entries, 600,000 lots, 400,000 allocations, spread over the last 300 days.
PAIRS = 400_000
OPEN = 200_000
HISTORY_DAYS = 300
EXPIRY_DAYS = 365
MEMBERS = 1_000_000
SPREAD = 10_000
SMALL_ENTRIES = 10
# Member i of the million: m0000000@… to m0999999@… (pick.lua pads {r} to 7 digits).
EMAIL = "m{r}@scale.example.com"
EMAIL_DIGITS = 7
CHUNK = 50_000


@dataclass
class ScaleRow:
    """One line of the results table. ``value`` is the ratio (measured / compared) or,
    for an absolute goal, the measured p99 in ms."""

    scenario: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    rss_mb: float
    compared: str | None  # what the measured side is compared to
    compared_rps: float | None
    compared_p50_ms: float | None
    compared_p99_ms: float | None
    value: float
    goal: str
    met: bool
    note: str = ""

    def markdown(self) -> str:
        """A row in the column layout of ``docs/benchmarks.md``'s table."""
        cmp_rps = f"{self.compared_rps:,.0f}" if self.compared_rps is not None else "—"
        cmp_lat = (
            f"{self.compared_p50_ms:.1f} / {self.compared_p99_ms:.1f}"
            if self.compared_p50_ms is not None and self.compared_p99_ms is not None
            else "—"
        )
        value = f"{self.value:.3f}×" if self.goal.startswith("≥") else f"p99 {self.value:.1f} ms"
        verdict = "met" if self.met else "**missed**"
        note = "; ".join(
            x for x in (f"vs {self.compared}" if self.compared else "", self.note) if x
        )
        return (
            f"| {self.scenario} | {self.rps:,.0f} | {self.p50_ms:.1f} / {self.p99_ms:.1f} | "
            f"{self.errors} | {self.rss_mb:.0f} | {cmp_rps} | {cmp_lat} | {value} | "
            f"{self.goal} {verdict} | {note} |"
        )


HEADER = (
    "| scenario | Punchcard req/s | p50 / p99 ms | errors | RSS MB | compared req/s "
    "| p50 / p99 ms | ratio / p99 | goal | note |\n|---|---|---|---|---|---|---|---|---|---|"
)


def markdown_table(rows: list[ScaleRow]) -> str:
    return "\n".join([HEADER, *(r.markdown() for r in rows)])


# Wire formats of the SQLite columns, as SQLAlchemy writes them ----------------------


_DAYS: dict[int, str] = {}


def _ts(us: int) -> str:
    """A UTC timestamp (microseconds since the epoch) as SQLAlchemy stores it on SQLite:
    ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    s, f = divmod(us, 1_000_000)
    d, s = divmod(s, 86_400)
    day = _DAYS.get(d)
    if day is None:
        day = _DAYS[d] = (datetime(1970, 1, 1) + timedelta(days=d)).date().isoformat()
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{day} {h:02d}:{m:02d}:{s:02d}.{f:06d}"


def _uuid7(us: int, rnd: random.Random) -> str:
    """A UUIDv7 for that time (punchcard.kit.ids layout), as a Uuid column holds it."""
    value = (
        ((us // 1000) << 80)
        | (0x7 << 76)
        | (rnd.getrandbits(12) << 64)
        | (0b10 << 62)
        | rnd.getrandbits(62)
    )
    return f"{value:032x}"


def _referral_code(i: int) -> str:
    """Distinct codes, in increasing order for increasing i (the alphabet is in ASCII
    order), so that the bulk load appends to the unique index."""
    x = i * 1_000_003 + 7
    return "".join(REFERRAL_ALPHABET[(x >> (5 * k)) & 31] for k in reversed(range(REFERRAL_LENGTH)))


def _now_us() -> int:
    return time.time_ns() // 1000


# Seeding ----------------------------------------------------------------------------

ENTRY_SQL = (
    "INSERT INTO points_entries (tenant_id, id, member_id, type, amount, status, "
    "balance_after, expires_at, created_at, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
LOT_SQL = (
    "INSERT INTO points_lots (tenant_id, id, member_id, amount, remaining, expires_at, "
    "created_at) VALUES (?,?,?,?,?,?,?)"
)
ALLOC_SQL = (
    "INSERT INTO points_allocations (tenant_id, id, member_id, debit_entry_id, lot_id, "
    "points, created_at) VALUES (?,?,?,?,?,?,?)"
)
MEMBER_SQL = (
    "INSERT INTO members (tenant_id, id, email, phone, first_name, last_name, external_id, "
    "status, source, store_id, referral_code, metadata, tier_id, period_tier_id, "
    "lifetime_tier_id, tier_manual, points_balance, pending_points, lifetime_points, "
    "points_debt, points_redeemed, points_expired, points_deducted, period_points, "
    "period_start, period_end, enrolled_at, last_activity_at, created_at, updated_at) VALUES "
    "(?,?,?,NULL,NULL,NULL,NULL,'active','api',NULL,?,'null',?,NULL,NULL,0,0,0,0,0,0,0,0,0,"
    "NULL,NULL,?,?,?,?)"
)
CODE_SQL = (
    "INSERT INTO referral_codes (tenant_id, id, member_id, code, kind, created_at) "
    "VALUES (?,?,?,?,'member',?)"
)
CAPTURE_SQL = (
    "INSERT INTO captures (tenant_id, id, member_id, source, store_id, is_new_member, day, "
    "dedup_key, created_at) VALUES (?,?,?,'api',NULL,1,?,NULL,?)"
)


def set_size(size: int) -> None:
    """Scale the seeded data: ``size`` journal entries on the big member (2/5 paired
    awards and deductions, 1/5 open awards) and ``size`` members."""
    global PAIRS, OPEN, MEMBERS, SPREAD
    PAIRS, OPEN, MEMBERS = 2 * size // 5, size // 5, size
    SPREAD = min(10_000, size)


def seed_history(con: sqlite3.Connection, tenant: str, member: str, end_us: int) -> None:
    """What ``POST /members/{id}/points`` writes, PAIRS times ``+10`` then ``-10`` and
    OPEN times ``+5``, with the tenant's 365-day expiry: an ``award`` entry and its lot
    (same id), a ``deduct`` entry with its allocation (the lot it consumed becomes
    ``remaining 0``, its award ``exhausted``), and the member's cached totals."""
    rnd = random.Random(1)
    n = 2 * PAIRS + OPEN
    step = HISTORY_DAYS * 86_400_000_000 // n
    start = end_us - n * step
    expiry = EXPIRY_DAYS * 86_400_000_000
    entries: list[tuple[object, ...]] = []
    lots: list[tuple[object, ...]] = []
    allocs: list[tuple[object, ...]] = []

    def flush() -> None:
        con.executemany(ENTRY_SQL, entries)
        con.executemany(LOT_SQL, lots)
        con.executemany(ALLOC_SQL, allocs)
        entries.clear()
        lots.clear()
        allocs.clear()

    for i in range(PAIRS):
        ta = start + 2 * i * step
        td = ta + step
        award, deduct = _uuid7(ta, rnd), _uuid7(td, rnd)
        at, dt = _ts(ta), _ts(td)
        exp = _ts(ta + expiry)
        entries.append((tenant, award, member, "award", 10, "exhausted", 10, exp, at, at))
        lots.append((tenant, award, member, 10, 0, exp, at))
        entries.append((tenant, deduct, member, "deduct", -10, "deducted", 0, None, dt, dt))
        allocs.append((tenant, _uuid7(td, rnd), member, deduct, award, 10, dt))
        if len(entries) >= CHUNK:
            flush()
    balance = 0
    t = start
    for j in range(OPEN):
        t = start + (2 * PAIRS + j) * step
        award, at = _uuid7(t, rnd), _ts(t)
        balance += 5
        exp = _ts(t + expiry)
        entries.append((tenant, award, member, "award", 5, "approved", balance, exp, at, at))
        lots.append((tenant, award, member, 5, 5, exp, at))
        if len(entries) >= CHUNK:
            flush()
    flush()
    con.execute(
        "UPDATE members SET points_balance = ?, lifetime_points = ?, points_deducted = ?, "
        "last_activity_at = ? WHERE tenant_id = ? AND id = ?",
        (balance, 10 * PAIRS + 5 * OPEN, 10 * PAIRS, _ts(t), tenant, member),
    )


def seed_members(
    con: sqlite3.Connection, tenant: str, default_tier: str | None, end_us: int, tz: str
) -> list[str]:
    """What ``POST /members {"email": ...}`` writes, MEMBERS times: the member (default
    tier, zero balances, a referral code), its ``referral_codes`` row and its enrolment
    capture. Enrolled over the two years before ``end_us``. Returns the member ids."""
    rnd = random.Random(2)
    zone = None if tz == "UTC" else ZoneInfo(tz)
    taken = {
        r[0] for r in con.execute("SELECT code FROM referral_codes WHERE tenant_id = ?", (tenant,))
    }
    step = 2 * 365 * 86_400_000_000 // MEMBERS
    start = end_us - MEMBERS * step
    ids: list[str] = []
    members: list[tuple[object, ...]] = []
    codes: list[tuple[object, ...]] = []
    captures: list[tuple[object, ...]] = []
    c = 0
    for i in range(MEMBERS):
        t = start + i * step
        mid, ts = _uuid7(t, rnd), _ts(t)
        code = _referral_code(c)
        while code in taken:
            c += 1
            code = _referral_code(c)
        c += 1
        day_dt = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=t + 5000)
        day = (day_dt.astimezone(zone) if zone else day_dt).date().isoformat()
        members.append(
            (
                tenant,
                mid,
                EMAIL.replace("{r}", f"{i:0{EMAIL_DIGITS}d}"),
                code,
                default_tier,
                ts,
                ts,
                ts,
                ts,
            )
        )
        codes.append((tenant, _uuid7(t, rnd), mid, code, ts))
        captures.append((tenant, _uuid7(t + 5000, rnd), mid, day, _ts(t + 5000)))
        ids.append(mid)
        if len(members) == CHUNK:
            con.executemany(MEMBER_SQL, members)
            con.executemany(CODE_SQL, codes)
            con.executemany(CAPTURE_SQL, captures)
            members.clear()
            codes.clear()
            captures.clear()
    con.executemany(MEMBER_SQL, members)
    con.executemany(CODE_SQL, codes)
    con.executemany(CAPTURE_SQL, captures)
    return ids


def seed(db_path: Path, tenant: str, big_member: str) -> list[str]:
    """Bulk-load the big data in one transaction; returns the seeded member ids."""
    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        # The server is stopped and the file is thrown away after the run: write the
        # pages once, straight into the database (no WAL copy, no fsync), and return
        # to WAL at the end. Foreign keys stay enforced.
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA cache_size=-512000")
        # The tier enrolment gives (MemberRepository.default_tier).
        tz, default_tier = con.execute(
            "SELECT t.timezone, (SELECT id FROM tiers WHERE tenant_id = t.id AND is_active = 1 "
            "AND (is_default = 1 OR min_points = 0) ORDER BY CASE WHEN is_default = 1 THEN 0 "
            "ELSE 1 END, position, id LIMIT 1) FROM tenants t WHERE t.id = ?",
            (tenant,),
        ).fetchone()
        end = _now_us() - 3_600_000_000  # everything seeded ends an hour ago
        con.execute("BEGIN IMMEDIATE")
        seed_history(con, tenant, big_member, end)
        ids = seed_members(con, tenant, default_tier, end - 86_400_000_000, tz)
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()
    return ids


# The server and its API -------------------------------------------------------------


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [PY, "-m", "punchcard.cli.main", "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_ready(f"http://127.0.0.1:{port}/healthz", proc)
    return proc


def _ok(r: httpx.Response) -> dict[str, object]:
    if r.status_code >= 400:
        raise SystemExit(f"{r.request.method} {r.request.url}: {r.status_code} {r.text}")
    return r.json() if r.content else {}


def _program(api: httpx.Client) -> None:
    """A program where every award runs the expiry check and both tier evaluations."""
    _ok(api.patch("/settings", json={"pointsExpiryDays": EXPIRY_DAYS}))
    for tier in (
        {"name": "Bronze", "type": "lifetime", "position": 0, "minPoints": 0, "isDefault": True},
        {"name": "Silver", "type": "lifetime", "position": 1, "minPoints": 1_000},
        {"name": "Gold", "type": "period", "position": 2, "minPoints": 5_000},
    ):
        _ok(api.post("/tiers", json=tier))


def _small_member(api: httpx.Client, email: str) -> str:
    """A member with SMALL_ENTRIES journal entries, the same mix as the big one."""
    mid = str(_ok(api.post("/members", json={"email": email}))["id"])
    for k in range(SMALL_ENTRIES):
        amount = 5 if k >= SMALL_ENTRIES - 2 else (10 if k % 2 == 0 else -10)
        _ok(api.post(f"/members/{mid}/points", json={"amount": amount}))
    return mid


def _rounds(
    sides: list[tuple[Target, int]],
    seconds: int,
    rounds: int,
    pid: int,
    before: Callable[[int], None] | None = None,
) -> list[Result]:
    """Interleaved rounds (the order flips every round); the median of each side."""
    results: list[list[Result]] = [[] for _ in sides]
    for rnd in range(rounds):
        if before is not None:
            before(rnd)
        order = list(enumerate(sides))
        if rnd % 2:
            order.reverse()
        for i, (target, connections) in order:
            results[i].append(wrk(target, seconds, connections, pid))
    return [median(r) for r in results]


def _ratio_row(
    scenario: str, a: Result, b: Result, compared: str, goal: float, note: str = ""
) -> ScaleRow:
    ratio = a.rps / b.rps if b.rps else 0.0
    return ScaleRow(
        scenario,
        a.rps,
        a.p50_ms,
        a.p99_ms,
        a.errors + b.errors,
        max(a.rss_mb, b.rss_mb),
        compared,
        b.rps,
        b.p50_ms,
        b.p99_ms,
        ratio,
        f"≥ {goal}×",
        ratio >= goal,
        note,
    )


def _p99_row(scenario: str, a: Result, limit_ms: float, note: str = "") -> ScaleRow:
    return ScaleRow(
        scenario,
        a.rps,
        a.p50_ms,
        a.p99_ms,
        a.errors,
        a.rss_mb,
        None,
        None,
        None,
        None,
        a.p99_ms,
        f"p99 ≤ {limit_ms:g} ms",
        a.p99_ms <= limit_ms,
        note,
    )


def _log(msg: str) -> None:
    print(f"[scale] {msg}", flush=True)


def run_scale(
    seconds: int = 5,
    rounds: int = 3,
    connections: int = 32,
    *,
    sync: str = "FULL",
    size: int = 1_000_000,
) -> list[ScaleRow]:
    """Set up, seed, verify and measure; returns one row per goal."""
    set_size(size)
    entries, members, spread_n = f"{2 * PAIRS + OPEN:,}", f"{MEMBERS:,}", f"{SPREAD:,}"
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="punchcard-scale-"))
    db_path = tmp / "pc.db"
    env = {
        **os.environ,
        "PUNCHCARD_DATABASE_URL": f"sqlite:///{db_path}",
        "PUNCHCARD_DEMO_ON_FIRST_START": "false",
        "PUNCHCARD_LOG_LEVEL": "warning",
        "PUNCHCARD_SQLITE_SYNCHRONOUS": sync,
        "PUNCHCARD_MAIL_DIR": str(tmp / "mail"),
    }
    cli = [PY, "-m", "punchcard.cli.main"]
    try:
        subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
        created = subprocess.run(
            [*cli, "tenants", "create", "--name", "Bench", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        info = json.loads(created.stdout)
        key, tenant = info["apiKey"], info["tenantId"].removeprefix("ten_")
        headers = {"Authorization": f"Bearer {key}"}
        port = free_port()
        base = f"http://127.0.0.1:{port}"

        # 1. Over the API: the program, a 10-entry member, the member to be made big.
        proc = _serve(env, port)
        try:
            with httpx.Client(base_url=base + "/api/v2", headers=headers, timeout=60) as api:
                _program(api)
                small = _small_member(api, "small-0@bench.example.com")
                big = str(_ok(api.post("/members", json={"email": "big@bench.example.com"}))["id"])
        finally:
            stop(proc)

        # 2. The big data, in SQL, then the journal proves it.
        t0 = time.monotonic()
        ids = seed(db_path, tenant, big.removeprefix("mem_"))
        _log(
            f"seeded {2 * PAIRS + OPEN:,} entries on one member and {MEMBERS:,} members "
            f"in {time.monotonic() - t0:.0f} s"
        )
        t0 = time.monotonic()
        checked = subprocess.run([*cli, "verify"], env=env, capture_output=True, text=True)
        if checked.returncode != 0:
            raise SystemExit(f"punchcard verify failed after seeding:\n{checked.stdout[-4000:]}")
        _log(f"verify: {' '.join(checked.stdout.split())} in {time.monotonic() - t0:.0f} s")
        spread = tmp / "spread.txt"
        spread.write_text("".join(f"mem_{i}\n" for i in random.Random(3).sample(ids, SPREAD)))
        del ids

        # 3. Measure.
        proc = _serve(env, port)
        rows: list[ScaleRow] = []
        try:
            with httpx.Client(base_url=base + "/api/v2", headers=headers, timeout=120) as api:
                # The first award after the load evaluates the big member's tiers.
                _ok(api.post(f"/members/{big}/points", json={"amount": 5}))
                hot = str(_ok(api.post("/members", json={"email": "hot@bench.example.com"}))["id"])
                key_env = {"KEY": key}
                award_env = {**key_env, "BODY": '{"amount": 5}'}

                def get(mid: str) -> Target:
                    return Target(mid, f"{base}/api/v2/members/{mid}", "get.lua", key_env)

                def award(mid: str) -> Target:
                    return Target(mid, f"{base}/api/v2/members/{mid}/points", "post.lua", award_env)

                a, b = _rounds(
                    [(get(big), connections), (get(small), connections)], seconds, rounds, proc.pid
                )
                rows.append(
                    _ratio_row(
                        f"balance read, member with {entries} entries: GET /api/v2/members/{{id}}",
                        a,
                        b,
                        "a member with 10 entries",
                        0.9,
                    )
                )
                _log(rows[-1].markdown())

                small_award = award(small)

                def fresh_small(rnd: int) -> None:
                    # Every round starts from a member that really has 10 entries.
                    mid = _small_member(api, f"small-{rnd + 1}@bench.example.com")
                    small_award.url = f"{base}/api/v2/members/{mid}/points"

                a, b = _rounds(
                    [(award(big), connections), (small_award, connections)],
                    seconds,
                    rounds,
                    proc.pid,
                    fresh_small,
                )
                rows.append(
                    _ratio_row(
                        f"award, member with {entries} entries: POST /api/v2/members/{{id}}/points",
                        a,
                        b,
                        "a member with 10 entries",
                        0.9,
                        "program with 365-day expiry and a period tier",
                    )
                )
                _log(rows[-1].markdown())

                spread_award = Target(
                    "spread",
                    base,
                    "pick.lua",
                    {
                        **key_env,
                        "METHOD": "POST",
                        "PATH_T": "/api/v2/members/{id}/points",
                        "BODY_T": '{"amount": 5}',
                        "IDS_FILE": str(spread),
                    },
                )
                a, b = _rounds(
                    [(award(hot), connections), (spread_award, connections)],
                    seconds,
                    rounds,
                    proc.pid,
                )
                rows.append(
                    _ratio_row(
                        "award, all traffic on one member",
                        a,
                        b,
                        f"the same spread over {spread_n} members",
                        0.8,
                    )
                )
                _log(rows[-1].markdown())

                lookup = Target(
                    "lookup",
                    base,
                    "pick.lua",
                    {
                        **key_env,
                        "PATH_T": "/api/v2/members?email=" + EMAIL,
                        "RANDOM_N": str(MEMBERS),
                        "RANDOM_DIGITS": str(EMAIL_DIGITS),
                    },
                )
                loaded, unloaded = _rounds(
                    [(lookup, connections), (lookup, 1)], seconds, rounds, proc.pid
                )
                queueing = connections / loaded.rps * 1000 if loaded.rps else float("nan")
                rows.append(
                    _p99_row(
                        f"lookup by email among {members} members, {connections} connections: "
                        "GET /api/v2/members?email=",
                        loaded,
                        10,
                        f"random emails; queueing alone puts the mean latency at "
                        f"{connections} / throughput = {queueing:.0f} ms",
                    )
                )
                _log(rows[-1].markdown())
                rows.append(
                    _p99_row(
                        f"lookup by email among {members} members, unloaded (1 connection)",
                        unloaded,
                        10,
                        "random emails",
                    )
                )
                _log(rows[-1].markdown())
        finally:
            stop(proc)
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--sync", default="FULL", help="SQLite synchronous")
    ap.add_argument(
        "--size", type=int, default=1_000_000, help="entries on the big member and members"
    )
    args = ap.parse_args()
    started = time.monotonic()
    rows = run_scale(args.seconds, args.rounds, args.connections, sync=args.sync, size=args.size)
    print(markdown_table(rows))
    print(f"[scale] total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
