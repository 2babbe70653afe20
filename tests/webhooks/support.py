"""Helpers shared by the webhook tests: endpoints through the API, a tenant-scoped
worker driven by hand, and an isolated database for tests that run real worker
processes (which claim every tenant's deliveries, so they must not share the suite's)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database
from tests.factories import Api

ALL = ["*"]


def create_endpoint(
    api: Api, url: str, events: list[str] | None = None, **kw: Any
) -> dict[str, Any]:
    r = api.post("/webhooks", json={"url": url, "events": events or ALL, **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())


def deliveries(api: Api, webhook_id: str, **params: Any) -> list[dict[str, Any]]:
    r = api.get(f"/webhooks/{webhook_id}/deliveries", params=params)
    assert r.status_code == 200, r.text
    return list(r.json()["deliveries"])


@contextmanager
def isolated_database(tmp: Path) -> Iterator[str]:
    """A fresh, migrated database of the suite's kind (SQLite file or PostgreSQL)."""
    base = os.environ.get("PUNCHCARD_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp}/isolated-{uuid.uuid4().hex[:8]}.db"
        _migrate(url)
        yield url
        return
    parsed = make_url(base)
    name = f"pc_wh_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        parsed.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = parsed.set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
