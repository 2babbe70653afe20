"""Group commit (``db/group.py``): a process's SQLite writes share one COMMIT.

Always on a SQLite file of its own (group commit is SQLite's; PostgreSQL groups its
own commits), driven through the real app with concurrent requests, so a batch
really forms. Each test checks the ledger itself, not only the status codes.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.group import WriteGate, batched_thread
from punchcard.db.migrate import upgrade
from punchcard.db.uow import Database
from tests.factories import Tenant, award, balance, insert_member, make_tenant, verify_tenant


class Stack:
    def __init__(self, db: Database, app: FastAPI, tenant: Tenant) -> None:
        self.db = db
        self.app = app
        self.tenant = tenant

    @property
    def group(self) -> Any:
        assert self.db.group is not None
        return self.db.group

    def burst(self, requests: list[tuple[str, str, dict[str, Any], dict[str, str]]]) -> list[Any]:
        """Send every request at once (one event loop, the app in-process)."""

        async def go() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://punchcard/api/v2", timeout=60
            ) as c:
                return await asyncio.gather(
                    *(
                        c.request(
                            method,
                            path,
                            json=body,
                            headers={"Authorization": f"Bearer {self.tenant.api.token}", **h},
                        )
                        for method, path, body, h in requests
                    )
                )

        return asyncio.run(go())


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    url = f"sqlite:///{tmp_path}/group.db"
    bootstrap = Database(url)
    upgrade(bootstrap.engine)
    bootstrap.dispose()
    settings = Settings(
        database_url=url,
        mail_dir=tmp_path / "mail",
        run_worker=False,
        sqlite_synchronous="NORMAL",
        # Wide enough that a burst forms batches of several requests.
        group_commit_max_wait_ms=1000,
    )
    db = Database(url, settings=settings)
    app = create_app(settings, db=db)
    with TestClient(app) as client:
        yield Stack(db, app, make_tenant(db, client))
    db.dispose()


def points(
    member: str, amount: int, **headers: str
) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    return ("POST", f"/members/{member}/points", {"amount": amount}, headers)


def test_concurrent_writes_share_commits(stack: Stack) -> None:
    member = insert_member(stack.tenant)
    batches, committed = stack.group.batches, stack.group.committed
    responses = stack.burst([points(member, 1) for _ in range(40)])
    assert [r.status_code for r in responses] == [200] * 40
    assert balance(stack.tenant, member) == 40
    assert stack.group.committed - committed >= 40
    # Forty acknowledged writes, made durable by fewer COMMITs than writes.
    assert stack.group.batches - batches < 40
    verify_tenant(stack.tenant)


def test_a_failing_request_rolls_back_alone(stack: Stack) -> None:
    member = insert_member(stack.tenant)
    award(stack.tenant, member, 100)
    batches = stack.group.batches
    requests = [points(member, -1) for _ in range(20)] + [points(member, -1000) for _ in range(5)]
    responses = stack.burst(requests)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 20, 422: 5}, statuses
    # The refusals ran inside the same batches as the successes, and took nothing
    # of theirs down with them.
    assert stack.group.batches - batches < 25
    assert balance(stack.tenant, member) == 80
    verify_tenant(stack.tenant)


def test_a_failed_commit_answers_every_request_of_its_batch_with_a_retryable_error(
    stack: Stack,
) -> None:
    member = insert_member(stack.tenant)
    award(stack.tenant, member, 7)
    failures = {"left": 1}

    # Fault injection at the real connection: the group's next COMMIT fails, as a full
    # disk or an I/O error would make it. Only the group's own thread: the audit
    # writer's thread commits on a write connection too, and under load its flush could
    # otherwise take the injected failure in place of the requests' batch.
    def refuse(conn: Any) -> None:
        if (
            failures["left"]
            and conn.get_execution_options().get("punchcard_write")
            and threading.current_thread().name.startswith("punchcard-group")
        ):
            failures["left"] -= 1
            raise OperationalError("COMMIT", {}, Exception("disk I/O error (injected)"))

    event.listen(stack.db.engine, "commit", refuse)
    try:
        responses = stack.burst([points(member, 1) for _ in range(10)])
    finally:
        event.remove(stack.db.engine, "commit", refuse)
    statuses = Counter(r.status_code for r in responses)
    # The first batch failed as a whole: none of its requests was acknowledged, and
    # none of them happened; requests of later batches may have committed.
    failed = statuses[503]
    assert failed >= 1 and failed + statuses[200] == 10, statuses
    assert all(r.headers.get("Retry-After") for r in responses if r.status_code == 503)
    assert balance(stack.tenant, member) == 7 + statuses[200]
    # The connection recovered: the next write commits.
    award(stack.tenant, member, 1)
    assert balance(stack.tenant, member) == 8 + statuses[200]
    verify_tenant(stack.tenant)


def test_one_idempotency_key_in_one_batch_has_one_effect(stack: Stack) -> None:
    member = insert_member(stack.tenant)
    responses = stack.burst([points(member, 5, **{"Idempotency-Key": "same"}) for _ in range(20)])
    assert [r.status_code for r in responses] == [200] * 20
    assert len({r.json()["transactionId"] for r in responses}) == 1
    assert sum(1 for r in responses if r.headers.get("Idempotent-Replayed")) == 19
    assert balance(stack.tenant, member) == 5
    verify_tenant(stack.tenant)


def test_reads_do_not_wait_for_a_batch(stack: Stack) -> None:
    member = insert_member(stack.tenant)
    requests = [points(member, 1) for _ in range(10)] + [
        ("GET", f"/members/{member}", {}, {}) for _ in range(10)
    ]
    responses = stack.burst(requests)
    assert [r.status_code for r in responses] == [200] * 20
    # A read sees only committed balances: never a batch's uncommitted middle.
    seen = [r.json()["pointsBalance"] for r in responses[10:]]
    assert all(0 <= b <= 10 for b in seen)
    assert balance(stack.tenant, member) == 10


def test_a_separate_write_inside_a_batched_request_fails_loudly_instead_of_deadlocking() -> None:
    gate = WriteGate()
    errors: list[BaseException] = []

    def inside() -> None:
        with batched_thread():
            try:
                with gate.held():
                    pass
            except RuntimeError as exc:
                errors.append(exc)

    t = threading.Thread(target=inside)
    t.start()
    t.join(5)
    assert not t.is_alive()
    assert len(errors) == 1
    # Outside a batch the gate is reentrant for its holder (nested transactions of one
    # background job) and exclusive between threads.
    with gate.held(), gate.held():
        other = threading.Thread(target=lambda: gate.acquire() or gate.release())
        other.start()
        other.join(0.2)
        assert other.is_alive()
    other.join(5)
    assert not other.is_alive()


def test_a_writer_that_waits_too_long_for_the_gate_gets_a_retryable_error() -> None:
    from punchcard.errors import ServiceUnavailable

    gate = WriteGate(timeout=0.2)
    gate.acquire()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with gate.held():
                pass
        except ServiceUnavailable as exc:
            errors.append(exc)

    t = threading.Thread(target=writer)
    t.start()
    t.join(5)
    gate.release()
    assert not t.is_alive() and len(errors) == 1


def test_requests_cancelled_anywhere_in_their_turn_leave_the_group_working(
    stack: Stack,
) -> None:
    """Clients that go away (their request task cancelled) while queued for a turn,
    inside the turn's thread, or waiting for the batch's COMMIT: nobody hangs, the
    ledger stays consistent, every acknowledged write is there, and the group goes on
    committing."""
    member = insert_member(stack.tenant)

    async def go() -> list[Any]:
        transport = httpx.ASGITransport(app=stack.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://punchcard/api/v2", timeout=60
        ) as c:
            headers = {"Authorization": f"Bearer {stack.tenant.api.token}"}
            tasks = [
                asyncio.create_task(
                    c.post(f"/members/{member}/points", json={"amount": 1}, headers=headers)
                )
                for _ in range(30)
            ]
            for i, task in enumerate(tasks):
                await asyncio.sleep(0.002)
                if i % 3 == 0:
                    task.cancel()
            return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 60)

    outcomes = asyncio.run(go())
    acknowledged = sum(
        1 for o in outcomes if isinstance(o, httpx.Response) and o.status_code == 200
    )
    cancelled = sum(1 for o in outcomes if isinstance(o, asyncio.CancelledError))
    assert acknowledged >= 1 and cancelled >= 1, outcomes
    assert all(isinstance(o, asyncio.CancelledError) or o.status_code == 200 for o in outcomes), (
        outcomes
    )
    # A cancelled request may have been written without an answer; an answered one
    # is always there.
    assert acknowledged <= balance(stack.tenant, member) <= 30
    verify_tenant(stack.tenant)
    before = balance(stack.tenant, member)
    award(stack.tenant, member, 1)
    assert balance(stack.tenant, member) == before + 1
