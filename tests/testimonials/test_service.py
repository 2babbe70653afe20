"""Testimonials in the core (``testimonials.service``): submission, the rating's
bounds, moderation (who and when), the event, listing filters."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from punchcard.errors import NotFound, Unprocessable, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.paging import Page
from punchcard.models import OutboxEvent
from punchcard.models import Testimonial as Row
from punchcard.testimonials import service
from punchcard.testimonials.schemas import TestimonialStatus as Status
from tests.factories import Tenant
from tests.tracking.factories import make_member, member_uuid

KEY_ID = uuid.UUID(int=7)
USER_ID = uuid.UUID(int=9)


def _key(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES), api_key_id=KEY_ID)


def _user(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES), user_id=USER_ID, role="owner")


def _submit(t: Tenant, member: uuid.UUID, rating: int = 5, content: str = "Great") -> uuid.UUID:
    with t.db.transaction() as s:
        return service.submit(s, _key(t), member_id=member, content=content, rating=rating).id


def test_a_testimonial_starts_pending_and_emits_testimonial_created(tenant: Tenant) -> None:
    member = member_uuid(make_member(tenant))
    tid = _submit(tenant, member, rating=4, content="  Lovely coffee  ")
    with tenant.db.transaction(write=False) as s:
        row = s.get(Row, (tenant.id, tid))
        assert row is not None
        assert (row.status, row.rating, row.content, row.member_id) == (
            "pending",
            4,
            "Lovely coffee",
            member,
        )
        assert row.moderated_at is None and row.moderated_by_key_id is None
        events = s.scalars(
            select(OutboxEvent).where(
                OutboxEvent.tenant_id == tenant.id, OutboxEvent.type == "testimonial.created"
            )
        ).all()
    assert len(events) == 1
    assert events[0].payload["testimonial"]["id"] == str(tid)
    assert events[0].payload["testimonial"]["rating"] == 4


@pytest.mark.parametrize("rating", [0, 6, -1, True])
def test_a_rating_outside_1_to_5_is_refused_naming_rating(tenant: Tenant, rating: int) -> None:
    member = member_uuid(make_member(tenant))
    with tenant.db.transaction() as s, pytest.raises(ValidationFailed) as e:
        service.submit(s, _key(tenant), member_id=member, content="x", rating=rating)
    assert e.value.field == "rating"


def test_blank_content_is_refused_naming_content(tenant: Tenant) -> None:
    member = member_uuid(make_member(tenant))
    with tenant.db.transaction() as s, pytest.raises(ValidationFailed) as e:
        service.submit(s, _key(tenant), member_id=member, content="   ", rating=3)
    assert e.value.field == "content"


def test_another_tenants_member_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    member = member_uuid(make_member(other_tenant))
    with tenant.db.transaction() as s, pytest.raises(NotFound) as e:
        service.submit(s, _key(tenant), member_id=member, content="x", rating=3)
    assert e.value.field == "memberId"


def test_moderation_records_who_and_when_and_may_be_decided_again(tenant: Tenant) -> None:
    member = member_uuid(make_member(tenant))
    tid = _submit(tenant, member)
    decided_at = tenant.db.clock.freeze()
    with tenant.db.transaction() as s:
        approved = service.moderate(s, _key(tenant), testimonial_id=tid, status=Status.approved)
    assert approved.status == "approved"
    assert approved.moderated_by_key_id == KEY_ID and approved.moderated_by_user_id is None
    assert approved.moderated_at == decided_at
    tenant.db.clock.advance(seconds=5)
    # The same status again changes nothing: the first decision's who and when stay.
    with tenant.db.transaction() as s:
        same = service.moderate(s, _user(tenant), testimonial_id=tid, status=Status.approved)
    assert same.moderated_by_key_id == KEY_ID and same.moderated_at == approved.moderated_at
    # Another decision re-records who made it.
    with tenant.db.transaction() as s:
        rejected = service.moderate(s, _user(tenant), testimonial_id=tid, status=Status.rejected)
    assert rejected.status == "rejected"
    assert rejected.moderated_by_user_id == USER_ID and rejected.moderated_by_key_id is None
    assert rejected.moderated_at == decided_at + timedelta(seconds=5)


def test_back_to_pending_is_refused_and_changes_nothing(tenant: Tenant) -> None:
    tid = _submit(tenant, member_uuid(make_member(tenant)))
    with tenant.db.transaction() as s:
        service.moderate(s, _key(tenant), testimonial_id=tid, status=Status.rejected)
    with tenant.db.transaction() as s, pytest.raises(Unprocessable) as e:
        service.moderate(s, _key(tenant), testimonial_id=tid, status=Status.pending)
    assert e.value.field == "status" and e.value.code == "INVALID_STATUS_TRANSITION"
    with tenant.db.transaction(write=False) as s:
        assert service.get(s, _key(tenant), testimonial_id=tid).status == "rejected"


def test_pending_on_a_pending_testimonial_is_a_no_op(tenant: Tenant) -> None:
    tid = _submit(tenant, member_uuid(make_member(tenant)))
    with tenant.db.transaction() as s:
        same = service.moderate(s, _key(tenant), testimonial_id=tid, status=Status.pending)
    assert same.status == "pending" and same.moderated_at is None


def test_another_tenants_testimonial_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    tid = _submit(other_tenant, member_uuid(make_member(other_tenant)))
    with tenant.db.transaction() as s, pytest.raises(NotFound):
        service.moderate(s, _key(tenant), testimonial_id=tid, status=Status.approved)
    with tenant.db.transaction(write=False) as s, pytest.raises(NotFound):
        service.get(s, _key(tenant), testimonial_id=tid)


def test_lists_filter_by_status_rating_and_member_newest_first(tenant: Tenant) -> None:
    a, b = member_uuid(make_member(tenant)), member_uuid(make_member(tenant))
    t1 = _submit(tenant, a, rating=5)
    tenant.db.clock.advance(seconds=1)
    t2 = _submit(tenant, b, rating=3)
    tenant.db.clock.advance(seconds=1)
    t3 = _submit(tenant, a, rating=5)
    with tenant.db.transaction() as s:
        service.moderate(s, _key(tenant), testimonial_id=t1, status=Status.approved)
    p, page = _key(tenant), Page(limit=10)
    with tenant.db.transaction(write=False) as s:
        rows, total = service.list_testimonials(s, p, page=page)
        assert [r.id for r in rows] == [t3, t2, t1] and total == 3
        rows, total = service.list_testimonials(s, p, page=page, rating=5)
        assert [r.id for r in rows] == [t3, t1] and total == 2
        rows, total = service.list_testimonials(s, p, page=page, status=Status.approved)
        assert [r.id for r in rows] == [t1] and total == 1
        rows, total = service.list_testimonials(s, p, page=page, member_id=b)
        assert [r.id for r in rows] == [t2] and total == 1
        rows, total = service.list_testimonials(s, p, page=Page(limit=1, offset=1))
        assert [r.id for r in rows] == [t2] and total == 3
