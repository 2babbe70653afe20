"""Running the real ``punchcard`` command: in-process through typer's CliRunner (on the
suite's database, so the keys it makes are tried over the app), or as a subprocess
where start-up and exit codes are the point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from punchcard.cli.main import app
from punchcard.config import get_settings
from tests.conftest import database_url


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.exit_code == 0, self.stdout + self.stderr
        return json.loads(self.stdout)


Cli = Callable[..., Result]


@pytest.fixture
def cli() -> Iterator[Cli]:
    """``cli("keys", "list", ...)``: the command, in this process, on the suite's database."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        get_settings.cache_clear()
        try:
            r = runner.invoke(app, list(args), env={"PUNCHCARD_DATABASE_URL": database_url()})
        finally:
            get_settings.cache_clear()
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            raise r.exception
        return Result(r.exit_code, r.stdout, r.stderr)

    yield run


def run_cli(
    *args: str, database: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``punchcard ARGS`` as a process of its own, on ``database``."""
    return subprocess.run(
        [sys.executable, "-m", "punchcard.cli.main", *args],
        env={**os.environ, "PUNCHCARD_DATABASE_URL": database, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
