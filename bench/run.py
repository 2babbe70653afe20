"""`make bench`: Punchcard's hot paths against the limit of its own stack, and issue 10's
goals marked met or missed.

Starts real server processes (uvicorn, one worker each, same log level): Punchcard
(three builds differing in one setting each, on one database) and the reference app
(``bench/reference_app.py``, in ``bench/.bench-venv``) on a copy of that database taken
after seeding, so both serve the same rows. Checks that the reference answers with the
same JSON and writes the same rows as Punchcard (the yardstick check), then drives each
pair of routes in interleaved A/B rounds (the order flips every round) with ``wrk``, or
for the 500-order batches with a Python driver posting unique batches, takes medians,
and writes ``docs/benchmarks.md`` (between ``<!-- results -->`` markers) with the
machine, the date, the command and issue 10's goal table.

Parts: ``stack`` (the above) and ``peer`` (django-hordak on PostgreSQL,
``bench/peer.py``) by default; ``scale`` (``bench/scale.py``, long: it seeds a million
members) only when asked, into its own ``<!-- scale -->`` section.

Usage: ``python bench/run.py [--seconds 5] [--rounds 3] [--connections 32]
[--only stack|peer|scale] [--with-scale] [--scale-size N] [--report PATH]
[--profile DIR]``
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
PY = sys.executable
BENCH_VENV = ROOT / "bench" / ".bench-venv"
BENCH_REQUIREMENTS = ROOT / "bench" / "requirements.txt"
DOCS = ROOT / "docs" / "benchmarks.md"
BATCH = 500  # orders per batch call


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    rss_mb: float
    requests: int = 0  # completed requests (wrk's "N requests in ...")


@dataclass
class Target:
    label: str
    url: str
    lua: str  # a script in bench/lua (or an absolute path), or "batch": the batch driver
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Scenario:
    name: str
    punchcard: Target
    reference: Target | None
    goal: float | None  # minimum ratio punchcard/reference (issue 10)
    note: str = ""
    results: dict[str, list[Result]] = field(default_factory=dict)
    connections: int | None = None  # None: the run's --connections
    server: str = "pc"  # which Punchcard process serves it (see VARIANTS)
    p99_goal_ms: float | None = None  # a latency goal on Punchcard's p99 (issue 10)
    key: str = ""  # the goal it answers (GOALS), if any
    per_call: int = 1  # rows per request: the batch reports orders/s


# Punchcard processes on the same database, differing in one setting each, so a
# feature's cost or gain is measured against the same build in the same run.
VARIANTS: dict[str, dict[str, str]] = {
    "pc": {},
    "pc-no-group": {"PUNCHCARD_GROUP_COMMIT": "false"},
    "pc-no-key-cache": {"PUNCHCARD_API_KEY_CACHE_SECONDS": "0"},
}


# Processes ---------------------------------------------------------------------------


def venv_python(venv: Path, requirements: Path) -> Path:
    """The interpreter of a bench-only venv; (re)installs when requirements changed."""
    python = venv / "bin" / "python"
    stamp = venv / "requirements.sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return python
    if not python.exists():
        print(f"creating {venv.relative_to(ROOT)} ...", flush=True)
        subprocess.run([PY, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)],
        capture_output=True,
        text=True,
    )
    if pip.returncode != 0:
        print(pip.stdout + pip.stderr, file=sys.stderr)
        raise SystemExit(f"pip install -r {requirements.relative_to(ROOT)} failed")
    stamp.write_text(digest + "\n")
    return python


def bench_python() -> Path:
    """``bench/.bench-venv``: the reference app's stack with orjson, and py-spy."""
    return venv_python(BENCH_VENV, BENCH_REQUIREMENTS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {url}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server not ready: {url}")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server: SIGTERM, then SIGKILL after 30 s."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# Load ----------------------------------------------------------------------------------


def parse_ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk(target: Target, seconds: int, connections: int, pid: int, rnd: int = 0) -> Result:
    if target.lua == "batch":
        return drive_batch(target, seconds, connections, pid, rnd)
    # ROUND: template.lua numbers each round's orders and codes apart, so a later round
    # never repeats an earlier one's (an already-redeemed code would be a 404).
    env = {**os.environ, **target.env, "ROUND": str(rnd)}
    cmd = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        # A request slower than wrk's default 2 s is counted, not dropped as a timeout.
        "--timeout",
        "30s",
        "-s",
        str(LUA / target.lua),
        target.url,
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out, pid)


def parse_wrk(out: str, pid: int) -> Result:
    """wrk's report (with --latency) as a Result; errors are non-2xx plus socket errors."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = parse_ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = parse_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(x) for x in sock.groups()) if sock else 0
    )
    return Result(rps, p50, p99, errors, rss_mb(pid), int(total.group(1)) if total else 0)


_BATCH_SEQ = itertools.count(1)
MIN_CALLS = 2  # per connection and round: a slow server's round still averages two calls


def drive_batch(target: Target, seconds: int, connections: int, pid: int, rnd: int = 0) -> Result:
    """Post unique batches (``{n}`` in BODY_T replaced by a number no batch of this run
    had) on ``connections`` connections, each until ``seconds`` have passed and it has
    finished at least ``MIN_CALLS`` calls. rps is calls a second: the sum over the
    connections of each one's calls over its own time (start to the end of its last
    call, so no connection's idle tail counts); errors are non-2xx calls plus every row
    of a 2xx reply that was not created (failed or duplicate)."""
    template = target.env["BODY_T"]
    headers = {"Content-Type": "application/json"}
    if target.env.get("KEY"):
        headers["Authorization"] = f"Bearer {target.env['KEY']}"
    latencies: list[float] = []
    errors = [0]
    rates: list[float] = []
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds

    def worker() -> None:
        calls = 0
        with httpx.Client(timeout=600, headers=headers) as c:
            while True:
                body = template.replace("{n}", f"{rnd}x{next(_BATCH_SEQ)}")
                t0 = time.perf_counter()
                r = c.post(target.url, content=body)
                ms = (time.perf_counter() - t0) * 1000
                bad = 1
                if r.status_code == 200:
                    reply = r.json()
                    bad = int(reply["failed"]) + int(reply["duplicates"])
                calls += 1
                with lock:
                    latencies.append(ms)
                    errors[0] += bad
                now = time.monotonic()
                if now >= deadline and calls >= MIN_CALLS:
                    with lock:
                        rates.append(calls / (now - start))
                    return

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = sorted(latencies)
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]  # noqa: E731
    return Result(sum(rates), pick(0.5), pick(0.99), errors[0], rss_mb(pid), len(lat))


def median(results: list[Result]) -> Result:
    return Result(
        statistics.median(r.rps for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
        max(r.rss_mb for r in results),
        sum(r.requests for r in results),
    )


# Profiles ------------------------------------------------------------------------------


def profile(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    """Start py-spy sampling ``pid`` for ``seconds`` into ``out`` (collapsed stacks, the
    input of flamegraph.pl, inferno or speedscope); ``summarize`` it once it exits."""
    spy = bench_python().parent / "py-spy"
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            "200",
            "--format",
            "raw",
            "--nonblocking",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def summarize(collapsed: Path, top: int = 25) -> str:
    """The functions that hold the most samples, inclusive and self, from py-spy's
    collapsed stacks; written next to them as ``.summary.txt``."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    if collapsed.exists():
        for line in collapsed.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
            for f in set(frames):
                inclusive[f] = inclusive.get(f, 0) + n
            own[frames[-1]] = own.get(frames[-1], 0) + n
    lines = [f"{collapsed.name}: {total} samples"]
    for title, table in (("inclusive", inclusive), ("self", own)):
        lines.append(f"-- top {top} by {title} samples")
        for f, n in sorted(table.items(), key=lambda x: -x[1])[:top]:
            lines.append(f"{100 * n / max(total, 1):5.1f}%  {f}")
    text = "\n".join(lines) + "\n"
    collapsed.with_suffix(".summary.txt").write_text(text)
    return text


# The servers -------------------------------------------------------------------------


@dataclass
class Stack:
    """Punchcard's servers and the reference, seeded, and what the scenarios need."""

    urls: dict[str, str]  # Punchcard variant -> base URL
    pids: dict[str, int]
    ref_url: str
    ref_pid: int
    key: str
    partner: str
    tenant: str  # hex
    member: str  # mem_... (the read and award member)
    pc_db: Path
    ref_db: Path
    checks: list[str] = field(default_factory=list)  # the yardstick check's findings


def _cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PY, "-m", "punchcard.cli.main", *args], env=env, check=True, capture_output=True, text=True
    ).stdout


@contextmanager
def stack(
    sync: str = "FULL",
    variants: tuple[str, ...] = tuple(VARIANTS),
    coupons: bool = True,
    ref_writes: str = "thread",
) -> Iterator[Stack]:
    """Start Punchcard (``variants``), seed it over its API, copy its database for the
    reference, start the reference and check it against Punchcard."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    ref_python = bench_python()
    tmp = Path(tempfile.mkdtemp(prefix="punchcard-bench-"))
    pc_db, ref_db = tmp / "punchcard.db", tmp / "ref.db"
    base_env = {
        **os.environ,
        "PUNCHCARD_DATABASE_URL": f"sqlite:///{pc_db}",
        "PUNCHCARD_DEMO_ON_FIRST_START": "false",
        "PUNCHCARD_LOG_LEVEL": "warning",
        "PUNCHCARD_SQLITE_SYNCHRONOUS": sync,
        "PUNCHCARD_MAIL_DIR": str(tmp / "mail"),
    }
    _cli(base_env, "migrate")
    tenant = json.loads(_cli(base_env, "tenants", "create", "--name", "Bench", "--json"))
    key, partner = tenant["apiKey"], tenant["partnerId"]
    ports = {name: free_port() for name in variants}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        servers = {}
        for name in variants:
            servers[name] = subprocess.Popen(
                [
                    PY,
                    "-m",
                    "punchcard.cli.main",
                    "serve",
                    "--port",
                    str(ports[name]),
                    "--no-worker",
                ],
                env={**base_env, **VARIANTS[name]},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(servers[name])
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name, proc in servers.items():
            wait_ready(urls[name] + "/healthz", proc)
        member = seed(urls["pc"], key, coupons=coupons)
        # The reference gets a copy of the seeded database (SQLite's online backup: a
        # consistent snapshot while Punchcard runs), so both serve the same rows.
        src, dst = sqlite3.connect(pc_db), sqlite3.connect(ref_db)
        src.backup(dst)
        src.close()
        dst.close()
        ref_port = free_port()
        ref = subprocess.Popen(
            [
                str(ref_python),
                "-m",
                "uvicorn",
                "bench.reference_app:app",
                "--port",
                str(ref_port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env={
                **os.environ,
                "REFERENCE_DB": str(ref_db),
                "REFERENCE_SYNCHRONOUS": sync,
                "REFERENCE_WRITES": ref_writes,
                "REFERENCE_TENANT": tenant["tenantId"].removeprefix("ten_"),
            },
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(ref)
        ref_url = f"http://127.0.0.1:{ref_port}"
        wait_ready(ref_url + "/noop", ref)
        st = Stack(
            urls,
            {n: p.pid for n, p in servers.items()},
            ref_url,
            ref.pid,
            key,
            partner,
            tenant["tenantId"].removeprefix("ten_"),
            member,
            pc_db,
            ref_db,
        )
        st.checks = check_yardstick(st)
        for line in st.checks:
            print(f"[yardstick] {line}", flush=True)
        yield st
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
        shutil.rmtree(tmp, ignore_errors=True)


def seed(pcu: str, key: str, *, coupons: bool) -> str:
    """The bench tenant over Punchcard's API: one member with a large balance, an
    activity for the ShopSocially award, and (``coupons``) 30,000 coupon codes."""
    h = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=pcu + "/api/v2", headers=h, timeout=120) as c:
        member = str(c.post("/members", json={"email": "bench@example.com"}).json()["id"])
        # A balance no round can spend: above the default per-award cap (maxPointsPerAward;
        # a build older than the cap refuses the field, and needs no raise).
        c.patch("/settings", json={"maxPointsPerAward": 1_000_000_000})
        c.post(f"/members/{member}/points", json={"amount": 1_000_000_000}).raise_for_status()
        c.post(
            "/activities", json={"key": "bench_purchase", "name": "Bench purchase", "points": 5}
        ).raise_for_status()
        for i in range(6 if coupons else 0):
            r = c.post(
                "/coupons/pools",
                json={
                    "name": f"bench {i}",
                    "discountType": "amount",
                    "discountValue": "1",
                    # Pool i holds the codes wrk thread t uses in round r (template.lua).
                    "codes": [
                        f"C{(i % 2) * 10_000_000 + (i // 2) * 1_000_000 + n}"
                        for n in range(1, 5001)
                    ],
                },
            )
            r.raise_for_status()
    return member


# The tables a ledger write adds rows to (audit_log and api_keys are Punchcard's
# authentication and audit, which the reference does not do).
LEDGER_TABLES = (
    "points_entries",
    "points_lots",
    "points_allocations",
    "outbox_events",
    "webhook_deliveries",
    "orders",
)


def _marks(db: Path) -> dict[str, int]:
    """The highest rowid of each ledger table: rows above it are new."""
    with sqlite3.connect(db) as c:
        return {
            t: c.execute(f"SELECT coalesce(max(rowid), 0) FROM {t}").fetchone()[0]
            for t in LEDGER_TABLES
        }


def _varies(column: str) -> bool:
    """Columns whose value differs between two servers writing the same row: ids of new
    rows, times, hashes (compared by null-ness only)."""
    return (
        column in ("id", "order_id", "related_entry_id", "event_id", "body_hash", "resource_id")
        or column.endswith("_at")
        or column in ("period_start", "period_end")
    )


def _signature(column: str, value: Any) -> Any:
    if column == "payload" and isinstance(value, str):
        return _shape(json.loads(value))
    if _varies(column):
        return value is not None
    return value


def _added(db: Path, marks: dict[str, int]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows added to each ledger table since ``marks``, as comparable signatures
    (sorted: the order of rows within one transaction is not compared)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with sqlite3.connect(db) as c:
        for t, mark in marks.items():
            cur = c.execute(f"SELECT * FROM {t} WHERE rowid > ?", (mark,))
            names = [d[0] for d in cur.description]
            rows = [
                tuple(_signature(n, v) for n, v in zip(names, row, strict=True))
                for row in cur.fetchall()
            ]
            if rows:
                out[t] = sorted(rows, key=repr)
    return out


def _member_row(db: Path, tenant: str, member: str) -> dict[str, Any]:
    with sqlite3.connect(db) as c:
        cur = c.execute(
            "SELECT * FROM members WHERE tenant_id = ? AND id = ?",
            (tenant, member.removeprefix("mem_")),
        )
        row = cur.fetchone()
        return {d[0]: _signature(d[0], v) for d, v in zip(cur.description, row, strict=True)}


def _shape(value: Any) -> Any:
    """A JSON value with ids, times and numbers reduced to their types."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def check_yardstick(st: Stack) -> list[str]:
    """The reference answers the same requests with the same JSON and writes the same
    rows: the member read equal (same database), one award and one 3-order batch with
    the same reply shape, the same rows added to every ledger table (every column equal,
    but ids, times and hashes, which only have to be set alike; event payloads with the
    same keys and types), and the same member row after. Returns the findings (each
    "same ..." or "DIFFERS ...")."""
    out: list[str] = []
    h = {"Authorization": f"Bearer {st.key}"}
    pc = httpx.Client(base_url=st.urls["pc"], headers=h, timeout=120)
    ref = httpx.Client(base_url=st.ref_url, timeout=120)
    read = f"/api/v2/members/{st.member}"
    with pc, ref:
        a, b = pc.get(read), ref.get(read)
        out.append(
            "same member read JSON"
            if a.status_code == b.status_code == 200 and a.json() == b.json()
            else f"DIFFERS member read: punchcard {a.text[:300]} | reference {b.text[:300]}"
        )
        steps: list[tuple[str, str, dict[str, Any]]] = [
            ("award", f"/api/v2/members/{st.member}/points", {"amount": 5}),
            (
                "3-order batch",
                "/api/v2/orders/batch",
                {
                    "orders": [
                        {"externalOrderId": f"CHECK-{i}", "memberId": st.member, "total": "10.00"}
                        for i in range(3)
                    ]
                },
            ),
        ]
        for name, path, body in steps:
            pc_marks, ref_marks = _marks(st.pc_db), _marks(st.ref_db)
            a, b = pc.post(path, json=body), ref.post(path, json=body)
            if a.status_code != 200 or b.status_code != 200:
                out.append(
                    f"DIFFERS {name}: status {a.status_code} / {b.status_code}: {b.text[:300]}"
                )
                continue
            same_shape = _shape(a.json()) == _shape(b.json())
            out.append(
                f"{'same' if same_shape else 'DIFFERS'} {name} reply shape"
                + ("" if same_shape else f": {a.text[:200]} | {b.text[:200]}")
            )
            rows_a, rows_b = _added(st.pc_db, pc_marks), _added(st.ref_db, ref_marks)
            counts = {t: len(r) for t, r in rows_a.items()}
            if rows_a == rows_b:
                out.append(f"same {name} rows {counts}")
            else:
                diff = {
                    t: (rows_a.get(t), rows_b.get(t))
                    for t in set(rows_a) | set(rows_b)
                    if rows_a.get(t) != rows_b.get(t)
                }
                out.append(f"DIFFERS {name} rows (punchcard, reference): {diff}"[:1500])
        ma, mb = (
            _member_row(st.pc_db, st.tenant, st.member),
            _member_row(st.ref_db, st.tenant, st.member),
        )
        diff_cols = {k: (ma[k], mb.get(k)) for k in ma if ma[k] != mb.get(k)}
        out.append(
            f"same member row after (balance {ma['points_balance']:,})"
            if not diff_cols
            else f"DIFFERS member row after (punchcard, reference): {diff_cols}"
        )
    return out


# Scenarios -----------------------------------------------------------------------------


def batch_body(member: str) -> str:
    """A 500-order batch for ``member`` with ``{n}`` in every external id (the driver
    makes each call's ids unique)."""
    orders = [
        {"externalOrderId": f"B{{n}}-{i}", "memberId": member, "total": "10.00"}
        for i in range(BATCH)
    ]
    return json.dumps({"orders": orders})


def build(st: Stack) -> list[Scenario]:
    """Each scenario: a Punchcard target, its reference, and the goal it answers."""
    pcu, refu, member = st.urls["pc"], st.ref_url, st.member
    key_env = {"KEY": st.key}
    award_body = {**key_env, "BODY": '{"amount": 5}'}
    read_path = f"/api/v2/members/{member}"
    award_path = f"/api/v2/members/{member}/points"
    ref_award = Target("ref", refu + award_path, "post.lua", {"BODY": '{"amount": 5}'})
    ref_read = Target("ref", refu + read_path, "get.lua")
    ref_noop = Target("ref", refu + "/noop", "get.lua")
    body = batch_body(member)
    return [
        Scenario(
            "no-op: GET /healthz (no auth)",
            Target("pc", pcu + "/healthz", "get.lua"),
            ref_noop,
            None,
            "the framework floor",
        ),
        Scenario(
            "balance read: GET /api/v2/members/{id}",
            Target("pc", pcu + read_path, "get.lua", key_env),
            ref_read,
            0.5,
            "authenticated; the reference has no auth",
            key="read",
        ),
        Scenario(
            "balance read, API-key cache off (every call looks the key up)",
            Target("pc", st.urls["pc-no-key-cache"] + read_path, "get.lua", key_env),
            ref_read,
            None,
            "compare with the row above",
            server="pc-no-key-cache",
        ),
        Scenario(
            "points balance: GET /api/v2/members/{id}/points?limit=1",
            Target("pc", f"{pcu}{award_path}?limit=1", "get.lua", key_env),
            ref_read,
            None,
            "vs the reference member read",
        ),
        Scenario(
            "durable award: POST /api/v2/members/{id}/points",
            Target("pc", pcu + award_path, "post.lua", award_body),
            ref_award,
            0.5,
            "both durable (synchronous=FULL); Punchcard with group commit, the reference "
            "one transaction and fsync per request",
            key="award",
        ),
        Scenario(
            "award, unloaded (1 connection)",
            Target("pc", pcu + award_path, "post.lua", award_body),
            ref_award,
            None,
            connections=1,
            p99_goal_ms=5,
            key="unloaded",
        ),
        Scenario(
            "durable award, group commit off",
            Target("pc", st.urls["pc-no-group"] + award_path, "post.lua", award_body),
            ref_award,
            None,
            "one COMMIT and fsync per request: what group commit saves",
            server="pc-no-group",
        ),
        Scenario(
            "batch: POST /api/v2/orders/batch (500 orders per call)",
            Target("pc", pcu + "/api/v2/orders/batch", "batch", {**key_env, "BODY_T": body}),
            Target("ref", refu + "/api/v2/orders/batch", "batch", {"BODY_T": body}),
            0.25,
            "2 connections, unique orders per call; req/s are orders/s; the reference is the "
            "same rows written set-based in one transaction",
            connections=2,
            key="batch",
            per_call=BATCH,
        ),
        Scenario(
            "order with auto-award: POST /api/v2/orders",
            Target(
                "pc",
                pcu + "/api/v2/orders",
                "template.lua",
                {
                    **key_env,
                    "PATH_T": "/api/v2/orders",
                    "BODY_T": json.dumps(
                        {"externalOrderId": "O{n}", "memberId": member, "total": "25.00"}
                    ),
                },
            ),
            ref_award,
            None,
            "vs the reference award",
        ),
        Scenario(
            "refund: POST /api/v2/orders/{id}/refund",
            Target(
                "pc",
                pcu + "/api/v2/orders/x/refund",
                "template.lua",
                {**key_env, "PATH_T": "/api/v2/orders/O{n}/refund", "BODY_T": "{}"},
            ),
            ref_award,
            None,
            "refunds the orders of the previous scenario; after they run out, 404s count as errors",
        ),
        Scenario(
            "coupon redeem: POST /api/v2/coupons/{code}/redeem",
            Target(
                "pc",
                pcu + "/api/v2/coupons/x/redeem",
                "template.lua",
                {**key_env, "PATH_T": "/api/v2/coupons/C{n}/redeem", "BODY_T": "{}"},
            ),
            ref_award,
            None,
            "5,000 seeded codes per wrk thread and round; after they run out, 404s count as errors",
        ),
        Scenario(
            "ShopSocially award: POST /v2/loyalty/award",
            Target(
                "pc",
                pcu + "/v2/loyalty/award",
                "template.lua",
                {
                    "PATH_T": "/v2/loyalty/award",
                    "HEADERS": f"partner-id={st.partner};api-key={st.key}",
                    "BODY_T": json.dumps(
                        {
                            "user_email": "bench@example.com",
                            "activity_id": "bench_purchase",
                            "order_id": "S{n}",
                        }
                    ),
                },
            ),
            ref_award,
            None,
            "vs the reference award",
        ),
    ]


def run_stack(args: argparse.Namespace) -> tuple[list[Scenario], list[str]]:
    """The stack part: every scenario in interleaved rounds. Returns the scenarios and
    the yardstick check's findings."""
    with stack(args.sync, ref_writes=args.reference_writes) as st:
        scenarios = build(st)
        if args.scenarios:
            scenarios = [s for s in scenarios if any(k in s.name for k in args.scenarios)]
        for sc in scenarios:
            conns = sc.connections or args.connections
            pc_pid = st.pids[sc.server]
            for rnd in range(args.rounds):
                order = [
                    ("punchcard", sc.punchcard, pc_pid),
                    ("reference", sc.reference, st.ref_pid),
                ]
                if rnd % 2:
                    order.reverse()
                for label, target, pid in order:
                    if target is None:
                        continue
                    spy = None
                    if args.profile and sc.key and rnd == args.rounds - 1:
                        name = f"{sc.key}-{label}.collapsed"
                        spy = profile(pid, max(1, args.seconds - 1), Path(args.profile) / name)
                    sc.results.setdefault(label, []).append(
                        wrk(target, args.seconds, conns, pid, rnd)
                    )
                    if spy is not None:
                        spy.wait()
                        print(summarize(Path(args.profile) / f"{sc.key}-{label}.collapsed", 12))
            print(summary_line(sc), flush=True)
        return scenarios, st.checks


# The report ----------------------------------------------------------------------------


@dataclass
class Goal:
    """One row of issue 10's goal table."""

    measure: str
    goal: str
    value: str | None  # None: not measured in this run
    met: bool | None
    how: str = ""


def summary_line(sc: Scenario) -> str:
    pc = median(sc.results["punchcard"])
    k = sc.per_call
    line = f"{sc.name}: punchcard {pc.rps * k:.0f}/s p99 {pc.p99_ms:.1f} ms err {pc.errors}"
    if "reference" in sc.results:
        ref = median(sc.results["reference"])
        line += f" | reference {ref.rps * k:.0f}/s p99 {ref.p99_ms:.1f} ms | ratio {pc.rps / ref.rps:.2f}"
    return line


def stack_goals(scenarios: list[Scenario]) -> dict[str, Goal]:
    """Issue 10's goals answered by the stack part. A goal with errors is missed."""
    out: dict[str, Goal] = {}
    for sc in scenarios:
        if not sc.key or "punchcard" not in sc.results:
            continue
        pc = median(sc.results["punchcard"])
        ref = median(sc.results["reference"]) if "reference" in sc.results else None
        errors = pc.errors + (ref.errors if ref else 0)
        err = f"; {errors} errors" if errors else ""
        if sc.p99_goal_ms is not None:
            out[sc.key] = Goal(
                "unloaded award p99 (1 connection)",
                f"≤ {sc.p99_goal_ms:g} ms",
                f"{pc.p99_ms:.1f} ms" + err,
                pc.p99_ms <= sc.p99_goal_ms and pc.errors == 0,
                f"p50 {pc.p50_ms:.1f} ms; the reference: p99 {ref.p99_ms:.1f} ms" if ref else "",
            )
        elif sc.goal is not None and ref is not None:
            ratio = pc.rps / ref.rps if ref.rps else 0.0
            k, unit = sc.per_call, "orders/s" if sc.per_call > 1 else "req/s"
            measure = {
                "read": "authenticated balance read / reference read",
                "award": "durable award / reference durable award",
                "batch": "500-order batch ingest, orders/s / reference batched insert",
            }[sc.key]
            out[sc.key] = Goal(
                measure,
                f"≥ {sc.goal:g}×",
                f"{ratio:.2f}×" + err,
                ratio >= sc.goal and errors == 0,
                f"{pc.rps * k:,.0f} / {ref.rps * k:,.0f} {unit}",
            )
    return out


def peer_goals(rows: list[Any]) -> dict[str, Goal]:
    out = {}
    for r in rows:
        if r.goal is None:
            continue
        key = "pg-read" if "read" in r.scenario else "pg-award"
        what = "balance read" if key == "pg-read" else "award"
        errors = r.punchcard.errors + r.peer.errors
        out[key] = Goal(
            f"PostgreSQL: {what} / django-hordak {what}",
            f"≥ {r.goal:g}×",
            f"{r.ratio:.2f}×" + (f"; {errors} errors" if errors else ""),
            bool(r.met) and errors == 0,
            f"{r.punchcard.rps:,.0f} / {r.peer.rps:,.0f} req/s",
        )
    return out


def scale_goals(rows: list[Any]) -> dict[str, Goal]:
    """The ratio rows of bench/scale.py (history, history, contention, in that order)."""
    out = {}
    keys = iter(SCALE_KEYS)
    for r in rows:
        if not r.goal.startswith("≥"):
            continue
        out[next(keys)] = Goal(
            f"{r.scenario.split(':')[0]} / {r.compared}",
            r.goal,
            f"{r.value:.2f}×" + (f"; {r.errors} errors" if r.errors else ""),
            r.met and r.errors == 0,
            f"{r.rps:,.0f} / {r.compared_rps:,.0f} req/s",
        )
    return out


SCALE_KEYS = ("scale-read", "scale-award", "scale-hot")
GOAL_ORDER = (
    ("read", "authenticated balance read / reference read", "≥ 0.5×"),
    ("award", "durable award / reference durable award", "≥ 0.5×"),
    ("batch", "500-order batch ingest, orders/s / reference batched insert", "≥ 0.25×"),
    ("unloaded", "unloaded award p99 (1 connection)", "≤ 5 ms"),
    ("pg-award", "PostgreSQL: award / django-hordak award", "≥ 5×"),
    ("pg-read", "PostgreSQL: balance read / django-hordak balance read", "≥ 10×"),
    ("scale-read", "balance read on a 1,000,000-entry member / on one with 10", "≥ 0.9×"),
    ("scale-award", "award on a 1,000,000-entry member / on one with 10", "≥ 0.9×"),
    ("scale-hot", "awards all on one member / spread over 10,000 members", "≥ 0.8×"),
)
PART_OF = {
    "read": "stack",
    "award": "stack",
    "batch": "stack",
    "unloaded": "stack",
    "pg-award": "peer",
    "pg-read": "peer",
    "scale-read": "scale",
    "scale-award": "scale",
    "scale-hot": "scale",
}


def goal_table(goals: dict[str, Goal], keys: tuple[str, ...] | None = None) -> list[str]:
    lines = ["| measure | goal | result | verdict | how |", "|---|---|---|---|---|"]
    for key, measure, goal in GOAL_ORDER:
        if keys is not None and key not in keys:
            continue
        g = goals.get(key)
        if g is None:
            part = PART_OF[key]
            how = (
                "`python bench/run.py --only scale` (its own section below)"
                if part == "scale"
                else f"`python bench/run.py --only {part}`"
            )
            lines.append(f"| {measure} | {goal} | — | not in this run | {how} |")
        else:
            verdict = "met" if g.met else "**missed**"
            lines.append(f"| {g.measure} | {g.goal} | {g.value} | {verdict} | {g.how} |")
    return lines


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{platform.node()} ({cpu}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()})"
    )


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def write_region(name: str, text: str, report: Path) -> None:
    """Replace what is between the lines ``<!-- name -->`` and ``<!-- /name -->`` in
    ``report`` (appended when the markers are missing). Only a marker alone on its line
    counts: prose may name a marker in passing."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    doc = report.read_text() if report.exists() else "# Benchmarks\n"
    block = f"{start}\n{text.rstrip()}\n{end}"
    region = re.compile(rf"^{re.escape(start)}$.*?^{re.escape(end)}$", re.S | re.M)
    if region.search(doc):
        doc = region.sub(lambda _: block, doc, count=1)
    else:
        doc = doc.rstrip() + "\n\n" + block + "\n"
    report.write_text(doc)
    print(f"wrote {report} ({name})")


def stack_table(scenarios: list[Scenario], args: argparse.Namespace) -> list[str]:
    rows = [
        "| scenario | clients | Punchcard req/s | p50 / p99 ms | errors | RSS MB "
        "| reference req/s | p50 / p99 ms | errors | ratio | goal | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    goals = stack_goals(scenarios)
    for sc in scenarios:
        pc = median(sc.results["punchcard"])
        ref = median(sc.results["reference"]) if "reference" in sc.results else None
        k = sc.per_call
        ratio = f"{pc.rps / ref.rps:.2f}×" if ref and ref.rps else "—"
        g = goals.get(sc.key)
        verdict = f"{g.goal} {'met' if g.met else '**missed**'}" if g else "—"
        rows.append(
            f"| {sc.name} | {sc.connections or args.connections} | {pc.rps * k:,.0f} "
            f"| {pc.p50_ms:.1f} / {pc.p99_ms:.1f} | {pc.errors} | {pc.rss_mb:.0f} | "
            + (
                f"{ref.rps * k:,.0f} | {ref.p50_ms:.1f} / {ref.p99_ms:.1f} | {ref.errors} | "
                if ref
                else "— | — | — | "
            )
            + f"{ratio} | {verdict} | {sc.note} |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--sync", default="FULL", help="SQLite synchronous for both apps")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--only", choices=["stack", "peer", "scale"], help="run one part only")
    ap.add_argument("--with-scale", action="store_true", help="also run the scale part (long)")
    ap.add_argument(
        "--scale-size",
        type=int,
        default=1_000_000,
        help="entries on the big member and members in the tenant (scale part); "
        "smaller for a smoke run",
    )
    ap.add_argument(
        "--scenario",
        dest="scenarios",
        action="append",
        help="only stack scenarios whose name contains this (repeatable)",
    )
    ap.add_argument(
        "--reference-writes",
        choices=["thread", "loop"],
        default="thread",
        help="the reference's writes on one writer thread (default) or on the event loop",
    )
    ap.add_argument("--report", default=str(DOCS), help="the Markdown file to write")
    ap.add_argument(
        "--profile",
        metavar="DIR",
        help="py-spy each server during the last round of each goal scenario (stack part)",
    )
    args = ap.parse_args()
    parts = [args.only] if args.only else ["stack", "peer"] + (["scale"] if args.with_scale else [])
    started = datetime.now(UTC)
    load_before = load()
    goals: dict[str, Goal] = {}
    sections: list[str] = []
    checks: list[str] = []
    if "stack" in parts:
        scenarios, checks = run_stack(args)
        goals |= stack_goals(scenarios)
        sections += [
            "### The limit of the stack, and Punchcard's paths",
            "",
            *stack_table(scenarios, args),
            "",
        ]
    if "peer" in parts:
        title, lines, rows = run_peer_section(args)
        goals |= peer_goals(rows)
        sections += [f"### {title}", "", *lines, ""]
    scale_lines: list[str] = []
    if "scale" in parts:
        scale_lines, rows = run_scale_section(args)
        goals |= scale_goals(rows)
    report = Path(args.report)
    cmd = "python bench/run.py " + " ".join(sys.argv[1:])
    head = [
        f"- machine: {machine()}",
        f"- date: {started:%Y-%m-%d %H:%M} UTC; load average (1/5/15 min) {load_before} "
        f"before, {load()} after",
        f"- command: `{cmd.strip()}`",
        f"- load: {args.rounds} interleaved A/B rounds of {args.seconds} s (the order flips "
        f"every round), medians; errors summed; RSS = peak (VmHWM) of the server process; "
        f"wrk -t2 -c{args.connections} unless the row says otherwise",
        f"- servers: uvicorn, 1 worker, log level warning, SQLite WAL, synchronous={args.sync}",
    ]
    if checks:
        head.append("- yardstick check (reference vs Punchcard): " + "; ".join(checks))
    if "scale" in parts and args.scale_size != 1_000_000:
        head.append(
            f"- scale size {args.scale_size:,} (a smoke run of the harness: the goals are "
            "judged at 1,000,000)"
        )
    if "stack" in parts or "peer" in parts:
        body = [
            f"## Latest run: {started:%Y-%m-%d %H:%M} UTC",
            "",
            *head,
            "",
            "### Issue 10's goals",
            "",
            *(
                [
                    "**The yardstick check found differences (above): the reference no longer "
                    "does Punchcard's work, and the ratios against it are not comparable.**",
                    "",
                ]
                if any(c.startswith("DIFFERS") for c in checks)
                else []
            ),
            *goal_table(goals),
            "",
            *sections,
        ]
        write_region("results", "\n".join(body), report)
    if scale_lines:
        body = [
            f"## Cost as work grows: latest run {started:%Y-%m-%d %H:%M} UTC",
            "",
            *head,
            "",
            *goal_table(goals, SCALE_KEYS),
            "",
            *scale_lines,
        ]
        write_region("scale", "\n".join(body), report)
    print("\n".join(goal_table(goals)))


def run_peer_section(args: argparse.Namespace) -> tuple[str, list[str], list[Any]]:
    """django-hordak on the same PostgreSQL (bench/peer.py), if PostgreSQL answers."""
    sys.path.insert(0, str(ROOT / "bench"))
    from peer import markdown_rows, run_peer, summary

    title = "Against a peer: django-hordak on PostgreSQL"
    try:
        probe_pg(args.pg)
    except Exception as exc:  # any failure to connect skips the section
        return title, [f"Not run: PostgreSQL at `{args.pg}` did not answer ({exc})."], []
    rows = run_peer(args.pg, args.seconds, args.rounds, args.connections)
    for row in rows:
        print(summary(row), flush=True)
    return title, markdown_rows(rows), rows


def probe_pg(url: str) -> None:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        conn.execute("SELECT 1")


def run_scale_section(args: argparse.Namespace) -> tuple[list[str], list[Any]]:
    """Cost as work grows (bench/scale.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from scale import markdown_table, run_scale

    rows = run_scale(
        args.seconds, args.rounds, args.connections, sync=args.sync, size=args.scale_size
    )
    return markdown_table(rows).splitlines(), rows


if __name__ == "__main__":
    main()
