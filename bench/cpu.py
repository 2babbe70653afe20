"""Server CPU time per request, Punchcard against the reference, with one client.

The figure issue 10 quotes ("balance read 1.37 ms, award 3.96 ms; the lean version
0.19 ms and 0.57 ms"): the server process's user + system CPU time
(``/proc/<pid>/stat``) over a round of requests on one connection, divided by the
requests answered. CPU time, unlike throughput, barely moves when a neighbour is busy,
so this is the measure to trust on a shared machine. Same servers and data as
``bench/run.py`` (one Punchcard build, the reference on a copy of its seeded
database), interleaved rounds, medians. The batch row is per order (500 a call).

``--profile DIR`` adds one round per side, not counted, under py-spy (sampling at
200 Hz, without pausing the server): DIR gets each side's collapsed stacks (open them
in speedscope or flamegraph.pl) and a ``.summary.txt`` of the functions holding the
most samples, to say where a request's time goes.

Usage: ``python bench/cpu.py [--seconds 5] [--rounds 3] [--report PATH] [--profile DIR]``
(``--report -``: print only).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

try:  # python bench/cpu.py
    from run import (
        BATCH,
        DOCS,
        Target,
        batch_body,
        cpu_seconds,
        load,
        machine,
        profile,
        stack,
        summarize,
        write_region,
        wrk,
    )
except ModuleNotFoundError:  # imported as bench.cpu
    from bench.run import (  # type: ignore[no-redef]
        BATCH,
        DOCS,
        Target,
        batch_body,
        cpu_seconds,
        load,
        machine,
        profile,
        stack,
        summarize,
        write_region,
        wrk,
    )


@dataclass
class Path_:
    name: str
    punchcard: Target
    reference: Target
    per_call: int = 1  # rows per request (the batch: CPU per order)
    samples: dict[str, list[float]] = field(default_factory=dict)  # side -> ms per row
    counted: dict[str, int] = field(default_factory=dict)  # side -> rows counted
    errors: dict[str, int] = field(default_factory=dict)  # side -> failed requests or rows


def cpu_round(
    target: Target, seconds: int, pid: int, per_call: int, rnd: int
) -> tuple[float, int, int]:
    """One round on one connection: (server CPU ms per row, rows answered, errors)."""
    before = cpu_seconds(pid)
    result = wrk(target, seconds, 1, pid, rnd)
    used = cpu_seconds(pid) - before
    rows = result.requests * per_call
    return (used * 1000 / rows if rows else float("nan")), rows, result.errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sync", default="FULL")
    ap.add_argument("--reference-writes", choices=["loop", "thread"], default="thread")
    ap.add_argument("--report", default=str(DOCS), help="Markdown file to write, - to print")
    ap.add_argument("--profile", metavar="DIR", help="py-spy each server in an extra round")
    args = ap.parse_args()
    started = datetime.now(UTC)
    load_before = load()
    with stack(args.sync, variants=("pc",), coupons=False, ref_writes=args.reference_writes) as st:
        pcu, refu, member = st.urls["pc"], st.ref_url, st.member
        key = {"KEY": st.key}
        read, award = f"/api/v2/members/{member}", f"/api/v2/members/{member}/points"
        body = batch_body(member)
        paths = [
            Path_(
                "no-op: GET /healthz vs GET /noop",
                Target("pc", pcu + "/healthz", "get.lua"),
                Target("ref", refu + "/noop", "get.lua"),
            ),
            Path_(
                "balance read: GET /api/v2/members/{id}",
                Target("pc", pcu + read, "get.lua", key),
                Target("ref", refu + read, "get.lua"),
            ),
            Path_(
                "durable award: POST /api/v2/members/{id}/points",
                Target("pc", pcu + award, "post.lua", {**key, "BODY": '{"amount": 5}'}),
                Target("ref", refu + award, "post.lua", {"BODY": '{"amount": 5}'}),
            ),
            Path_(
                "batch, per order: POST /api/v2/orders/batch (500 orders)",
                Target("pc", pcu + "/api/v2/orders/batch", "batch", {**key, "BODY_T": body}),
                Target("ref", refu + "/api/v2/orders/batch", "batch", {"BODY_T": body}),
                per_call=BATCH,
            ),
        ]
        pids = {"punchcard": st.pids["pc"], "reference": st.ref_pid}
        for p in paths:
            for rnd in range(args.rounds):
                sides = [("punchcard", p.punchcard), ("reference", p.reference)]
                for side, target in sides if rnd % 2 == 0 else sides[::-1]:
                    ms, rows, bad = cpu_round(target, args.seconds, pids[side], p.per_call, rnd)
                    p.samples.setdefault(side, []).append(ms)
                    p.counted[side] = p.counted.get(side, 0) + rows
                    p.errors[side] = p.errors.get(side, 0) + bad
            a, b = (statistics.median(p.samples[s]) for s in ("punchcard", "reference"))
            print(
                f"{p.name}: punchcard {a:.3f} ms | reference {b:.3f} ms | {a / b:.1f}x", flush=True
            )
            if args.profile:
                slug = p.name.split(":")[0].split(",")[0].replace(" ", "-")
                for side, target in (("punchcard", p.punchcard), ("reference", p.reference)):
                    out = Path(args.profile) / f"cpu-{slug}-{side}.collapsed"
                    spy = profile(pids[side], max(1, args.seconds - 1), out)
                    wrk(target, args.seconds, 1, pids[side], args.rounds)
                    spy.wait()
                    print(summarize(out, 15))
        checks = st.checks
    table = [
        f"Run of {started:%Y-%m-%d %H:%M} UTC on {machine()}; load average {load_before} "
        f"before, {load()} after; `python bench/cpu.py {' '.join(sys.argv[1:])}`. "
        f"One connection, {args.rounds} interleaved rounds of {args.seconds} s, medians of "
        f"server CPU ms per request (per order for the batch); yardstick check: "
        + "; ".join(checks),
        "",
        "| path | Punchcard CPU ms | reference CPU ms | Punchcard / reference "
        "| requests counted | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in paths:
        a, b = (statistics.median(p.samples[s]) for s in ("punchcard", "reference"))
        table.append(
            f"| {p.name} | {a:.3f} | {b:.3f} | {a / b:.1f}× | "
            f"{p.counted['punchcard']:,} / {p.counted['reference']:,} "
            f"| {p.errors['punchcard']} / {p.errors['reference']} |"
        )
    text = "\n".join(table)
    print(text)
    if args.report != "-":
        write_region("cpu", text, Path(args.report))


if __name__ == "__main__":
    main()
