"""Test harness: a real database (SQLite file, or PostgreSQL when
``PUNCHCARD_TEST_DATABASE_URL`` is set), migrated once with Alembic; one app per
worker; every test makes its own tenants, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database
from tests.config_guard import ConfigWriteGuard
from tests.factories import Tenant, make_tenant

# The reliability suite's end-of-run summary must run on the xdist controller.
pytest_plugins = ["tests.reliability.summary"]

URL_ENV = "PUNCHCARD_TEST_DATABASE_URL"
RESOLVED_ENV = "PUNCHCARD_TEST_RESOLVED_URL"


class TestClock:
    """Real time unless a test pins it; reset after every test."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    def freeze(self, at: datetime | None = None) -> datetime:
        self._frozen = at or datetime.now(UTC)
        return self._frozen

    def advance(self, **kwargs: float) -> datetime:
        delta = timedelta(**kwargs)
        if self._frozen is not None:
            self._frozen += delta
            return self._frozen
        self._offset += delta
        return self.now()

    def reset(self) -> None:
        self._offset = timedelta(0)
        self._frozen = None


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # xdist worker: the controller already prepared the database
    url = os.environ.get(URL_ENV)
    if not url:
        tmp = Path(tempfile.mkdtemp(prefix="punchcard-test-"))
        url = f"sqlite:///{tmp}/test.db"
    os.environ[RESOLVED_ENV] = url
    db = Database(url)
    upgrade(db.engine)
    db.dispose()


def database_url() -> str:
    return os.environ[RESOLVED_ENV]


@pytest.fixture(scope="session")
def clock() -> TestClock:
    return TestClock()


@pytest.fixture(autouse=True)
def _reset_clock(clock: TestClock) -> Iterator[None]:
    yield
    clock.reset()


@pytest.fixture(scope="session")
def config_guard() -> Iterator[ConfigWriteGuard]:
    """Watches every engine for a write to a snapshotted table without its version bump
    (``tests/config_guard.py``)."""
    guard = ConfigWriteGuard()
    guard.install()
    yield guard
    guard.uninstall()


@pytest.fixture(autouse=True)
def _config_writes_bump(config_guard: ConfigWriteGuard) -> Iterator[None]:
    """Fail the test whose statements (or whose fixtures': a module fixture's count
    against the first test that uses it) wrote tenant configuration without bumping
    ``tenants.config_version`` in the same transaction."""
    yield
    found = config_guard.take()
    assert not found, (
        "A write to a snapshotted table ran without tenants.snapshot.bump() in its "
        f"transaction (see CONTRIBUTING.md, 'Tenant configuration'): {found}"
    )


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url(),
        mail_dir=tmp_path_factory.mktemp("mail"),
        webhooks_allow_private=True,
        # Tests drive webhook delivery and jobs themselves (no background worker).
        run_worker=False,
        # Tests do not need power-loss durability; NORMAL keeps the suite quick.
        sqlite_synchronous="NORMAL",
    )


@pytest.fixture(scope="session")
def db(settings: Settings, clock: TestClock) -> Iterator[Database]:
    database = Database(settings.database_url, settings=settings, clock=clock)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, db=db)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture
def tenant(db: Database, client: TestClient) -> Tenant:
    """A fresh tenant with an all-scopes API key and an owner session."""
    return make_tenant(db, client)


@pytest.fixture
def other_tenant(db: Database, client: TestClient) -> Tenant:
    """A second tenant, for isolation tests (its ids must be 404 to `tenant`)."""
    return make_tenant(db, client, name="Other Co")
