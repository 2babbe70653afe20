"""A committed event survives SIGKILL of the server that committed it, whether the
worker had not picked it up yet or was in the middle of sending it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from punchcard.db.uow import Database
from punchcard.identity import keys
from punchcard.tenants.service import create_tenant
from tests.e2e.conftest import Server, start_server
from tests.factories import unique
from tests.webhooks.receiver import Receiver, Reply
from tests.webhooks.support import isolated_database

pytestmark = pytest.mark.slow

ENV = {
    "PUNCHCARD_WEBHOOKS_ALLOW_PRIVATE": "1",
    "PUNCHCARD_WEBHOOK_TIMEOUT_SECONDS": "5",
    # A killed worker's claim runs out quickly, so the restarted one can take over.
    "PUNCHCARD_WEBHOOK_LEASE_SECONDS": "3",
    "PUNCHCARD_WORKER_POLL_SECONDS": "0.1",
    "PUNCHCARD_WEBHOOK_RETRY_SCHEDULE": "1,1,1,1,1",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """Its own database: a server's worker delivers for every tenant it finds."""
    with isolated_database(tmp_path) as url:
        yield url


def _api_key(url: str) -> str:
    db = Database(url)
    try:
        with db.transaction() as s:
            tenant = create_tenant(s, name="Kill Co")
            return keys.create_key(s, tenant.id, name="e2e", preset="write").plaintext
    finally:
        db.dispose()


def _client(server: Server, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url + "/api/v2", headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


def _eventually(check: Callable[[], Any], *, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def _commit_then_kill(
    tmp: Path, database: str, key: str, receiver: Receiver, *, wait_for_send: bool
) -> dict[str, Any]:
    server = start_server(tmp, env=ENV, worker=True, database=database, name="doomed")
    try:
        with _client(server, key) as api:
            hook = api.post("/webhooks", json={"url": receiver.url(), "events": ["points.awarded"]})
            assert hook.status_code == 201, hook.text
            member = api.post("/members", json={"email": f"{unique('k')}@example.com"})
            assert member.status_code == 201, member.text
            r = api.post(f"/members/{member.json()['id']}/points", json={"amount": 30})
            assert r.status_code == 200, r.text  # committed
        if wait_for_send:
            receiver.wait_for(1)  # the worker is inside the attempt (the receiver hangs)
        server.process.kill()  # SIGKILL: no shutdown, no cleanup
        server.process.wait()
    finally:
        server.stop()
    return dict(hook.json())


def _delivered_after_restart(
    tmp: Path, database: str, key: str, hook: dict[str, Any], receiver: Receiver
) -> list[dict[str, Any]]:
    server = start_server(tmp, env=ENV, worker=True, database=database, name="restarted")
    try:
        with _client(server, key) as api:

            def succeeded() -> list[dict[str, Any]]:
                log = api.get(f"/webhooks/{hook['id']}/deliveries").json()["deliveries"]
                return log if log and log[0]["status"] == "succeeded" else []

            log = _eventually(succeeded)
    finally:
        server.stop()
    assert log, "the delivery never succeeded after the restart"
    return log


def test_an_event_committed_right_before_sigkill_is_delivered_after_restart(
    tmp_path: Path, database: str, receiver: Receiver
) -> None:
    key = _api_key(database)
    hook = _commit_then_kill(tmp_path, database, key, receiver, wait_for_send=False)
    log = _delivered_after_restart(tmp_path, database, key, hook, receiver)
    got = receiver.received()
    assert got, "nothing was delivered"
    assert {r.webhook_id for r in got} == {log[0]["messageId"]}
    for request in got:
        assert request.verify(hook["secret"])["type"] == "points.awarded"


def test_a_worker_killed_mid_delivery_loses_nothing(
    tmp_path: Path, database: str, receiver: Receiver
) -> None:
    key = _api_key(database)
    receiver.reply(Reply(hang=60))  # the first attempt never gets an answer
    hook = _commit_then_kill(tmp_path, database, key, receiver, wait_for_send=True)
    log = _delivered_after_restart(tmp_path, database, key, hook, receiver)
    got = receiver.received()
    assert len(got) >= 2  # the killed attempt, then the one after the lease ran out
    assert {r.webhook_id for r in got} == {log[0]["messageId"]}  # same message, same id
    assert got[-1].verify(hook["secret"])["data"]["transaction"]["amount"] == 30
    assert log[0]["attempts"][-1]["statusCode"] == 200
