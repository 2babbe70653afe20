"""Moderation (``community.moderation``): hide, restore, delete posts and comments with
who and when; what members, the feed and the brand see afterwards."""

from __future__ import annotations

import uuid

import pytest

from punchcard.community import moderation, service
from punchcard.community.schemas import Status
from punchcard.errors import NotFound, Unprocessable
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.paging import Cursor, Page
from tests.community.support import comment, key, member, post, room
from tests.factories import Tenant


def _member_principal(t: Tenant, m: uuid.UUID) -> Principal:
    return Principal.for_member(t.id, m)


def _user(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES), user_id=uuid.uuid4())


def _post_to(t: Tenant, by: Principal, p: uuid.UUID, to: Status) -> service.PostView:
    with t.db.transaction() as s:
        return moderation.moderate_post(s, by, post_id=p, to=to)


def _comment_to(t: Tenant, by: Principal, c: uuid.UUID, to: Status) -> service.CommentView:
    with t.db.transaction() as s:
        return moderation.moderate_comment(s, by, comment_id=c, to=to)


def test_hiding_a_post_records_who_and_when_and_again_changes_nothing(tenant: Tenant) -> None:
    p = post(tenant, room(tenant), member(tenant))
    first_key, second_key = key(tenant), key(tenant)
    tenant.db.clock.freeze()
    hidden = _post_to(tenant, first_key, p, Status.hidden)
    assert hidden.status == "hidden"
    assert (
        hidden.moderated_by_key_id == first_key.api_key_id and hidden.moderated_by_user_id is None
    )
    assert hidden.moderated_at == tenant.db.clock.now()
    tenant.db.clock.advance(minutes=5)
    again = _post_to(tenant, second_key, p, Status.hidden)
    assert (again.moderated_by_key_id, again.moderated_at) == (
        first_key.api_key_id,
        hidden.moderated_at,
    )


def test_a_dashboard_user_is_recorded_as_the_moderator(tenant: Tenant) -> None:
    p = post(tenant, room(tenant), member(tenant))
    by = _user(tenant)
    view = _post_to(tenant, by, p, Status.deleted)
    assert (view.status, view.moderated_by_user_id, view.moderated_by_key_id) == (
        "deleted",
        by.user_id,
        None,
    )


def test_a_hidden_post_can_be_restored_a_deleted_one_cannot(tenant: Tenant) -> None:
    p = post(tenant, room(tenant), member(tenant))
    _post_to(tenant, key(tenant), p, Status.hidden)
    assert _post_to(tenant, key(tenant), p, Status.visible).status == "visible"
    _post_to(tenant, key(tenant), p, Status.deleted)
    for to in (Status.visible, Status.hidden):
        with pytest.raises(Unprocessable) as e:
            _post_to(tenant, key(tenant), p, to)
        assert (e.value.code, e.value.field) == ("INVALID_STATUS_TRANSITION", "status")
    assert _post_to(tenant, key(tenant), p, Status.deleted).status == "deleted"


def test_hidden_and_deleted_posts_leave_members_and_the_feed_the_brand_keeps_them(
    tenant: Tenant,
) -> None:
    r, m = room(tenant), member(tenant)
    shown, hidden, deleted = (post(tenant, r, m, c) for c in ("a", "b", "c"))
    _post_to(tenant, key(tenant), hidden, Status.hidden)
    _post_to(tenant, key(tenant), deleted, Status.deleted)
    as_member = _member_principal(tenant, m)
    with tenant.db.transaction(write=False) as s:
        feed, _ = service.feed(s, key(tenant), cursor=Cursor(limit=10))
        members_list, members_total = service.list_posts(s, as_member, page=Page(limit=10))
        queue, _ = service.list_posts(s, key(tenant), page=Page(limit=10))
        gone, _ = service.list_posts(s, key(tenant), page=Page(limit=10), status=Status.deleted)
        assert service.get_post(s, key(tenant), post_id=deleted).status == "deleted"
        for p in (hidden, deleted):
            with pytest.raises(NotFound):
                service.get_post(s, as_member, post_id=p)
    assert [p.id for p in feed] == [shown]
    assert members_total == 1 and [p.id for p in members_list] == [shown]
    assert {p.id for p in queue} == {shown, hidden}
    assert [p.id for p in gone] == [deleted]


def test_a_hidden_post_takes_no_comments_or_likes(tenant: Tenant) -> None:
    author, fan = member(tenant), member(tenant)
    p = post(tenant, room(tenant), author)
    c = comment(tenant, p, author)
    _post_to(tenant, key(tenant), p, Status.hidden)
    with tenant.db.transaction() as s:
        for act in (
            lambda: service.comment(s, key(tenant), post_id=p, member_id=fan, content="x"),
            lambda: service.like_post(s, key(tenant), post_id=p, member_id=fan),
            lambda: service.like_comment(s, key(tenant), comment_id=c, member_id=fan),
        ):
            with pytest.raises(NotFound):
                act()


def test_hiding_a_comment_moves_its_posts_comment_count(tenant: Tenant) -> None:
    author = member(tenant)
    p = post(tenant, room(tenant), author)
    c = comment(tenant, p, author)
    comment(tenant, p, author)

    def comments() -> int:
        with tenant.db.transaction(write=False) as s:
            return service.get_post(s, key(tenant), post_id=p).comment_count

    assert comments() == 2
    hidden = _comment_to(tenant, key(tenant), c, Status.hidden)
    assert hidden.status == "hidden" and hidden.moderated_at is not None
    assert comments() == 1
    _comment_to(tenant, key(tenant), c, Status.hidden)
    assert comments() == 1
    _comment_to(tenant, key(tenant), c, Status.visible)
    assert comments() == 2
    _comment_to(tenant, key(tenant), c, Status.hidden)
    _comment_to(tenant, key(tenant), c, Status.deleted)
    assert comments() == 1
    with pytest.raises(Unprocessable):
        _comment_to(tenant, key(tenant), c, Status.visible)


def test_hidden_comments_leave_members_lists_and_take_no_likes(tenant: Tenant) -> None:
    author, fan = member(tenant), member(tenant)
    p = post(tenant, room(tenant), author)
    shown, hidden = comment(tenant, p, author), comment(tenant, p, author)
    _comment_to(tenant, key(tenant), hidden, Status.hidden)
    with tenant.db.transaction(write=False) as s:
        as_member, _ = service.list_comments(
            s, _member_principal(tenant, fan), post_id=p, page=Page(limit=10)
        )
        queue, _ = service.list_comments(s, key(tenant), post_id=p, page=Page(limit=10))
    assert [c.id for c in as_member] == [shown]
    assert [c.id for c in queue] == [shown, hidden]
    with tenant.db.transaction() as s, pytest.raises(NotFound):
        service.like_comment(s, key(tenant), comment_id=hidden, member_id=fan)


def test_moderating_another_tenants_post_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = post(other_tenant, room(other_tenant), member(other_tenant))
    with pytest.raises(NotFound):
        _post_to(tenant, key(tenant), theirs, Status.hidden)
