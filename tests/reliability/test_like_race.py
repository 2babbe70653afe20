"""Concurrent likes against real server processes (the stage of ``test_races``): N likes
by one member on one post, released together by a barrier, make one like, one
``post.liked`` event and one ``user.joined``; N members' likes all count."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from punchcard.db.uow import Database
from punchcard.models import OutboxEvent
from tests.reliability.test_races import (  # noqa: F401 - fixtures used by name
    TIMEOUT,
    Racer,
    racer,
    stage,
    stampede,
)

pytestmark = pytest.mark.slow

N = 30


def _post(r: Racer, author: str) -> str:
    base = r.urls[0]
    room = httpx.post(f"{base}/rooms", json={"name": "Race"}, headers=r.h(), timeout=TIMEOUT)
    assert room.status_code == 201, room.text
    post = httpx.post(
        f"{base}/posts",
        json={"roomId": room.json()["id"], "memberId": author, "content": "Fast"},
        headers=r.h(),
        timeout=TIMEOUT,
    )
    assert post.status_code == 201, post.text
    return str(post.json()["id"])


def _likes(r: Racer, post: str) -> int:
    got = httpx.get(f"{r.urls[0]}/posts/{post}", headers=r.h(), timeout=TIMEOUT)
    assert got.status_code == 200, got.text
    return int(got.json()["likeCount"])


def _events(r: Racer, type_: str) -> int:
    db = Database(r.db_url)
    try:
        with db.transaction(write=False) as s:
            stmt = select(func.count()).where(
                OutboxEvent.tenant_id == r.tenant_id, OutboxEvent.type == type_
            )
            return int(s.scalar(stmt) or 0)
    finally:
        db.dispose()


def test_n_parallel_likes_by_one_member_make_one_like_and_one_event(racer: Racer) -> None:  # noqa: F811
    post = _post(racer, racer.member())
    fan = racer.member()
    answers = stampede(
        N,
        racer.urls,
        lambda c, url: c.post(
            f"{url}/posts/{post}/likes", json={"memberId": fan}, headers=racer.h()
        ),
    )
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 1, 200: N - 1}, statuses
    assert len({a.json()["id"] for a in answers}) == 1
    assert {a.json()["likeCount"] for a in answers} == {1}
    assert _likes(racer, post) == 1
    assert _events(racer, "post.liked") == 1
    assert _events(racer, "user.joined") == 2  # the author's first post, the fan's like


def test_parallel_likes_by_different_members_all_count(racer: Racer) -> None:  # noqa: F811
    members = [racer.member() for _ in range(10)]
    post = _post(racer, members[0])
    left = list(members)  # each request takes one (list.pop is atomic)
    answers = stampede(
        len(members),
        racer.urls,
        lambda c, url: c.post(
            f"{url}/posts/{post}/likes", json={"memberId": left.pop()}, headers=racer.h()
        ),
    )
    assert Counter(a.status_code for a in answers) == {201: 10}
    assert _likes(racer, post) == 10
    assert _events(racer, "post.liked") == 10
