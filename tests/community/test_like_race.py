"""Concurrent likes with real threads on the suite's database (SQLite or PostgreSQL):
the second like runs while the first one's transaction is still open.

On PostgreSQL the second thread is let go only once the database shows it waiting for
the first one's lock (``pg_stat_activity``), so the two transactions truly overlap; on
SQLite it has its own ``Database`` (its own in-process gate), so it waits on SQLite's
own write lock. Either way: one like, one event, one join."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from punchcard.community import service
from punchcard.db.uow import Database
from punchcard.models import PostLike
from tests.community.support import count, events, key, member, post, room
from tests.factories import Tenant

WAIT = 60.0  # a bound on a broken test, never reached by a passing one


def _waiting_for_a_lock(db: Database, pid: int) -> bool:
    with db.engine.connect() as conn:
        kind = conn.scalar(
            text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )
    return bool(kind == "Lock")


def _race(t: Tenant, act: Callable[[Any], service.Like]) -> tuple[service.Like, service.Like]:
    """``act`` in two transactions, the second started while the first is open."""
    url = t.db.engine.url.render_as_string(hide_password=False)
    second_db = Database(url, clock=t.db.clock)
    results: dict[str, Any] = {}
    first_done, release_first, second_started = (threading.Event() for _ in range(3))
    pid: list[int] = []

    def first() -> None:
        with t.db.transaction() as s:
            results["first"] = act(s)
            first_done.set()
            release_first.wait(WAIT)

    def second() -> None:
        first_done.wait(WAIT)
        with second_db.transaction() as s:
            if not second_db.is_sqlite:
                pid.append(int(s.scalar(text("SELECT pg_backend_pid()"))))
            second_started.set()
            results["second"] = act(s)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for th in threads:
        th.start()
    try:
        assert second_started.wait(WAIT)
        if pid:
            deadline = time.monotonic() + WAIT
            while not _waiting_for_a_lock(t.db, pid[0]):
                assert time.monotonic() < deadline, "the second like never waited"
                time.sleep(0.01)
    finally:
        release_first.set()
        for th in threads:
            th.join(WAIT)
        second_db.dispose()
    return results["first"], results["second"]


def test_two_concurrent_likes_by_one_member_make_one_like_and_one_event(tenant: Tenant) -> None:
    p = post(tenant, room(tenant), member(tenant))
    fan = member(tenant)
    first, second = _race(
        tenant, lambda s: service.like_post(s, key(tenant), post_id=p, member_id=fan)
    )
    assert (first.created, second.created) == (True, False)
    assert second.like.id == first.like.id and second.like.like_count == 1
    assert count(tenant, PostLike, post_id=p) == 1
    assert len(events(tenant, "post.liked")) == 1
    assert [e["member"]["id"] for e in events(tenant, "user.joined")].count(str(fan)) == 1


def test_two_concurrent_comment_likes_by_one_member_make_one(tenant: Tenant) -> None:
    author, fan = member(tenant), member(tenant)
    p = post(tenant, room(tenant), author)
    with tenant.db.transaction() as s:
        c = service.comment(s, key(tenant), post_id=p, member_id=author, content="x").id
    first, second = _race(
        tenant, lambda s: service.like_comment(s, key(tenant), comment_id=c, member_id=fan)
    )
    assert (first.created, second.created) == (True, False)
    assert second.like.id == first.like.id and second.like.like_count == 1
    assert len(events(tenant, "post_comment.liked")) == 1


def test_two_concurrent_likes_by_different_members_both_count(tenant: Tenant) -> None:
    p = post(tenant, room(tenant), member(tenant))
    fans = [member(tenant), member(tenant)]
    order = iter(fans)
    first, second = _race(
        tenant, lambda s: service.like_post(s, key(tenant), post_id=p, member_id=next(order))
    )
    assert first.created and second.created
    assert (first.like.like_count, second.like.like_count) == (1, 2)
    assert {uuid.UUID(e["like"]["member_id"]) for e in events(tenant, "post.liked")} == set(fans)
