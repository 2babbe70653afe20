"""A page of 100 against a page of 10, on every list route of every face.

Builds the in-process app on a fresh SQLite database (``--database-url`` for another),
seeds the tenant ``tests/api/test_list_cost.py`` walks (at least 100 of everything a
list shows; one member with over 300 ledger entries), then for each list route found
in the faces' OpenAPI documents measures, at page sizes 10 and 100: the SQL statements
of one request, and the process CPU time of a request (``time.process_time``, median
of ``--repeat`` requests after a warm-up; the in-process client's own work is
included, the same for both sizes). Writes the table into ``docs/benchmarks.md``
between the ``<!-- lists -->`` markers. Never run by the tests.

Usage: ``python bench/lists.py [--repeat 15]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event  # noqa: E402
from tests.api.test_list_cost import ROUTES, ListRoute, request, seed_lists  # noqa: E402
from tests.conftest import TestClock  # noqa: E402
from tests.reliability.seed import Seeded  # noqa: E402

from punchcard.app import create_app  # noqa: E402
from punchcard.config import Settings  # noqa: E402
from punchcard.db.migrate import upgrade  # noqa: E402
from punchcard.db.uow import Database  # noqa: E402

BEGIN, END = "<!-- lists -->", "<!-- /lists -->"
GOAL = 4.0  # a page of 100 costs at most 4x a page of 10


def measure(
    client: TestClient, seeded: Seeded, route: ListRoute, size: int, repeat: int, seen: list[str]
) -> tuple[int, float]:
    """(statements, median CPU ms) of a request for a page of ``size``."""
    path, query, headers = request(seeded, route, size)
    r = client.get(path, params=query, headers=headers)  # warm-up
    assert r.status_code == 200, f"{route.label}: {r.status_code} {r.text[:200]}"
    counts = []
    for _ in range(2):  # the fewer of two: a once-a-while refresh is not the page's cost
        seen.clear()
        client.get(path, params=query, headers=headers)
        counts.append(len(seen))
    statements = min(counts)
    times = []
    for _ in range(repeat):
        start = time.process_time()
        client.get(path, params=query, headers=headers)
        times.append((time.process_time() - start) * 1000)
    return statements, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="punchcard-lists-"))
    url = args.database_url or f"sqlite:///{tmp}/lists.db"
    clock = TestClock()
    settings = Settings(
        database_url=url,
        mail_dir=tmp / "mail",
        webhooks_allow_private=True,
        run_worker=False,
        sqlite_synchronous="NORMAL",
        # Keys stay cached: a lapsed 1 s entry looked up again is not the list's cost.
        api_key_cache_seconds=3600,
    )
    db = Database(url, settings=settings, clock=clock)
    upgrade(db.engine)
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    rows = []
    with TestClient(create_app(settings, db=db)) as client:
        print("seeding…", file=sys.stderr)
        seeded = seed_lists(db, client, clock)
        for route in ROUTES:
            s10, t10 = measure(client, seeded, route, 10, args.repeat, seen)
            s100, t100 = measure(client, seeded, route, 100, args.repeat, seen)
            rows.append((route, s10, s100, t10, t100))
            print(f"{route.label:55} {s10:4} {s100:4} {t10:7.2f} {t100:7.2f}", file=sys.stderr)
    db.dispose()
    write(rows, args.repeat, url.split(":")[0])


def write(rows: list[tuple[ListRoute, int, int, float, float]], repeat: int, backend: str) -> None:
    at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpu = _cpu()
    lines = [
        BEGIN,
        f"Run of {at} on {platform.node()} ({cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {backend}); `python bench/lists.py "
        f"--repeat {repeat}`. CPU ms: median process CPU time of one request.",
        "",
        "| route | statements, 10 | statements, 100 | CPU ms, 10 | CPU ms, 100 | ratio | ≤ 4x |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for route, s10, s100, t10, t100 in rows:
        ratio = t100 / t10 if t10 else float("inf")
        ok = "met" if ratio <= GOAL else "**missed**"
        lines.append(
            f"| `GET {route.path}` | {s10} | {s100} | {t10:.2f} | {t100:.2f} | {ratio:.2f} | {ok} |"
        )
    lines.append(END)
    report = ROOT / "docs" / "benchmarks.md"
    text = report.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    report.write_text(head + "\n".join(lines) + tail)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
