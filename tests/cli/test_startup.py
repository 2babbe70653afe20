"""Start-up as a process: a command run before `punchcard migrate` says so (exit 1, no
traceback, no file left behind); `serve` names the SQLite file by its absolute path;
`make help` writes plain text into a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from punchcard.db.engine import is_sqlite, normalize_url
from punchcard.db.migrate import alembic_config, head_revision
from tests.cli.conftest import run_cli
from tests.conftest import database_url
from tests.e2e.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
# Every command that needs a migrated database (serve and migrate make it so).
COMMANDS = [
    ("tenants", "list"),
    ("tenants", "create", "--name", "Early Co"),
    ("keys", "list", "--tenant", "pt_x"),
    ("keys", "create", "--tenant", "pt_x", "--name", "k", "--scopes", "read"),
    ("keys", "revoke", "key_" + "0" * 32, "--tenant", "pt_x"),
    ("verify",),
    ("worker",),
]


def assert_says_migrate(result: subprocess.CompletedProcess[str]) -> None:
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "run `punchcard migrate`" in out, out
    assert "Traceback" not in out, out


def fresh_pg() -> Iterator[str]:
    """A new, empty PostgreSQL database on the suite's server, dropped afterwards."""
    url = make_url(database_url())
    name = f"{url.database}_fresh_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        normalize_url(str(url.set(database="postgres"))), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


EMPTY = ["sqlite"] + ([] if is_sqlite(database_url()) else ["postgresql"])


@pytest.fixture(params=EMPTY)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has migrated: a SQLite path with no file, or a new PostgreSQL
    database (when the suite runs on PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/never/punchcard.db"
    else:
        yield from fresh_pg()


def test_every_command_before_migrate_says_run_punchcard_migrate(
    empty_database: str, tmp_path: Path
) -> None:
    for args in COMMANDS:
        assert_says_migrate(run_cli(*args, database=empty_database, cwd=tmp_path))
    assert not (tmp_path / "never").exists()  # nothing created on the way
    migrated = run_cli("migrate", database=empty_database, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    listed = run_cli("tenants", "list", "--json", database=empty_database, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == "[]"


def test_a_database_behind_the_code_says_run_punchcard_migrate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    head = head_revision()
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    assert isinstance(previous, str)
    command.upgrade(alembic_config(url), previous)
    result = run_cli("keys", "list", "--tenant", "pt_x", database=url)
    assert_says_migrate(result)
    assert f"at revision {previous}" in result.stderr and head in result.stderr
    assert run_cli("migrate", database=url).returncode == 0
    assert run_cli("tenants", "list", database=url).returncode == 0


def test_an_unreachable_database_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/punchcard"
    for args in (("tenants", "list"), ("migrate",)):
        result = run_cli(*args, database=url)
        assert result.returncode == 1, args
        assert "cannot open the database" in result.stderr, result.stderr
        assert "Traceback" not in result.stdout + result.stderr


def test_serve_resolves_a_relative_sqlite_path_and_prints_it(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "punchcard.cli.main", "serve", "--port", str(port), "--no-worker"],
        cwd=tmp_path,
        env={
            **os.environ,
            "PUNCHCARD_DATABASE_URL": "sqlite:///./data/relative.db",
            "PUNCHCARD_DEMO_ON_FIRST_START": "false",
            "PUNCHCARD_LOG_LEVEL": "warning",
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        ready = False
        for _ in range(300):
            assert process.poll() is None, log.read_text()
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                pass
            if ready:
                break
            time.sleep(0.2)
        assert ready, log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
    absolute = (tmp_path / "data" / "relative.db").resolve()
    assert f"database: {absolute}" in log.read_text()
    assert absolute.is_file()


def test_make_help_prints_plain_text_into_a_pipe() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    lines = result.stdout.splitlines()
    assert any(line.split()[:1] == ["run"] and "PORT=" in line for line in lines), lines
    assert any(line.split()[:1] == ["help"] for line in lines), lines
