"""Feedback boards in the core (``feedback.service``): boards and their idea counts,
ideas, status moves, one vote per member per idea, withdrawing a vote, the list orders."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from punchcard.errors import NotFound, ValidationFailed
from punchcard.feedback import service
from punchcard.feedback.schemas import IdeaSort, IdeaStatus
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.paging import Page
from punchcard.models import Idea, IdeaVote
from tests.factories import Tenant
from tests.tracking.factories import make_member, member_uuid


def _p(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES))


def _board(t: Tenant, name: str = "Roadmap", description: str | None = None) -> uuid.UUID:
    with t.db.transaction() as s:
        return service.create_board(s, _p(t), name=name, description=description).id


def _idea(t: Tenant, board: uuid.UUID, member: uuid.UUID, title: str = "Oat milk") -> uuid.UUID:
    with t.db.transaction() as s:
        return service.post_idea(s, _p(t), board_id=board, member_id=member, title=title).id


def _vote(t: Tenant, idea: uuid.UUID, member: uuid.UUID) -> service.Vote:
    with t.db.transaction() as s:
        return service.vote(s, _p(t), idea_id=idea, member_id=member)


def _votes_stored(t: Tenant, idea: uuid.UUID) -> tuple[int, int]:
    """(vote rows, the idea's cached vote_count)."""
    with t.db.transaction(write=False) as s:
        rows = s.scalar(
            select(func.count()).where(IdeaVote.tenant_id == t.id, IdeaVote.idea_id == idea)
        )
        row = s.get(Idea, (t.id, idea))
        assert row is not None
        return int(rows or 0), row.vote_count


def test_a_board_lists_with_its_idea_count(tenant: Tenant) -> None:
    empty = _board(tenant, "Empty", "nothing yet")
    tenant.db.clock.advance(seconds=1)
    busy = _board(tenant, "Busy")
    member = member_uuid(make_member(tenant))
    _idea(tenant, busy, member)
    _idea(tenant, busy, member)
    with tenant.db.transaction(write=False) as s:
        rows, total = service.list_boards(s, _p(tenant), page=Page(limit=10))
    assert total == 2
    assert [(r.id, r.name, r.description, r.idea_count) for r in rows] == [
        (empty, "Empty", "nothing yet", 0),
        (busy, "Busy", None, 2),
    ]


def test_a_blank_board_name_is_refused_naming_name(tenant: Tenant) -> None:
    with tenant.db.transaction() as s, pytest.raises(ValidationFailed) as e:
        service.create_board(s, _p(tenant), name="  ")
    assert e.value.field == "name"


def test_an_idea_starts_open_with_no_votes(tenant: Tenant) -> None:
    board, member = _board(tenant), member_uuid(make_member(tenant))
    with tenant.db.transaction() as s:
        idea = service.post_idea(
            s, _p(tenant), board_id=board, member_id=member, title=" Oat milk ", body=" please "
        )
    assert (idea.status, idea.vote_count, idea.title, idea.body) == (
        "open",
        0,
        "Oat milk",
        "please",
    )
    assert idea.board_id == board and idea.member_id == member


def test_an_idea_on_an_unknown_board_or_by_an_unknown_member_is_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    member = member_uuid(make_member(tenant))
    foreign_board = _board(other_tenant)
    with tenant.db.transaction() as s, pytest.raises(NotFound) as e:
        service.post_idea(s, _p(tenant), board_id=foreign_board, member_id=member, title="x")
    assert e.value.field == "id"
    board = _board(tenant)
    foreign_member = member_uuid(make_member(other_tenant))
    with tenant.db.transaction() as s, pytest.raises(NotFound) as e:
        service.post_idea(s, _p(tenant), board_id=board, member_id=foreign_member, title="x")
    assert e.value.field == "memberId"


def test_one_vote_per_member_per_idea(tenant: Tenant) -> None:
    board = _board(tenant)
    author, fan = member_uuid(make_member(tenant)), member_uuid(make_member(tenant))
    idea = _idea(tenant, board, author)
    first = _vote(tenant, idea, fan)
    assert first.created and first.vote.vote_count == 1
    again = _vote(tenant, idea, fan)
    assert not again.created
    assert again.vote.id == first.vote.id and again.vote.vote_count == 1
    assert _votes_stored(tenant, idea) == (1, 1)
    second = _vote(tenant, idea, author)
    assert second.created and second.vote.vote_count == 2
    assert _votes_stored(tenant, idea) == (2, 2)


def test_withdrawing_a_vote_counts_it_out_once(tenant: Tenant) -> None:
    board, fan = _board(tenant), member_uuid(make_member(tenant))
    idea = _idea(tenant, board, fan)
    _vote(tenant, idea, fan)
    for _ in range(2):  # the second withdrawal has nothing to withdraw
        with tenant.db.transaction() as s:
            after = service.unvote(s, _p(tenant), idea_id=idea, member_id=fan)
        assert after.vote_count == 0
    assert _votes_stored(tenant, idea) == (0, 0)
    assert _vote(tenant, idea, fan).created  # and may vote again


def test_a_status_moves_between_any_two(tenant: Tenant) -> None:
    board, member = _board(tenant), member_uuid(make_member(tenant))
    idea = _idea(tenant, board, member)
    for status in (IdeaStatus.planned, IdeaStatus.done, IdeaStatus.open, IdeaStatus.declined):
        with tenant.db.transaction() as s:
            assert service.set_status(s, _p(tenant), idea_id=idea, status=status).status == status


def test_another_tenants_idea_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    board, member = _board(other_tenant), member_uuid(make_member(other_tenant))
    idea = _idea(other_tenant, board, member)
    mine = member_uuid(make_member(tenant))
    with tenant.db.transaction() as s, pytest.raises(NotFound):
        service.set_status(s, _p(tenant), idea_id=idea, status=IdeaStatus.done)
    with tenant.db.transaction() as s, pytest.raises(NotFound):
        service.vote(s, _p(tenant), idea_id=idea, member_id=mine)
    with tenant.db.transaction(write=False) as s, pytest.raises(NotFound):
        service.list_ideas(s, _p(tenant), board_id=board, page=Page())


def test_ideas_sort_by_votes_or_newest_and_filter_by_status(tenant: Tenant) -> None:
    board = _board(tenant)
    members = [member_uuid(make_member(tenant)) for _ in range(3)]
    old = _idea(tenant, board, members[0], "old")
    tenant.db.clock.advance(seconds=1)
    mid = _idea(tenant, board, members[0], "mid")
    tenant.db.clock.advance(seconds=1)
    new = _idea(tenant, board, members[0], "new")
    for m in members:
        _vote(tenant, old, m)
    _vote(tenant, mid, members[0])
    with tenant.db.transaction() as s:
        service.set_status(s, _p(tenant), idea_id=mid, status=IdeaStatus.planned)
    p = _p(tenant)
    with tenant.db.transaction(write=False) as s:
        rows, total = service.list_ideas(s, p, board_id=board, page=Page())
        assert [r.id for r in rows] == [old, mid, new] and total == 3
        assert [r.vote_count for r in rows] == [3, 1, 0]
        rows, _ = service.list_ideas(s, p, board_id=board, page=Page(), sort=IdeaSort.newest)
        assert [r.id for r in rows] == [new, mid, old]
        rows, total = service.list_ideas(
            s, p, board_id=board, page=Page(), status=IdeaStatus.planned
        )
        assert [r.id for r in rows] == [mid] and total == 1
        rows, total = service.list_ideas(s, p, board_id=board, page=Page(limit=1, offset=2))
        assert [r.id for r in rows] == [new] and total == 3
