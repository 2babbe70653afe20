"""End-of-run summary of the reliability suite, loaded from ``tests/conftest.py`` so
that it runs on the xdist controller (which never loads ``tests/reliability/conftest.py``).

Tests attach what they measured to their reports (``user_properties``): the fuzzers
their generated-case counts, the matrices their coverage. xdist ships reports to the
controller, so the totals are over every worker. The run fails if a fuzzer ran all
of its operations but generated fewer cases than promised.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from typing import Any

import pytest

SOAK = os.environ.get("PUNCHCARD_SOAK") == "1"
# Generated cases per mode (in-process, live), over every operation of every face.
FUZZ_TARGET = 10_000 if SOAK else 1_000

_cases: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
_ops_run: dict[str, int] = defaultdict(int)
_ops_total: dict[str, dict[str, int]] = defaultdict(dict)
_reports: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # The teardown report carries every property the test and its fixtures attached.
    if report.when != "teardown":
        return
    for name, value in report.user_properties:
        if name == "fuzz":
            data = json.loads(str(value))
            _cases[data["mode"]][data["face"]] += data["cases"]
            _ops_run[data["mode"]] += 1
            _ops_total[data["mode"]][data["face"]] = data["operations"]
        elif name == "reliability_report":
            _reports.append(str(value))


def _total(mode: str) -> int:
    return sum(_cases[mode].values())


def _shortfalls() -> list[str]:
    """Modes whose every operation ran but that generated fewer cases than promised."""
    return [
        f"fuzz {mode}: {_total(mode)} generated cases < {FUZZ_TARGET}"
        for mode, faces in _ops_total.items()
        if _ops_run[mode] >= sum(faces.values()) and _total(mode) < FUZZ_TARGET
    ]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return  # the controller judges the totals
    if _shortfalls() and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not (_cases or _reports):
        return
    tr = terminalreporter
    tr.section("reliability")
    for mode in sorted(_cases):
        faces = ", ".join(f"{face} {n}" for face, n in sorted(_cases[mode].items()))
        tr.write_line(
            f"fuzz {mode}: {_total(mode)} generated cases ({faces}) over {_ops_run[mode]}/"
            f"{sum(_ops_total[mode].values())} operations (target {FUZZ_TARGET})"
        )
    for text in sorted(_reports):
        tr.write_line(text)
    for problem in _shortfalls():
        tr.write_line(f"FAILED {problem}")
