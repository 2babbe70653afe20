"""``punchcard backup FILE``: a consistent copy of a live SQLite database.

SQLite's online backup API, in one step: it reads the database as of one snapshot (a
WAL read, so the server's writers carry on meanwhile) and writes every page of it to
the copy, so the copy holds every transaction committed before the step began and
none of the later ones. The copy is written beside FILE and renamed into place once
it has passed ``PRAGMA integrity_check``, so FILE is never half-written.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import typer

from punchcard.cli.database import MIGRATE_HINT, fail, settings, shown, sqlite_path


def backup(
    file: Path = typer.Argument(..., help="Where to write the copy (must not exist)"),
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists"),
) -> None:
    """Copy the SQLite database, consistently, while the server runs (PostgreSQL: pg_dump)."""
    url = settings().database_url
    source = sqlite_path(url)
    if source is None:
        raise fail(
            f"the database at {shown(url)} is PostgreSQL: back it up with pg_dump, e.g.\n"
            "  pg_dump --format=custom --file=punchcard.dump DATABASE_URL\n"
            "and restore with pg_restore (punchcard backup copies SQLite databases only)"
        )
    if not source.is_file():
        raise fail(f"no database at {source}: {MIGRATE_HINT} first")
    target = file.expanduser().resolve()
    if target == source.resolve():
        raise fail("FILE is the database itself: give another path")
    if target.exists() and not force:
        raise fail(f"{target} exists: give another path, or --force to replace it")
    if not target.parent.is_dir():
        raise fail(f"no directory {target.parent}")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # The busy timeout rides out a checkpoint in progress; the source is only read.
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # pages=-1: the whole database in one step, one snapshot
        # One self-contained file (no -wal beside it); the server turns WAL back on.
        dst.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
    except sqlite3.Error as exc:
        problems = [f"cannot copy {source}: {exc}"]
    finally:
        dst.close()
        src.close()
    if problems != ["ok"]:
        partial.unlink(missing_ok=True)
        raise fail(f"no backup written: {'; '.join(problems[:5])}")
    os.replace(partial, target)
    size = target.stat().st_size
    print(f"backed up {source} to {target} ({pages} pages, {size} bytes)")
