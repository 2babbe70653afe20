"""Concurrent votes against real server processes (the stage of ``test_races``): N
votes by one member on one idea, released together by a barrier, count once; N votes
by N members count N times."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.reliability.test_races import (  # noqa: F401 - fixtures used by name
    TIMEOUT,
    Racer,
    racer,
    stage,
    stampede,
)

pytestmark = pytest.mark.slow

N = 30


def _idea(r: Racer, author: str) -> str:
    base = r.urls[0]
    board = httpx.post(
        f"{base}/feedback/boards", json={"name": "Race"}, headers=r.h(), timeout=TIMEOUT
    )
    assert board.status_code == 201, board.text
    idea = httpx.post(
        f"{base}/feedback/boards/{board.json()['id']}/ideas",
        json={"title": "Faster", "memberId": author},
        headers=r.h(),
        timeout=TIMEOUT,
    )
    assert idea.status_code == 201, idea.text
    return str(idea.json()["id"])


def _votes(r: Racer, idea: str) -> int:
    got = httpx.get(f"{r.urls[0]}/feedback/ideas/{idea}", headers=r.h(), timeout=TIMEOUT)
    assert got.status_code == 200, got.text
    return int(got.json()["voteCount"])


def test_n_parallel_votes_by_one_member_count_once(racer: Racer) -> None:  # noqa: F811
    member = racer.member()
    idea = _idea(racer, member)
    answers = stampede(
        N,
        racer.urls,
        lambda c, url: c.post(
            f"{url}/feedback/ideas/{idea}/votes", json={"memberId": member}, headers=racer.h()
        ),
    )
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 1, 200: N - 1}, statuses
    assert len({a.json()["id"] for a in answers}) == 1
    assert {a.json()["voteCount"] for a in answers} == {1}
    assert _votes(racer, idea) == 1


def test_parallel_votes_by_different_members_all_count(racer: Racer) -> None:  # noqa: F811
    members = [racer.member() for _ in range(10)]
    idea = _idea(racer, members[0])
    left = list(members)  # each request takes one (list.pop is atomic)
    answers = stampede(
        len(members),
        racer.urls,
        lambda c, url: c.post(
            f"{url}/feedback/ideas/{idea}/votes", json={"memberId": left.pop()}, headers=racer.h()
        ),
    )
    assert Counter(a.status_code for a in answers) == {201: 10}
    assert _votes(racer, idea) == 10
