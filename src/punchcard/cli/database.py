"""Opening the database from a command: an absolute SQLite path, and a clear "run
`punchcard migrate`" (exit 1) instead of a traceback when the database is missing or
behind the code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from punchcard.config import Settings, get_settings
from punchcard.db.engine import is_sqlite
from punchcard.db.migrate import current_revision, head_revision
from punchcard.db.uow import Database

MIGRATE_HINT = "run `punchcard migrate`"


def resolved_url(url: str) -> str:
    """``url`` with a relative SQLite path made absolute (against the working
    directory), so every process and every message names the same file."""
    if not is_sqlite(url):
        return url
    parsed = make_url(url)
    if parsed.database in (None, "", ":memory:"):
        return url
    path = Path(parsed.database).expanduser().resolve()
    return parsed.set(database=str(path)).render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None: not SQLite, or in memory)."""
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    return None if database in (None, "", ":memory:") else Path(database)


def shown(url: str) -> str:
    """The database as a message names it: the SQLite file, or the URL without password."""
    path = sqlite_path(url)
    return str(path) if path is not None else make_url(url).render_as_string(hide_password=True)


def settings() -> Settings:
    """The settings with the database URL resolved; exported to the environment too, so
    processes started from this one (``serve --workers N``) open the same file."""
    current = get_settings()
    url = resolved_url(current.database_url)
    if url != current.database_url:
        os.environ["PUNCHCARD_DATABASE_URL"] = url
        get_settings.cache_clear()
        current = get_settings()
    return current


def fail(message: str) -> typer.Exit:
    """Print ``message`` to stderr (plain: never wrapped, so a path stays whole) and
    answer the exit to raise."""
    print(message, file=sys.stderr)
    return typer.Exit(1)


def unreachable(url: str, exc: DBAPIError) -> typer.Exit:
    """The exit for a database that cannot be opened (down, wrong URL, not a database)."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return fail(f"cannot open the database at {shown(url)}: {reason}")


def migrate(db: Database) -> None:
    """Bring ``db`` to the newest revision; a database that cannot be opened is a
    message (exit 1), not a traceback."""
    from punchcard.db.migrate import upgrade

    try:
        upgrade(db.engine)
    except DBAPIError as exc:
        db.dispose()
        raise unreachable(db.url, exc) from None


def open_db(*, migrated: bool = True) -> Database:
    """The configured database. ``migrated``: refuse (exit 1, saying to run `punchcard
    migrate`) unless it exists and is at the newest revision, and then never create a
    SQLite file that is not there; otherwise (``migrate``, ``serve``) open or create it."""
    config = settings()
    url = config.database_url
    if not migrated:
        return Database(url, settings=config)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise fail(f"no database at {path}: {MIGRATE_HINT} first")
    db = Database(url, settings=config)
    try:
        current = current_revision(db.engine)
    except DBAPIError as exc:
        db.dispose()
        raise unreachable(url, exc) from None
    head = head_revision()
    if current != head:
        db.dispose()
        at = "not migrated" if current is None else f"at revision {current}, the code needs {head}"
        raise fail(f"the database at {shown(url)} is {at}: {MIGRATE_HINT}")
    return db
