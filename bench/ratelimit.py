"""What plan rate limiting costs per request: server CPU time of the balance read and
the durable award for a Starter-plan key against an unlimited one, counting in the
process's memory and in Redis.

Two Punchcard processes on one SQLite database (``bench/run.py``'s settings): ``memory``
(no ``PUNCHCARD_REDIS_URL``) and ``redis`` (``--redis``, under a key prefix of the run's
own, deleted afterwards). Two tenants: one on ``unlimited`` (the self-hosted default:
no counting, no headers) and one on ``starter``, whose two windows both processes run
with budgets large enough that no request is refused (``PUNCHCARD_RATE_LIMITS``): a
check costs the same whatever the numbers, and a refusal would measure a 429 instead.
Each row is measured as in ``bench/cpu.py``: the server's user + system CPU time
(``/proc/<pid>/stat``) over a round of requests on one connection (``wrk``), divided by
the requests answered; rounds interleave the four rows of a path (rotating the order),
medians. CPU time barely moves when a neighbour is busy, so it is the measure to trust
on a shared machine; the ratios compare rows of one run.

Usage: ``python bench/ratelimit.py [--seconds 5] [--rounds 3] [--redis URL]
[--report PATH]`` (``--report -``: print only); writes the ``ratelimit`` region of
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

try:  # python bench/ratelimit.py
    from run import (
        DOCS,
        PY,
        Target,
        cpu_seconds,
        free_port,
        load,
        machine,
        stop,
        wait_ready,
        write_region,
        wrk,
    )
except ModuleNotFoundError:  # imported as bench.ratelimit
    from bench.run import (  # type: ignore[no-redef]
        DOCS,
        PY,
        Target,
        cpu_seconds,
        free_port,
        load,
        machine,
        stop,
        wait_ready,
        write_region,
        wrk,
    )

# Starter's two windows, with budgets no run of this script can spend.
BUDGET = json.dumps({"starter": "100000000/minute;100000000/day"})


def _cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PY, "-m", "punchcard.cli.main", *args], env=env, check=True, capture_output=True, text=True
    ).stdout


def _tenant(base: str, env: dict[str, str], name: str, plan: str) -> tuple[str, str]:
    """A tenant on ``plan`` with a member holding points: (API key, member id)."""
    key = json.loads(_cli(env, "tenants", "create", "--name", name, "--json"))["apiKey"]
    with httpx.Client(
        base_url=base + "/api/v2", headers={"Authorization": f"Bearer {key}"}, timeout=60
    ) as c:
        c.patch("/settings", json={"plan": plan}).raise_for_status()
        r = c.post("/members", json={"email": f"{name.lower()}@example.com"})
        r.raise_for_status()
        member = str(r.json()["id"])
        c.post(f"/members/{member}/points", json={"amount": 1_000_000}).raise_for_status()
    return key, member


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--sync", default="FULL", help="SQLite synchronous")
    ap.add_argument("--report", default=str(DOCS), help="Markdown file to write, - to print")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    started, load_before = datetime.now(UTC), load()
    tmp = Path(tempfile.mkdtemp(prefix="punchcard-bench-rl-"))
    prefix = f"punchcard-bench-rl:{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "PUNCHCARD_DATABASE_URL": f"sqlite:///{tmp / 'punchcard.db'}",
        "PUNCHCARD_DEMO_ON_FIRST_START": "false",
        "PUNCHCARD_LOG_LEVEL": "warning",
        "PUNCHCARD_SQLITE_SYNCHRONOUS": args.sync,
        "PUNCHCARD_MAIL_DIR": str(tmp / "mail"),
        "PUNCHCARD_RATE_LIMITS": BUDGET,
    }
    _cli(env, "migrate")
    variants = {
        "memory": {},
        "redis": {"PUNCHCARD_REDIS_URL": args.redis, "PUNCHCARD_RATE_LIMIT_PREFIX": prefix},
    }
    procs: dict[str, subprocess.Popen[bytes]] = {}
    urls: dict[str, str] = {}
    samples: dict[tuple[str, str], list[float]] = {}
    counted: dict[tuple[str, str], int] = {}
    errors: dict[tuple[str, str], int] = {}
    try:
        for name, extra in variants.items():
            port = free_port()
            procs[name] = subprocess.Popen(
                [PY, "-m", "punchcard.cli.main", "serve", "--port", str(port), "--no-worker"],
                env={**env, **extra},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            urls[name] = f"http://127.0.0.1:{port}"
        for name, proc in procs.items():
            wait_ready(urls[name] + "/healthz", proc)
        tenants = {
            "unlimited": _tenant(urls["memory"], env, "Unlimited", "unlimited"),
            "starter": _tenant(urls["memory"], env, "Starter", "starter"),
        }
        checks = _check(urls, tenants, args.redis, prefix)
        print("[check] " + "; ".join(checks), flush=True)
        rows = [  # (plan, storage)
            ("unlimited", "memory"),
            ("starter", "memory"),
            ("unlimited", "redis"),
            ("starter", "redis"),
        ]
        paths = {
            "balance read: GET /api/v2/members/{id}": ("get.lua", None),
            "durable award: POST /api/v2/members/{id}/points": ("post.lua", '{"amount": 5}'),
        }
        for path, (lua, body) in paths.items():
            for rnd in range(args.rounds):
                for plan, storage in rows[rnd % len(rows) :] + rows[: rnd % len(rows)]:
                    key, member = tenants[plan]
                    route = f"/api/v2/members/{member}" + ("/points" if body else "")
                    target_env = {"KEY": key, **({"BODY": body} if body else {})}
                    target = Target(storage, urls[storage] + route, lua, target_env)
                    pid = procs[storage].pid
                    before = cpu_seconds(pid)
                    result = wrk(target, args.seconds, 1, pid, rnd)
                    used = cpu_seconds(pid) - before
                    row = (path, f"{plan} / {storage}")
                    ms = used * 1000 / result.requests if result.requests else float("nan")
                    samples.setdefault(row, []).append(ms)
                    counted[row] = counted.get(row, 0) + result.requests
                    errors[row] = errors.get(row, 0) + result.errors
            print(path, flush=True)
            for plan, storage in rows:
                row = (path, f"{plan} / {storage}")
                print(f"  {row[1]}: {statistics.median(samples[row]):.3f} ms", flush=True)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
        _forget(args.redis, prefix)
    table = [
        f"Run of {started:%Y-%m-%d %H:%M} UTC on {machine()}; load average {load_before} "
        f"before, {load()} after; `python bench/ratelimit.py {' '.join(sys.argv[1:])}`. "
        f"One connection, {args.rounds} interleaved rounds of {args.seconds} s, medians of "
        "server CPU ms per request; Redis on the same machine. The ratio is to the "
        "unlimited row of the same path and process. Check: " + "; ".join(checks) + ".",
        "",
        "| path | plan / counted in | CPU ms per request | vs unlimited | requests | errors |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for path in paths:
        for plan, storage in rows:
            row = (path, f"{plan} / {storage}")
            base = statistics.median(samples[(path, f"unlimited / {storage}")])
            ms = statistics.median(samples[row])
            table.append(
                f"| {path} | {row[1]} | {ms:.3f} | {ms / base:.2f}× | "
                f"{counted[row]:,} | {errors[row]} |"
            )
    text = "\n".join(table)
    print(text)
    if args.report != "-":
        write_region("ratelimit", text, Path(args.report))


def _check(
    urls: dict[str, str], tenants: dict[str, tuple[str, str]], redis_url: str, prefix: str
) -> list[str]:
    """That the rows measure what they say: the Starter key is counted (headers) on both
    processes and the unlimited one is not, and the ``redis`` process counts in Redis."""
    import redis

    found = []
    for storage, url in urls.items():
        for plan, (key, member) in tenants.items():
            r = httpx.get(
                f"{url}/api/v2/members/{member}", headers={"Authorization": f"Bearer {key}"}
            )
            r.raise_for_status()
            counted = "x-ratelimit-limit" in r.headers
            if counted != (plan == "starter"):
                raise SystemExit(f"{plan} on {storage}: counted={counted}")
            found.append(f"{plan} on {storage}: headers {'yes' if counted else 'no'}")
    conn = redis.Redis.from_url(redis_url)
    keys = len(list(conn.scan_iter(f"{prefix}:*")))
    conn.close()
    if not keys:
        raise SystemExit("the redis process counted nothing in Redis")
    found.append(f"{keys} counters in Redis")
    return found


def _forget(url: str, prefix: str) -> None:
    """Delete the run's counters from Redis."""
    try:
        import redis
    except ModuleNotFoundError:  # pragma: no cover - a dependency of limits[redis]
        return
    conn = redis.Redis.from_url(url)
    try:
        keys = list(conn.scan_iter(f"{prefix}:*"))
        if keys:
            conn.delete(*keys)
    except redis.RedisError:
        pass
    finally:
        conn.close()


if __name__ == "__main__":
    main()
