"""The community in the core (``community.service``): rooms, posts, comments, likes,
who may act, the events each emits, and joining the community."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from punchcard.community import service
from punchcard.errors import Forbidden, NotFound, ValidationFailed
from punchcard.kit.paging import Page
from punchcard.models import CommentLike, OutboxEvent, Post, PostComment, PostLike
from tests.community.support import ban, comment, count, events, key, member, post, room
from tests.factories import Tenant


def test_a_room_is_created_read_and_listed_oldest_first(tenant: Tenant) -> None:
    first = room(tenant, " General ")
    tenant.db.clock.advance(seconds=1)
    second = room(tenant, "Launches")
    with tenant.db.transaction(write=False) as s:
        one = service.get_room(s, key(tenant), room_id=first)
        rows, total = service.list_rooms(s, key(tenant), page=Page(limit=10))
    assert one.name == "General"
    assert total == 2 and [r.id for r in rows] == [first, second]


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_blank_or_long_room_name_is_refused_naming_name(tenant: Tenant, name: str) -> None:
    with tenant.db.transaction() as s, pytest.raises(ValidationFailed) as e:
        service.create_room(s, key(tenant), name=name)
    assert e.value.field == "name"


def test_another_tenants_room_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = room(other_tenant)
    with tenant.db.transaction(write=False) as s, pytest.raises(NotFound):
        service.get_room(s, key(tenant), room_id=theirs)


def test_a_post_is_visible_with_no_likes_and_emits_post_created(tenant: Tenant) -> None:
    r, m = room(tenant), member(tenant)
    with tenant.db.transaction() as s:
        view = service.create_post(s, key(tenant), room_id=r, member_id=m, content=" Hi all ")
    assert (view.room_id, view.member_id, view.content, view.status) == (r, m, "Hi all", "visible")
    assert (view.like_count, view.comment_count, view.moderated_at) == (0, 0, None)
    [payload] = events(tenant, "post.created")
    assert payload["post"]["id"] == str(view.id)
    assert payload["post"]["room_id"] == str(r) and payload["post"]["content"] == "Hi all"
    assert "mem_" not in repr(payload) and "post_" not in repr(payload)


@pytest.mark.parametrize("content", ["", "  ", "x" * 10_001])
def test_empty_or_over_long_content_is_refused_naming_content(tenant: Tenant, content: str) -> None:
    r, m = room(tenant), member(tenant)
    with tenant.db.transaction() as s, pytest.raises(ValidationFailed) as e:
        service.create_post(s, key(tenant), room_id=r, member_id=m, content=content)
    assert e.value.field == "content"


def test_content_of_exactly_ten_thousand_characters_is_accepted(tenant: Tenant) -> None:
    r, m = room(tenant), member(tenant)
    with tenant.db.transaction() as s:
        view = service.create_post(s, key(tenant), room_id=r, member_id=m, content="x" * 10_000)
    assert len(view.content) == 10_000


def test_an_unknown_room_or_member_is_not_found_naming_it(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    r, m = room(tenant), member(tenant)
    for room_id, member_id, field in (
        (uuid.uuid4(), m, "roomId"),
        (room(other_tenant), m, "roomId"),
        (r, uuid.uuid4(), "memberId"),
        (r, member(other_tenant), "memberId"),
    ):
        with tenant.db.transaction() as s, pytest.raises(NotFound) as e:
            service.create_post(s, key(tenant), room_id=room_id, member_id=member_id, content="x")
        assert e.value.field == field
    assert count(tenant, Post) == 0


def _acts(t: Tenant) -> dict[str, Callable[[Any, uuid.UUID], Any]]:
    """Each thing a member does, on a post and a comment by someone else."""
    r, author = room(t), member(t)
    p = post(t, r, author)
    c = comment(t, p, author)
    return {
        "post": lambda s, m: service.create_post(s, key(t), room_id=r, member_id=m, content="x"),
        "comment": lambda s, m: service.comment(s, key(t), post_id=p, member_id=m, content="x"),
        "like a post": lambda s, m: service.like_post(s, key(t), post_id=p, member_id=m),
        "like a comment": lambda s, m: service.like_comment(s, key(t), comment_id=c, member_id=m),
    }


def test_a_banned_member_can_neither_post_comment_nor_like(tenant: Tenant) -> None:
    acts = _acts(tenant)
    banned = member(tenant)
    ban(tenant, banned)
    before = count(tenant, OutboxEvent)
    for name, act in acts.items():
        with tenant.db.transaction() as s, pytest.raises(Forbidden) as e:
            act(s, banned)
        assert (e.value.code, e.value.field) == ("MEMBER_BANNED", "memberId"), name
    assert count(tenant, OutboxEvent) == before
    assert count(tenant, Post, member_id=banned) == 0
    assert count(tenant, PostComment, member_id=banned) == 0
    assert count(tenant, PostLike, member_id=banned) == count(tenant, CommentLike) == 0


@pytest.mark.parametrize("first", ["post", "comment", "like a post", "like a comment"])
def test_a_members_first_step_joins_them_once(tenant: Tenant, first: str) -> None:
    acts = _acts(tenant)
    joined_before = len(events(tenant, "user.joined"))  # the author's
    m = member(tenant)
    with tenant.db.transaction() as s:
        acts[first](s, m)
    for act in acts.values():
        with tenant.db.transaction() as s:
            act(s, m)
    joined = events(tenant, "user.joined")[joined_before:]
    assert [j["member"]["id"] for j in joined] == [str(m)]
    assert joined[0]["member"]["joined_at"] is not None


def test_a_comment_counts_on_its_post_and_emits_with_the_post(tenant: Tenant) -> None:
    r, m = room(tenant), member(tenant)
    p = post(tenant, r, m)
    c = comment(tenant, p, m, " Great ")
    comment(tenant, p, member(tenant))
    with tenant.db.transaction(write=False) as s:
        view = service.get_post(s, key(tenant), post_id=p)
        rows, total = service.list_comments(s, key(tenant), post_id=p, page=Page(limit=10))
    assert view.comment_count == 2
    assert total == 2 and rows[0].id == c and rows[0].content == "Great"
    first, second = events(tenant, "post_comment.created")
    assert first["comment"]["id"] == str(c) and first["comment"]["post_id"] == str(p)
    assert first["post"]["room_id"] == str(r)
    assert (first["post"]["comment_count"], second["post"]["comment_count"]) == (1, 2)


def test_commenting_on_an_unknown_post_is_not_found(tenant: Tenant) -> None:
    m = member(tenant)
    with tenant.db.transaction() as s, pytest.raises(NotFound) as e:
        service.comment(s, key(tenant), post_id=uuid.uuid4(), member_id=m, content="x")
    assert e.value.field == "id"


def test_liking_a_post_twice_is_one_like_and_one_event(tenant: Tenant) -> None:
    r, author, fan = room(tenant), member(tenant), member(tenant)
    p = post(tenant, r, author)
    with tenant.db.transaction() as s:
        first = service.like_post(s, key(tenant), post_id=p, member_id=fan)
    with tenant.db.transaction() as s:
        again = service.like_post(s, key(tenant), post_id=p, member_id=fan)
    assert first.created and not again.created
    assert again.like.id == first.like.id and again.like.like_count == 1
    assert count(tenant, PostLike, post_id=p) == 1
    [liked] = events(tenant, "post.liked")
    assert liked["like"] == {
        "id": str(first.like.id),
        "post_id": str(p),
        "member_id": str(fan),
        "created_at": first.like.created_at.isoformat(),
    }
    assert liked["post"]["like_count"] == 1


def test_likes_by_different_members_all_count(tenant: Tenant) -> None:
    r, author = room(tenant), member(tenant)
    p = post(tenant, r, author)
    for n in range(1, 4):
        fan = member(tenant)
        with tenant.db.transaction() as s:
            made = service.like_post(s, key(tenant), post_id=p, member_id=fan)
        assert made.like.like_count == n
    with tenant.db.transaction(write=False) as s:
        assert service.get_post(s, key(tenant), post_id=p).like_count == 3
    assert [e["post"]["like_count"] for e in events(tenant, "post.liked")] == [1, 2, 3]


def test_liking_a_comment_twice_is_one_like_and_one_event(tenant: Tenant) -> None:
    r, author, fan = room(tenant), member(tenant), member(tenant)
    p = post(tenant, r, author)
    c = comment(tenant, p, author)
    with tenant.db.transaction() as s:
        first = service.like_comment(s, key(tenant), comment_id=c, member_id=fan)
    with tenant.db.transaction() as s:
        again = service.like_comment(s, key(tenant), comment_id=c, member_id=fan)
    assert first.created and not again.created and again.like.id == first.like.id
    assert (first.like.comment_id, first.like.post_id, again.like.like_count) == (c, p, 1)
    [liked] = events(tenant, "post_comment.liked")
    assert liked["like"]["comment_id"] == str(c)
    assert liked["comment"]["like_count"] == 1 and liked["post"]["id"] == str(p)
    with tenant.db.transaction(write=False) as s:
        assert service.get_comment(s, key(tenant), comment_id=c).like_count == 1
        assert service.get_post(s, key(tenant), post_id=p).like_count == 0


def test_posts_list_newest_first_filtered_by_room_and_member(tenant: Tenant) -> None:
    general, launches = room(tenant), room(tenant, "Launches")
    ada, bob = member(tenant), member(tenant)
    made = []
    for r, m in ((general, ada), (general, bob), (launches, ada)):
        made.append(post(tenant, r, m))
        tenant.db.clock.advance(seconds=1)
    with tenant.db.transaction(write=False) as s:
        every, total = service.list_posts(s, key(tenant), page=Page(limit=10))
        in_general, _ = service.list_posts(s, key(tenant), page=Page(limit=10), room_id=general)
        by_ada, _ = service.list_posts(s, key(tenant), page=Page(limit=10), member_id=ada)
        paged, paged_total = service.list_posts(s, key(tenant), page=Page(limit=1, offset=1))
    assert total == 3 and [p.id for p in every] == made[::-1]
    assert [p.id for p in in_general] == [made[1], made[0]]
    assert [p.id for p in by_ada] == [made[2], made[0]]
    assert paged_total == 3 and [p.id for p in paged] == [made[1]]
