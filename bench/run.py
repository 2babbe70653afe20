"""`make bench`: Punchcard's hot paths against the limit of its own stack.

Starts real server processes (uvicorn, one worker each, same log level), seeds data
over the API, runs ``wrk`` against each pair of routes in interleaved A/B rounds,
takes medians, and writes ``docs/benchmarks.md`` with the machine, the date, the
command and every goal marked met or missed.

Usage: ``python bench/run.py [--seconds 5] [--rounds 3] [--connections 32]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
PY = sys.executable


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    rss_mb: float


@dataclass
class Target:
    label: str
    url: str
    lua: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Scenario:
    name: str
    punchcard: Target
    reference: Target | None
    goal: float | None  # minimum ratio punchcard/reference
    note: str = ""
    results: dict[str, list[Result]] = field(default_factory=dict)
    connections: int | None = None  # None: the run's --connections
    server: str = "pc"  # which Punchcard process serves it (see VARIANTS)
    p99_goal_ms: float | None = None  # a latency goal on Punchcard's p99


# Punchcard processes on the same database, differing in one setting each, so a
# feature's cost or gain is measured against the same build in the same run.
VARIANTS: dict[str, dict[str, str]] = {
    "pc": {},
    "pc-no-group": {"PUNCHCARD_GROUP_COMMIT": "false"},
    "pc-no-key-cache": {"PUNCHCARD_API_KEY_CACHE_SECONDS": "0"},
}


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


def parse_ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk(target: Target, seconds: int, connections: int, pid: int, rnd: int = 0) -> Result:
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
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(x) for x in sock.groups()) if sock else 0
    )
    return Result(rps, p50, p99, errors, rss_mb(pid))


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server: SIGTERM, then SIGKILL after 30 s."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def median(results: list[Result]) -> Result:
    return Result(
        statistics.median(r.rps for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
        max(r.rss_mb for r in results),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--sync", default="FULL", help="SQLite synchronous for both apps")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--only", choices=["stack", "peer", "scale"], help="run one part only")
    args = ap.parse_args()
    sections: list[tuple[str, list[str]]] = []
    scenarios: list[Scenario] = []
    if args.only in (None, "stack"):
        scenarios = run_stack(args)
    if args.only in (None, "peer"):
        sections.append(run_peer_section(args))
    if args.only in (None, "scale"):
        sections.append(run_scale_section(args))
    write_report(scenarios, sections, args)


def run_peer_section(args: argparse.Namespace) -> tuple[str, list[str]]:
    """django-hordak on the same PostgreSQL (bench/peer.py), if PostgreSQL answers."""
    sys.path.insert(0, str(ROOT / "bench"))
    from peer import markdown_rows, run_peer, summary

    title = "Against a peer: django-hordak on PostgreSQL (item 5)"
    try:
        probe_pg(args.pg)
    except Exception as exc:  # any failure to connect skips the section
        return title, [f"Not run: PostgreSQL at `{args.pg}` did not answer ({exc})."]
    rows = run_peer(args.pg, args.seconds, args.rounds, args.connections)
    for row in rows:
        print(summary(row), flush=True)
    return title, markdown_rows(rows)


def probe_pg(url: str) -> None:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        conn.execute("SELECT 1")


def run_scale_section(args: argparse.Namespace) -> tuple[str, list[str]]:
    """Cost as work grows (bench/scale.py): 1,000,000 entries, a hot member, 1,000,000
    members."""
    sys.path.insert(0, str(ROOT / "bench"))
    from scale import markdown_table, run_scale

    rows = run_scale(args.seconds, args.rounds, args.connections)
    return "Cost as work grows (item 4)", markdown_table(rows).splitlines()


def run_stack(args: argparse.Namespace) -> list[Scenario]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    tmp = Path(tempfile.mkdtemp(prefix="punchcard-bench-"))
    pc_db = f"sqlite:///{tmp}/punchcard.db"
    base_env = {
        **os.environ,
        "PUNCHCARD_DATABASE_URL": pc_db,
        "PUNCHCARD_DEMO_ON_FIRST_START": "false",
        "PUNCHCARD_LOG_LEVEL": "warning",
        "PUNCHCARD_SQLITE_SYNCHRONOUS": args.sync,
        "PUNCHCARD_MAIL_DIR": str(tmp / "mail"),
    }
    subprocess.run(
        [PY, "-m", "punchcard.cli.main", "migrate"], env=base_env, check=True, capture_output=True
    )
    created = subprocess.run(
        [PY, "-m", "punchcard.cli.main", "tenants", "create", "--name", "Bench", "--json"],
        env=base_env,
        check=True,
        capture_output=True,
        text=True,
    )
    tenant = json.loads(created.stdout)
    key, partner = tenant["apiKey"], tenant["partnerId"]

    ports = {name: free_port() for name in VARIANTS}
    servers = {
        name: subprocess.Popen(
            [PY, "-m", "punchcard.cli.main", "serve", "--port", str(ports[name]), "--no-worker"],
            env={**base_env, **extra},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, extra in VARIANTS.items()
    }
    ref_port = free_port()
    ref = subprocess.Popen(
        [
            PY,
            "-m",
            "uvicorn",
            "bench.reference_app:app",
            "--port",
            str(ref_port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "REFERENCE_DB": str(tmp / "ref.db"), "REFERENCE_SYNCHRONOUS": args.sync},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    refu = f"http://127.0.0.1:{ref_port}"
    try:
        for name, proc in servers.items():
            wait_ready(urls[name] + "/healthz", proc)
        wait_ready(refu + "/noop", ref)
        scenarios = build(urls, refu, key, partner)
        for sc in scenarios:
            conns = sc.connections or args.connections
            pc_proc = servers[sc.server]
            for rnd in range(args.rounds):
                order = [
                    ("punchcard", sc.punchcard, pc_proc.pid),
                    ("reference", sc.reference, ref.pid),
                ]
                if rnd % 2:
                    order.reverse()
                for label, target, pid in order:
                    if target is None:
                        continue
                    sc.results.setdefault(label, []).append(
                        wrk(target, args.seconds, conns, pid, rnd)
                    )
            print(summary_line(sc), flush=True)
    finally:
        for p in (*servers.values(), ref):
            stop(p)
    shutil.rmtree(tmp, ignore_errors=True)
    return scenarios


def build(urls: dict[str, str], refu: str, key: str, partner: str) -> list[Scenario]:
    """Seed Punchcard over its API and describe each scenario."""
    pcu = urls["pc"]
    h = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=pcu + "/api/v2", headers=h, timeout=120) as c:
        member = c.post("/members", json={"email": "bench@example.com"}).json()["id"]
        c.post(f"/members/{member}/points", json={"amount": 1_000_000_000})
        c.post(
            "/activities", json={"key": "bench_purchase", "name": "Bench purchase", "points": 5}
        ).raise_for_status()
        for i in range(6):
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
    batch_pc = {
        "orders": [
            {"externalOrderId": f"B{{n}}-{i}", "memberId": member, "total": "10.00"}
            for i in range(500)
        ]
    }
    batch_ref = {"rows": [{"member": 1 + i % 1000, "amount": 10} for i in range(500)]}
    key_env = {"KEY": key}
    award_body = {**key_env, "BODY": '{"amount": 5}'}
    ref_award = Target("ref", refu + "/award/1", "post.lua", {"BODY": '{"amount": 5}'})
    ref_read = Target("ref", refu + "/balance/1", "get.lua")
    ref_noop = Target("ref", refu + "/noop", "get.lua")
    read_path = f"/api/v2/members/{member}"
    award_path = f"/api/v2/members/{member}/points"
    return [
        Scenario(
            "no-op vs GET /healthz (no auth)",
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
            p99_goal_ms=10,
        ),
        Scenario(
            "balance read, API-key cache off (every call looks the key up)",
            Target("pc", urls["pc-no-key-cache"] + read_path, "get.lua", key_env),
            ref_read,
            None,
            "item 6: compare with the row above",
            server="pc-no-key-cache",
        ),
        Scenario(
            "points balance: GET /api/v2/members/{id}/points?limit=1",
            Target("pc", f"{pcu}{award_path}?limit=1", "get.lua", key_env),
            ref_read,
            None,
        ),
        Scenario(
            "award: POST /api/v2/members/{id}/points",
            Target("pc", pcu + award_path, "post.lua", award_body),
            ref_award,
            0.5,
            "both durable (synchronous=FULL); Punchcard with group commit",
            p99_goal_ms=25,
        ),
        Scenario(
            "award, unloaded (1 client)",
            Target("pc", pcu + award_path, "post.lua", award_body),
            ref_award,
            None,
            connections=1,
            p99_goal_ms=5,
        ),
        Scenario(
            "durable award vs reference no-op (group commit)",
            Target("pc", pcu + award_path, "post.lua", award_body),
            ref_noop,
            0.30,
        ),
        Scenario(
            "durable award vs reference no-op, group commit off",
            Target("pc", urls["pc-no-group"] + award_path, "post.lua", award_body),
            ref_noop,
            None,
            "one COMMIT and fsync per request: what group commit saves",
            server="pc-no-group",
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
            "batch: POST /api/v2/orders/batch (500 orders per call)",
            Target(
                "pc",
                pcu + "/api/v2/orders/batch",
                "template.lua",
                {**key_env, "PATH_T": "/api/v2/orders/batch", "BODY_T": json.dumps(batch_pc)},
            ),
            Target("ref", refu + "/award-batch", "post.lua", {"BODY": json.dumps(batch_ref)}),
            0.25,
            "ratio of calls/s, each call 500 rows on both sides",
            connections=2,
        ),
        Scenario(
            "ShopSocially award: POST /v2/loyalty/award",
            Target(
                "pc",
                pcu + "/v2/loyalty/award",
                "template.lua",
                {
                    "PATH_T": "/v2/loyalty/award",
                    "HEADERS": f"partner-id={partner};api-key={key}",
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
        ),
    ]


def summary_line(sc: Scenario) -> str:
    pc = median(sc.results["punchcard"])
    line = f"{sc.name}: punchcard {pc.rps:.0f}/s p99 {pc.p99_ms:.1f} ms"
    if "reference" in sc.results:
        ref = median(sc.results["reference"])
        line += f" | reference {ref.rps:.0f}/s | ratio {pc.rps / ref.rps:.2f}"
    return line


def goals(sc: Scenario, pc: Result, ratio: float | None) -> str:
    """Each goal of the scenario with its verdict; a run with errors misses them all
    (issue 5: zero non-2xx responses under load)."""
    out = []
    if sc.goal is not None and ratio is not None:
        ok = ratio >= sc.goal and pc.errors == 0
        out.append(f"≥ {sc.goal}× {'met' if ok else '**missed**'}")
    if sc.p99_goal_ms is not None:
        ok = pc.p99_ms <= sc.p99_goal_ms and pc.errors == 0
        out.append(f"p99 ≤ {sc.p99_goal_ms:g} ms {'met' if ok else '**missed**'}")
    return "; ".join(out) or "—"


def write_report(
    scenarios: list[Scenario], sections: list[tuple[str, list[str]]], args: argparse.Namespace
) -> None:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    rows = []
    for sc in scenarios:
        pc = median(sc.results["punchcard"])
        ref = median(sc.results["reference"]) if "reference" in sc.results else None
        ratio = pc.rps / ref.rps if ref else None
        rows.append(
            f"| {sc.name} | {sc.connections or args.connections} | {pc.rps:,.0f} "
            f"| {pc.p50_ms:.1f} / {pc.p99_ms:.1f} | {pc.errors} | {pc.rss_mb:.0f} | "
            + (f"{ref.rps:,.0f} | {ref.p50_ms:.1f} / {ref.p99_ms:.1f} | " if ref else "— | — | ")
            + (f"{ratio:.2f}× | " if ratio else "— | ")
            + f"{goals(sc, pc, ratio)} |"
            + (f" {sc.note}" if sc.note else "")
        )
    report = ROOT / "docs" / "benchmarks.md"
    head = (
        report.read_text().split("<!-- results -->")[0] if report.exists() else "# Benchmarks\n\n"
    )
    body = "\n".join(
        [
            "<!-- results -->",
            f"## Latest run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"- machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}",
            f"- command: `python bench/run.py --seconds {args.seconds} --rounds {args.rounds} --connections {args.connections} --sync {args.sync}{' --only ' + args.only if args.only else ''}` (`make bench`)",
            f"- load: wrk -t2 -c{args.connections}, {args.rounds} interleaved A/B rounds of {args.seconds} s, medians; errors summed; RSS = peak (VmHWM) of the server process",
            f"- both servers: uvicorn, 1 worker, log level warning, SQLite WAL, synchronous={args.sync}",
            "",
            "### The limit of the stack, and Punchcard's paths (items 1, 2, 3, 6, 7)",
            "",
            "| scenario | clients | Punchcard req/s | p50 / p99 ms | errors | RSS MB | reference req/s | p50 / p99 ms | ratio | goal | note |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *(rows or ["| not run (`--only`) |"]),
            "",
            *(line for title, lines in sections for line in (f"### {title}", "", *lines, "")),
        ]
    )
    report.write_text(head + body)
    print(f"wrote {report}")


if __name__ == "__main__":
    main()
