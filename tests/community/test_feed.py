"""The members' feed (``community.service.feed``, AddGlow's ``GET /posts``): visible
posts in creation order, keyset pages, ``created_after`` exclusive, a room filter."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from punchcard.community import service
from punchcard.errors import NotFound, ValidationFailed
from punchcard.kit.paging import Cursor
from tests.community.support import key, member, post, room
from tests.factories import Tenant


def _page(t: Tenant, **kw: object) -> tuple[list[uuid.UUID], bool]:
    with t.db.transaction(write=False) as s:
        rows, more = service.feed(s, key(t), **kw)  # type: ignore[arg-type]
    return [r.id for r in rows], more


def test_pages_follow_creation_order_and_say_whether_more_follow(tenant: Tenant) -> None:
    r, m = room(tenant), member(tenant)
    made = []
    for i in range(5):
        made.append(post(tenant, r, m, f"post {i}"))
        if i % 2:  # some share a creation time: the id breaks the tie
            tenant.db.clock.advance(seconds=1)
    first, more = _page(tenant, cursor=Cursor(limit=2))
    second, more2 = _page(tenant, cursor=Cursor(limit=2, after=first[-1]))
    last, more3 = _page(tenant, cursor=Cursor(limit=2, after=second[-1]))
    assert (more, more2, more3) == (True, True, False)
    assert first + second + last == made


def test_created_after_is_exclusive(tenant: Tenant) -> None:
    r, m = room(tenant), member(tenant)
    before = post(tenant, r, m)
    at = tenant.db.clock.freeze(tenant.db.clock.now() + timedelta(seconds=1))
    on_the_dot = post(tenant, r, m)
    tenant.db.clock.advance(seconds=1)
    after = post(tenant, r, m)
    assert before and on_the_dot
    assert _page(tenant, cursor=Cursor(), created_after=at) == ([after], False)
    everything, _ = _page(tenant, cursor=Cursor(), created_after=at - timedelta(seconds=1))
    assert everything == [on_the_dot, after]


def test_a_room_filter_keeps_its_rooms_posts_and_an_unknown_room_is_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    general, launches, m = room(tenant), room(tenant, "Launches"), member(tenant)
    mine = post(tenant, general, m)
    post(tenant, launches, m)
    assert _page(tenant, cursor=Cursor(), room_id=general) == ([mine], False)
    for unknown in (uuid.uuid4(), room(other_tenant)):
        with pytest.raises(NotFound) as e:
            _page(tenant, cursor=Cursor(), room_id=unknown)
        assert e.value.field == "roomId"


def test_an_after_that_names_no_post_is_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = post(other_tenant, room(other_tenant), member(other_tenant))
    for after in (uuid.uuid4(), theirs):
        with pytest.raises(ValidationFailed) as e:
            _page(tenant, cursor=Cursor(after=after))
        assert e.value.field == "after"
