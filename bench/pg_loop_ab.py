"""The PostgreSQL member read, event loop against thread hand-off, in the real app.

Two Punchcard servers on one fresh PostgreSQL database (seeded once, as
``bench/peer.py`` seeds its side): "loop" as shipped (``pg_loop_reads``: the read on
the event loop's async connections, ``db/aio.py``) and "thread" with
``PUNCHCARD_PG_LOOP_READS=false`` (the read in the handler's thread on the engine's
pool, as before). wrk drives ``GET /api/v2/members/{id}`` on each in interleaved
rounds (the order flips every round). Reported per side, medians: req/s, the server
process's CPU per request (``/proc/<pid>/stat``) and the PostgreSQL backends' CPU per
request (the database's backends, ``bench/pg_read_async.py``'s ``backends_cpu``; one
server is driven at a time). CPU per request is the figure to trust on a shared
machine; req/s moves with the neighbours.

``--profile DIR``: afterwards, where the "loop" server's time goes: the member read,
then awards (``POST /api/v2/members/{id}/points``, all to one member, then each to
the next of 1,000), each for ``--seconds``, with py-spy recording the server twice: every thread's samples (``*-all.collapsed``: where the time goes, waits
included) and only those holding the GIL (``*-gil.collapsed``: the server's Python
CPU), each with a ``.summary.txt``; the server's CPU per request beside.

Usage: ``python bench/pg_loop_ab.py [--seconds 5] [--rounds 5] [--connections 32]
[--pg URL] [--profile DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peer import (
    AWARD,
    DEFAULT_PG,
    SPREAD_LUA,
    _ready,
    _seed_punchcard,
    create_database,
    db_url,
    drop_database,
)
from pg_read_async import backends_cpu
from run import PY, Target, bench_python, cpu_seconds, free_port, stop, summarize, wrk


def cpu_split(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of a process so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tck = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tck, int(fields[12]) / tck


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--pg", default=DEFAULT_PG)
    ap.add_argument("--profile", metavar="DIR", help="py-spy the loop server: read, awards")
    args = ap.parse_args()
    name = f"bench_loop_{os.getpid()}_{secrets.token_hex(2)}"
    tmp = Path(tempfile.mkdtemp(prefix="pg-loop-ab-"))
    create_database(args.pg, name)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        env = {
            **os.environ,
            "PUNCHCARD_DATABASE_URL": db_url(args.pg, name),
            "PUNCHCARD_DEMO_ON_FIRST_START": "false",
            "PUNCHCARD_LOG_LEVEL": "warning",
            "PUNCHCARD_MAIL_DIR": str(tmp / "mail"),
        }
        cli = [PY, "-m", "punchcard.cli.main"]
        subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
        out = subprocess.run(
            [*cli, "tenants", "create", "--name", "Bench", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        key = json.loads(out)["apiKey"]
        servers: dict[str, tuple[str, int]] = {}
        for label, flag in (("loop", "true"), ("thread", "false")):
            port = free_port()
            log = tmp / f"{label}.log"
            proc = subprocess.Popen(
                [*cli, "serve", "--port", str(port), "--no-worker"],
                env={**env, "PUNCHCARD_PG_LOOP_READS": flag},
                stdout=subprocess.DEVNULL,
                stderr=log.open("wb"),
            )
            procs.append(proc)
            base = f"http://127.0.0.1:{port}"
            _ready(base + "/healthz", proc, log)
            servers[label] = (base, proc.pid)
        ids = _seed_punchcard(servers["loop"][0], key)
        member = ids[1]
        targets = {
            label: Target(label, f"{base}/api/v2/members/{member}", "get.lua", {"KEY": key})
            for label, (base, _) in servers.items()
        }
        for label, target in targets.items():  # warm: plans, pools, caches
            wrk(target, 1, args.connections, servers[label][1])
        samples: dict[str, list[tuple[float, float, float]]] = {k: [] for k in targets}
        for rnd in range(args.rounds):
            order = list(targets.items())
            if rnd % 2:
                order.reverse()
            for label, target in order:
                pid = servers[label][1]
                (user0, sys0), pg0 = cpu_split(pid), backends_cpu(name)
                result = wrk(target, args.seconds, args.connections, pid)
                (user1, sys1), pg1 = cpu_split(pid), backends_cpu(name)
                cpu, pg = (user1 - user0) + (sys1 - sys0), pg1 - pg0
                n = max(result.requests, 1)
                if result.errors:
                    raise SystemExit(f"{label}: {result.errors} errors")
                samples[label].append((result.rps, cpu * 1000 / n, pg * 1000 / n))
                print(
                    f"round {rnd} {label}: {result.rps:,.0f} req/s, server CPU "
                    f"{cpu * 1000 / n:.3f} ms/req (system {(sys1 - sys0) * 1000 / n:.3f}), "
                    f"PostgreSQL {pg * 1000 / n:.3f} ms/req",
                    flush=True,
                )
        print("\n| path | req/s | server CPU ms/req | PostgreSQL CPU ms/req |")
        print("|---|---:|---:|---:|")
        for label, rows in samples.items():
            rps = statistics.median(r[0] for r in rows)
            cpu = statistics.median(r[1] for r in rows)
            pg = statistics.median(r[2] for r in rows)
            print(f"| {label} | {rps:,.0f} | {cpu:.3f} | {pg:.3f} |")
        if args.profile:
            profile_server(Path(args.profile), servers["loop"], key, ids, args, tmp)
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
        drop_database(args.pg, name)


def profile_server(
    out: Path, server: tuple[str, int], key: str, ids: list[str], args: Any, tmp: Path
) -> None:
    base, pid = server
    paths = tmp / "award-paths.txt"
    paths.write_text("".join(f"/api/v2/members/{i}/points\n" for i in ids))
    body = {"KEY": key, "BODY": AWARD}
    targets = {
        "read": Target("pc", f"{base}/api/v2/members/{ids[1]}", "get.lua", {"KEY": key}),
        "award-one-member": Target(
            "pc", f"{base}/api/v2/members/{ids[0]}/points", "post.lua", body
        ),
        "award-spread": Target("pc", base + "/", SPREAD_LUA, {**body, "PATHS": str(paths)}),
    }
    spy = str(bench_python().parent / "py-spy")
    out.mkdir(parents=True, exist_ok=True)
    for name, target in targets.items():
        wrk(target, 1, args.connections, pid)  # warm
        for mode, extra in (("all", []), ("gil", ["--gil"])):
            collapsed = out / f"{name}-{mode}.collapsed"
            rec = subprocess.Popen(
                [spy, "record", "--pid", str(pid), "--duration", str(args.seconds),
                 "--rate", "250", "--format", "raw", "--nonblocking", *extra,
                 "-o", str(collapsed)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            cpu0 = cpu_seconds(pid)
            result = wrk(target, args.seconds, args.connections, pid)
            cpu = cpu_seconds(pid) - cpu0
            rec.wait()
            n = max(result.requests, 1)
            print(
                f"{name} ({mode}): {result.rps:,.0f} req/s, server CPU "
                f"{cpu * 1000 / n:.3f} ms/request, p50 {result.p50_ms} ms",
                flush=True,
            )
            if collapsed.exists():
                print(summarize(collapsed), flush=True)


if __name__ == "__main__":
    main()
