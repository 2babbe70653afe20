"""Issue 5 item 5: Punchcard against a peer ledger, django-hordak, on the same PostgreSQL.

The peer is ``bench/peer/``: django-hordak behind a minimal Django view (no auth, no
middleware), in its own venv (``bench/.peer-venv``, created here from
``bench/peer/requirements.txt``; not a dependency of Punchcard). Both servers run under
uvicorn, one worker, log level warning, each on a fresh PostgreSQL database created here
and dropped at the end. ``wrk`` drives both in interleaved A/B rounds (the order flips
every round); each side's medians are compared:

- framework floor: ``GET /healthz`` on both (context only, no goal);
- balance read: Punchcard ``GET /api/v2/members/{id}`` vs hordak
  ``Account.objects.with_balances()``, goal at least 10 times;
- award: Punchcard ``POST /api/v2/members/{id}/points`` vs hordak
  ``Account.transfer_to``, all to one member, goal at least 5 times;
- award spread: the same, each request to the next of the 1,000 members (context only).

Both sides hold 1,000 members; the member whose balance is read has the same seeded
history on both (100 awards of 5); the single-member awards go to one other member.

Usage: ``python bench/peer.py [--seconds 5] [--rounds 3] [--connections 32] [--pg URL]
[--only PREFIX] [--profile DIR]`` (server CPU per request is reported beside req/s)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx
import psycopg
from psycopg import sql

try:  # python bench/peer.py, or imported by bench/run.py (bench/ is on sys.path)
    from run import (
        Result,
        Target,
        cpu_seconds,
        free_port,
        median,
        profile,
        stop,
        summarize,
        venv_python,
        wait_ready,
        wrk,
    )
except ModuleNotFoundError:  # imported as bench.peer from the repository root
    from bench.run import (  # type: ignore[no-redef]
        Result,
        Target,
        cpu_seconds,
        free_port,
        median,
        profile,
        stop,
        summarize,
        venv_python,
        wait_ready,
        wrk,
    )

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = ROOT / "bench" / "peer"
PEER_VENV = ROOT / "bench" / ".peer-venv"
PEER_REQUIREMENTS = PEER_DIR / "requirements.txt"
SPREAD_LUA = str(PEER_DIR / "paths.lua")  # absolute: wrk() joins it onto bench/lua
PY = sys.executable
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"

MEMBERS = 1000  # accounts on each side
HISTORY = 100  # awards of 5 seeded to the member whose balance is read
AWARD = '{"amount": 5}'


@dataclass
class PeerRow:
    """One scenario: each side's medians over the rounds, and the throughput ratio."""

    scenario: str
    punchcard: Result
    peer: Result
    ratio: float  # punchcard rps / peer rps
    goal: float | None  # minimum ratio, None for context rows
    note: str = ""
    rounds: dict[str, list[Result]] = field(default_factory=dict)
    # Each server's CPU time (/proc/<pid>/stat) per answered request, median of rounds.
    cpu_ms: dict[str, float] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.ratio >= self.goal

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "met": self.met}


def peer_python() -> Path:
    """The peer venv's interpreter; (re)creates the venv when requirements.txt changed."""
    return venv_python(PEER_VENV, PEER_REQUIREMENTS)


def db_url(admin_url: str, name: str) -> str:
    return urlsplit(admin_url)._replace(path=f"/{name}").geturl()


def create_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    try:
        wait_ready(url, proc)
    except SystemExit:
        print(log.read_text()[-4000:], file=sys.stderr)
        raise


def _seed_punchcard(base: str, key: str) -> list[str]:
    """MEMBERS members; returns their ids in order: the first is the award target, the
    second the balance target, which gets HISTORY awards of 5 (as on the peer)."""
    h = {"Authorization": f"Bearer {key}"}
    ids: list[str] = []
    with httpx.Client(base_url=base + "/api/v2", headers=h, timeout=120) as c:
        for email in ("m1@example.com", "m2@example.com"):
            r = c.post("/members", json={"email": email})
            r.raise_for_status()
            ids.append(str(r.json()["id"]))
        emails = [f"m{n}@example.com" for n in range(3, MEMBERS + 1)]
        for i in range(0, len(emails), 500):
            rows = [{"email": e} for e in emails[i : i + 500]]
            r = c.post("/members/batch", json={"members": rows})
            r.raise_for_status()
            if r.json()["failed"]:
                raise SystemExit(f"member batch failed: {r.text[:500]}")
            ids += [str(x["id"]) for x in sorted(r.json()["results"], key=lambda x: x["index"])]
        for _ in range(HISTORY):
            c.post(f"/members/{ids[1]}/points", json={"amount": 5}).raise_for_status()
    return ids


def _warm(targets: list[Target]) -> None:
    """A few requests each, so first-request costs (imports, pools) stay out of round 1."""
    for t in targets:
        post = t.lua == "post.lua"
        key = t.env.get("KEY")
        h = {"Authorization": f"Bearer {key}"} if key else {}
        with httpx.Client(headers=h, timeout=30) as c:
            for _ in range(20):
                r = (
                    c.post(
                        t.url, content=t.env["BODY"], headers={"Content-Type": "application/json"}
                    )
                    if post
                    else c.get(t.url)
                )
                r.raise_for_status()


def run_peer(
    pg_admin_url: str = DEFAULT_PG,
    seconds: int = 5,
    rounds: int = 3,
    connections: int = 32,
    only: tuple[str, ...] = (),
    profile_dir: Path | None = None,
) -> list[PeerRow]:
    """Run the peer comparison; returns one row per scenario (medians per side).
    ``only``: run just the scenarios whose name starts with one of these (all if empty).
    ``profile_dir``: after each scenario's rounds, one more Punchcard round (not counted)
    under py-spy; the collapsed stacks and their summary go there."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    python = peer_python()
    tag = f"{os.getpid()}_{secrets.token_hex(3)}"
    pc_db, peer_db = f"bench_punchcard_{tag}", f"bench_hordak_{tag}"
    tmp = Path(tempfile.mkdtemp(prefix="punchcard-peer-"))
    procs: list[subprocess.Popen[bytes]] = []
    created: list[str] = []
    logs = contextlib.ExitStack()

    def log(name: str) -> IO[bytes]:
        return logs.enter_context((tmp / name).open("wb"))

    try:
        for name in (pc_db, peer_db):
            create_database(pg_admin_url, name)
            created.append(name)
        pc_env = {
            **os.environ,
            "PUNCHCARD_DATABASE_URL": db_url(pg_admin_url, pc_db),
            "PUNCHCARD_DEMO_ON_FIRST_START": "false",
            "PUNCHCARD_LOG_LEVEL": "warning",
            "PUNCHCARD_MAIL_DIR": str(tmp / "mail"),
        }
        peer_env = {
            **os.environ,
            "PEER_DATABASE_URL": db_url(pg_admin_url, peer_db),
            "DJANGO_SETTINGS_MODULE": "peer_project.settings",
        }
        # The peer migrates and seeds (about 10 s) while Punchcard migrates.
        seed = ["--members", str(MEMBERS), "--history", str(HISTORY), "--history-member", "2"]
        peer_setup = subprocess.Popen(
            [str(python), "manage.py", "seed", "--migrate", *seed],
            cwd=PEER_DIR,
            env=peer_env,
            stdout=subprocess.DEVNULL,
            stderr=log("peer-setup.log"),
        )
        procs.append(peer_setup)
        cli = [PY, "-m", "punchcard.cli.main"]
        subprocess.run([*cli, "migrate"], env=pc_env, check=True, capture_output=True)
        out = subprocess.run(
            [*cli, "tenants", "create", "--name", "Bench", "--json"],
            env=pc_env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        key = json.loads(out)["apiKey"]

        pc_port, peer_port = free_port(), free_port()
        pc_log, peer_log = tmp / "punchcard.log", tmp / "peer.log"
        pc = subprocess.Popen(
            [*cli, "serve", "--port", str(pc_port), "--no-worker"],
            env=pc_env,
            stdout=subprocess.DEVNULL,
            stderr=log(pc_log.name),
        )
        procs.append(pc)
        pcu, peeru = f"http://127.0.0.1:{pc_port}", f"http://127.0.0.1:{peer_port}"
        _ready(pcu + "/healthz", pc, pc_log)
        ids = _seed_punchcard(pcu, key)
        award_member, balance_member = ids[0], ids[1]
        pc_paths, peer_paths = tmp / "punchcard-paths.txt", tmp / "peer-paths.txt"
        pc_paths.write_text("".join(f"/api/v2/members/{i}/points\n" for i in ids))
        peer_paths.write_text("".join(f"/award/{n}\n" for n in range(1, MEMBERS + 1)))

        if peer_setup.wait() != 0:
            print((tmp / "peer-setup.log").read_text()[-4000:], file=sys.stderr)
            raise SystemExit("peer migrate/seed failed")
        peer = subprocess.Popen(
            [
                str(python),
                "-m",
                "uvicorn",
                "peer_project.asgi:application",
                "--port",
                str(peer_port),
                "--log-level",
                "warning",
            ],
            cwd=PEER_DIR,
            env=peer_env,
            stdout=subprocess.DEVNULL,
            stderr=log(peer_log.name),
        )
        procs.append(peer)
        _ready(peeru + "/healthz", peer, peer_log)

        pc_key = {"KEY": key}
        no_key = {"KEY": ""}
        scenarios = [
            (
                "framework floor: GET /healthz (no auth, no database)",
                Target("pc", pcu + "/healthz", "get.lua", no_key),
                Target("peer", peeru + "/healthz", "get.lua", no_key),
                None,
                "context: FastAPI vs Django, each in its own ASGI handler",
            ),
            (
                "balance read: GET /api/v2/members/{id}",
                Target("pc", f"{pcu}/api/v2/members/{balance_member}", "get.lua", pc_key),
                Target("peer", f"{peeru}/balance/2", "get.lua", no_key),
                10.0,
                f"hordak sums the account's legs (GET_BALANCE); {HISTORY} awards seeded on both",
            ),
            (
                "award: POST /api/v2/members/{id}/points",
                Target(
                    "pc",
                    f"{pcu}/api/v2/members/{award_member}/points",
                    "post.lua",
                    {**pc_key, "BODY": AWARD},
                ),
                Target("peer", f"{peeru}/award/1", "post.lua", {**no_key, "BODY": AWARD}),
                5.0,
                "all awards to one member; hordak: Account.transfer_to (a transaction, two legs), "
                "no balance in its reply",
            ),
            (
                f"award spread over {MEMBERS:,} members",
                Target(
                    "pc", pcu + "/", SPREAD_LUA, {**pc_key, "BODY": AWARD, "PATHS": str(pc_paths)}
                ),
                Target(
                    "peer",
                    peeru + "/",
                    SPREAD_LUA,
                    {**no_key, "BODY": AWARD, "PATHS": str(peer_paths)},
                ),
                None,
                "context: each request awards the next member (no hot row)",
            ),
        ]
        _warm([t for s in scenarios for t in (s[1], s[2]) if t.lua != SPREAD_LUA])

        rows: list[PeerRow] = []
        for name, pc_t, peer_t, goal, note in scenarios:
            if only and not name.startswith(only):
                continue
            results: dict[str, list[Result]] = {"punchcard": [], "peer": []}
            cpu: dict[str, list[float]] = {"punchcard": [], "peer": []}
            for rnd in range(rounds):
                order = [("punchcard", pc_t, pc.pid), ("peer", peer_t, peer.pid)]
                if rnd % 2:
                    order.reverse()
                for label, target, pid in order:
                    before = cpu_seconds(pid)
                    result = wrk(target, seconds, connections, pid)
                    used = cpu_seconds(pid) - before
                    results[label].append(result)
                    if result.requests:
                        cpu[label].append(used * 1000 / result.requests)
            a, b = median(results["punchcard"]), median(results["peer"])
            row = PeerRow(name, a, b, a.rps / b.rps if b.rps else float("inf"), goal, note, results)
            row.cpu_ms = {k: statistics.median(v) for k, v in cpu.items() if v}
            if profile_dir is not None:
                out = (
                    profile_dir / f"peer-punchcard-{name.split(':')[0].replace(' ', '-')}.collapsed"
                )
                spy = profile(pc.pid, seconds, out)
                wrk(pc_t, seconds, connections, pc.pid)
                spy.wait()
                if out.exists():
                    summary_path = out.with_suffix(".summary.txt")
                    summary_path.write_text(summarize(out))
                    print(f"profile: {summary_path}", flush=True)
            rows.append(row)
            print(summary(row), flush=True)
        return rows
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
        logs.close()
        for name in created:
            drop_database(pg_admin_url, name)
        shutil.rmtree(tmp, ignore_errors=True)


def summary(row: PeerRow) -> str:
    a, b = row.punchcard, row.peer
    goal = "" if row.goal is None else f" (goal ≥ {row.goal:g}×: {'met' if row.met else 'MISSED'})"
    return (
        f"{row.scenario}: punchcard {a.rps:,.0f}/s p50 {a.p50_ms:.1f} p99 {a.p99_ms:.1f} ms"
        f" err {a.errors} rss {a.rss_mb:.0f} MB | hordak {b.rps:,.0f}/s p50 {b.p50_ms:.1f}"
        f" p99 {b.p99_ms:.1f} ms err {b.errors} rss {b.rss_mb:.0f} MB | ratio {row.ratio:.2f}×{goal}"
        f" | server CPU ms/request: punchcard {row.cpu_ms.get('punchcard', float('nan')):.3f},"
        f" hordak {row.cpu_ms.get('peer', float('nan')):.3f}"
    )


def markdown_rows(rows: list[PeerRow]) -> list[str]:
    """The rows of the docs table (header included)."""
    out = [
        "| scenario | Punchcard req/s | p50 / p99 ms | errors | RSS MB | CPU ms/req | hordak req/s | p50 / p99 ms | errors | RSS MB | CPU ms/req | ratio | goal |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        a, b = r.punchcard, r.peer
        goal = "—" if r.goal is None else f"≥ {r.goal:g}× {'met' if r.met else '**missed**'}"
        out.append(
            f"| {r.scenario} | {a.rps:,.0f} | {a.p50_ms:.1f} / {a.p99_ms:.1f} | {a.errors} | {a.rss_mb:.0f}"
            f" | {r.cpu_ms.get('punchcard', float('nan')):.3f}"
            f" | {b.rps:,.0f} | {b.p50_ms:.1f} / {b.p99_ms:.1f} | {b.errors} | {b.rss_mb:.0f}"
            f" | {r.cpu_ms.get('peer', float('nan')):.3f}"
            f" | {r.ratio:.2f}× | {goal} |"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--pg", default=DEFAULT_PG, help="admin URL (database `postgres`)")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    ap.add_argument(
        "--only",
        action="append",
        default=[],
        help="run only scenarios whose name starts with this (repeatable): balance, award",
    )
    ap.add_argument("--profile", metavar="DIR", help="py-spy Punchcard in an extra round")
    args = ap.parse_args()
    rows = run_peer(
        args.pg,
        args.seconds,
        args.rounds,
        args.connections,
        tuple(args.only),
        Path(args.profile) if args.profile else None,
    )
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], indent=2))
    else:
        print("\n".join(markdown_rows(rows)))


if __name__ == "__main__":
    main()
