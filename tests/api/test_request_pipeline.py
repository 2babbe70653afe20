"""The request pipeline's hop budget (docs/architecture.md, "Where a request goes"):
on SQLite a read runs on the event loop (no hand-off to a thread), and a write makes
exactly one (its turn in the group commit: BEGIN, handler, render, COMMIT); every
dependency that only reads state is async (FastAPI would run a sync one in a thread).

The hand-offs are counted at the two doors to a thread, through the real app: AnyIO's
``to_thread.run_sync`` (Starlette's ``run_in_threadpool``, FastAPI's sync
dependencies) and the event loop's ``run_in_executor`` (the group commit's thread).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database
from tests.factories import Tenant, insert_member, make_tenant


class Hops:
    """Counts every hand-off from the event loop to a thread while installed."""

    def __init__(self) -> None:
        self.count = 0
        self.active = False

    def __enter__(self) -> Hops:
        self.count = 0
        self.active = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.active = False

    def hop(self) -> None:
        if self.active:
            self.count += 1


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Hops:
    counter = Hops()
    to_thread = anyio.to_thread.run_sync
    in_executor = asyncio.BaseEventLoop.run_in_executor

    async def counted_to_thread(*args: Any, **kwargs: Any) -> Any:
        counter.hop()
        return await to_thread(*args, **kwargs)

    def counted_in_executor(self: Any, *args: Any) -> Any:
        counter.hop()
        return in_executor(self, *args)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted_to_thread)
    monkeypatch.setattr(asyncio.BaseEventLoop, "run_in_executor", counted_in_executor)
    return counter


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[tuple[FastAPI, Tenant]]:
    """The app on a SQLite file of its own (the budget is SQLite's), group commit on."""
    url = f"sqlite:///{tmp_path}/hops.db"
    bootstrap = Database(url)
    upgrade(bootstrap.engine)
    bootstrap.dispose()
    settings = Settings(
        database_url=url, mail_dir=tmp_path / "mail", run_worker=False, sqlite_synchronous="NORMAL"
    )
    db = Database(url, settings=settings)
    app = create_app(settings, db=db)
    assert db.group is not None and db.inline_reads
    with TestClient(app) as client:
        yield app, make_tenant(db, client)
    db.dispose()


def test_a_sqlite_read_hands_off_to_no_thread(sqlite: tuple[FastAPI, Tenant], hops: Hops) -> None:
    _, t = sqlite
    member = insert_member(t)
    fresh = t.key("members:read", "points:read", "stores:read")
    with hops:  # the credentials' lookup (a cache miss: a key never seen) too
        r = fresh.get(f"/members/{member}")
    assert r.status_code == 200, r.text
    assert hops.count == 0
    with hops:
        assert fresh.get(f"/members/{member}/points").status_code == 200
        assert fresh.get("/stores").status_code == 200
    assert hops.count == 0


def test_a_sqlite_write_hands_off_to_one_thread(sqlite: tuple[FastAPI, Tenant], hops: Hops) -> None:
    _, t = sqlite
    member = insert_member(t)
    t.api.get(f"/members/{member}")  # the credentials are cached: the write's own hops
    with hops:
        r = t.api.post(f"/members/{member}/points", json={"amount": 5})
    assert r.status_code == 200, r.text
    assert hops.count == 1
    # With an Idempotency-Key: the claim is made in the same hop.
    key = {"Idempotency-Key": "pipeline-1"}
    with hops:
        r = t.api.post(f"/members/{member}/points", json={"amount": 5}, headers=key)
    assert r.status_code == 200, r.text
    assert hops.count == 1
    with hops:  # and its replay
        again = t.api.post(f"/members/{member}/points", json={"amount": 5}, headers=key)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.content == r.content
    assert hops.count == 1
    # A refused write (the ledger says no) rolls back in the same hop.
    with hops:
        r = t.api.post(f"/members/{member}/points", json={"amount": -1000})
    assert r.status_code == 422, r.text
    assert hops.count == 1
    assert t.api.get(f"/members/{member}/points").json()["balance"] == 10


def test_refusals_hand_off_only_what_they_need(sqlite: tuple[FastAPI, Tenant], hops: Hops) -> None:
    _, t = sqlite
    member = insert_member(t)
    t.api.get(f"/members/{member}")
    bad = {"Authorization": "Bearer fl_live_not-a-key"}
    with hops:  # refused before anything touched the database
        assert t.client.get(f"/api/v2/members/{member}", headers=bad).status_code == 401
        assert t.api.get("/members/mem_missing").status_code == 404
        r = t.client.post(f"/api/v2/members/{member}/points", json={"amount": 1}, headers=bad)
        assert r.status_code == 401
        assert t.api.post(f"/members/{member}/points", json={"amount": "x"}).status_code == 400
    assert hops.count == 0
    with hops:  # a body that does not validate, with a key to claim first: one
        r = t.api.post(
            f"/members/{member}/points", json={"amount": "x"}, headers={"Idempotency-Key": "k"}
        )
        assert r.status_code == 400
    assert hops.count == 1


def test_a_claimed_key_still_wins_over_a_body_that_does_not_validate(
    sqlite: tuple[FastAPI, Tenant],
) -> None:
    """The claim moved from the auth dependency into the write's thread; a request that
    fails validation after its credentials were read still meets the claim first, as
    it did when the dependency made it: a key reused with another body is 422
    IDEMPOTENCY_KEY_REUSED, not the body's 400."""
    _, t = sqlite
    member = insert_member(t)
    key = {"Idempotency-Key": "pipeline-2"}
    ok = t.api.post(f"/members/{member}/points", json={"amount": 3}, headers=key)
    assert ok.status_code == 200, ok.text
    reused = t.api.post(f"/members/{member}/points", json={"amount": "x"}, headers=key)
    assert reused.status_code == 422, reused.text
    assert reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    # A fresh key with a bad body: the body's 400, and the key stays free.
    fresh = {"Idempotency-Key": "pipeline-3"}
    bad = t.api.post(f"/members/{member}/points", json={"amount": "x"}, headers=fresh)
    assert bad.status_code == 400, bad.text
    good = t.api.post(f"/members/{member}/points", json={"amount": 4}, headers=fresh)
    assert good.status_code == 200 and not good.headers.get("Idempotent-Replayed")
    assert t.api.get(f"/members/{member}/points").json()["balance"] == 7


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def test_every_dependency_of_every_route_is_async(app: FastAPI) -> None:
    """FastAPI runs a sync dependency in the thread pool: a hop for reading state."""
    sync: set[str] = set()
    for route in app.routes:
        mount = getattr(route, "routes", None)
        for r in mount if mount is not None else [route]:
            if not isinstance(r, APIRoute):
                continue
            for dep in _dependencies(r.dependant):
                call = dep.call
                if call is None:
                    continue
                target = call if inspect.isroutine(call) else type(call).__call__
                if not inspect.iscoroutinefunction(target):
                    sync.add(f"{r.path}: {getattr(call, '__qualname__', call)}")
    assert not sync, sorted(sync)
