"""Migration 0002 (member sessions) upgrades, downgrades and upgrades again, on a
fresh database of the suite's kind (SQLite file, or PostgreSQL when the suite runs
on it)."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from punchcard.db.engine import build_engine, normalize_url
from punchcard.db.migrate import alembic_config
from punchcard.models import Base
from tests.conftest import database_url


@pytest.fixture
def empty_engine() -> Iterator[Engine]:
    """A new, empty database beside the suite's own, dropped afterwards."""
    url = normalize_url(database_url())
    if url.get_backend_name() == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="punchcard-migrations-")) / "fresh.db"
        engine = build_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    name = f"punchcard_migrations_{uuid.uuid4().hex[:12]}"
    admin = build_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = build_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, direction)(cfg, revision)


def _member_session_drift(engine: Engine) -> list[object]:
    """What the member-session model has that the migrated schema lacks (or the reverse)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, parent: (
                    kind != "table" or name == "member_sessions"
                ),
                "include_object": lambda obj, name, kind, reflected, other: (
                    kind != "table" or name == "member_sessions"
                ),
            },
        )
        return list(compare_metadata(ctx, Base.metadata))


def test_member_sessions_upgrade_downgrade_and_upgrade_again(empty_engine: Engine) -> None:
    _migrate(empty_engine, "upgrade", "head")
    assert "member_sessions" in inspect(empty_engine).get_table_names()
    assert _member_session_drift(empty_engine) == []

    _migrate(empty_engine, "downgrade", "0001")
    tables = inspect(empty_engine).get_table_names()
    assert "member_sessions" not in tables and "members" in tables

    _migrate(empty_engine, "upgrade", "head")
    assert _member_session_drift(empty_engine) == []
