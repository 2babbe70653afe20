"""`punchcard backup FILE`: a consistent online copy of a SQLite database taken while a
server writes to it; PostgreSQL is pointed at pg_dump."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import httpx

from tests.cli.conftest import run_cli
from tests.conftest import database_url
from tests.e2e.conftest import start_server


def test_a_backup_taken_during_writes_verifies_and_holds_every_committed_row(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/live.db"
    assert run_cli("migrate", database=url).returncode == 0
    made = run_cli("tenants", "create", "--name", "Backup Co", "--json", database=url)
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)["apiKey"]
    server = start_server(tmp_path, database=url, name="live")
    acknowledged: list[str] = []  # emails whose member and award were answered
    stop = threading.Event()
    errors: list[str] = []

    def write() -> None:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=f"{server.url}/api/v2", headers=headers, timeout=30) as c:
            n = 0
            while not stop.is_set():
                n += 1
                email = f"m{n}@example.com"
                r = c.post("/members", json={"email": email})
                if r.status_code != 201:
                    errors.append(r.text)
                    return
                award = c.post(f"/members/{r.json()['id']}/points", json={"amount": 10})
                if award.status_code != 200:
                    errors.append(award.text)
                    return
                acknowledged.append(email)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(acknowledged) < 20 and writer.is_alive():
            stop.wait(0.05)
        before = list(acknowledged)
        copy = tmp_path / "copy.db"
        result = run_cli("backup", str(copy), database=url)
        during = len(acknowledged)
        while len(acknowledged) < during + 5 and writer.is_alive():
            stop.wait(0.05)  # the server keeps writing after the copy
    finally:
        stop.set()
        writer.join(timeout=60)
        server.stop()
    assert not errors, errors
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(copy) in result.stdout
    assert len(acknowledged) > len(before)
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    # The copy is a database of its own: at head, every ledger invariant holds.
    copy_url = f"sqlite:///{copy}"
    verified = run_cli("verify", database=copy_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "ledger OK" in verified.stdout
    with sqlite3.connect(copy) as conn:
        emails = {row[0] for row in conn.execute("SELECT email FROM members")}
        awarded = conn.execute("SELECT count(*) FROM points_entries").fetchone()[0]
    assert set(before) <= emails  # every row committed before the backup began
    assert emails < set(acknowledged) | {None}  # and not the rows written after it
    assert awarded >= len(before)


def test_backup_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/db.sqlite"
    assert run_cli("migrate", database=url).returncode == 0
    target = tmp_path / "existing.db"
    target.write_text("keep me")
    refused = run_cli("backup", str(target), database=url)
    assert refused.returncode == 1 and "exists" in refused.stderr
    assert target.read_text() == "keep me"
    forced = run_cli("backup", str(target), "--force", database=url)
    assert forced.returncode == 0, forced.stderr
    assert run_cli("verify", database=f"sqlite:///{target}").returncode == 0


def test_backup_of_a_missing_database_says_run_punchcard_migrate(tmp_path: Path) -> None:
    result = run_cli("backup", str(tmp_path / "copy.db"), database=f"sqlite:///{tmp_path}/no.db")
    assert result.returncode == 1
    assert "run `punchcard migrate`" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "no.db").exists()


def test_backup_on_postgresql_says_to_use_pg_dump(tmp_path: Path) -> None:
    url = database_url()
    if url.startswith("sqlite"):
        url = "postgresql://postgres@127.0.0.1:5432/punchcard"
    result = run_cli("backup", str(tmp_path / "copy.db"), database=url)
    assert result.returncode == 1
    assert "pg_dump" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "copy.db").exists()


def test_backup_of_a_file_that_is_not_a_database_writes_nothing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database, not even close" * 100)
    result = run_cli("backup", str(tmp_path / "copy.db"), database=f"sqlite:///{junk}")
    assert result.returncode == 1
    assert "not a database" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]
