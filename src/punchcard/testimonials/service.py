"""Testimonial use cases: submit, list, read, moderate.

Moderation: ``pending → approved | rejected``. A moderated testimonial may be decided
again (approved ↔ rejected); each decision that changes the status records who made it
(the API key or the dashboard user) and when. Setting the status it already has changes
nothing (the first decision's who and when stay). Back to ``pending`` is refused:
moderation is a decision, not an undo.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import NotFound, Unprocessable, ValidationFailed
from punchcard.events import data
from punchcard.events import service as events
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.members import service as members
from punchcard.members.visibility import member_filter
from punchcard.models import Testimonial
from punchcard.testimonials import views
from punchcard.testimonials.repository import TestimonialRepository
from punchcard.testimonials.schemas import (
    MAX_CONTENT,
    MAX_RATING,
    MIN_RATING,
    TestimonialStatus,
)
from punchcard.testimonials.views import TestimonialView

# What a ``testimonial.created`` event keeps of the testimonial (``event_data``).
TESTIMONIAL = tuple(c.key for c in views.COLUMNS)


def check_rating(rating: int, *, field: str = "rating") -> int:
    if isinstance(rating, bool) or not MIN_RATING <= rating <= MAX_RATING:
        raise ValidationFailed(f"rating must be {MIN_RATING}..{MAX_RATING}", field=field)
    return rating


def submit(
    session: Session, principal: Principal, *, member_id: uuid.UUID, content: str, rating: int
) -> TestimonialView:
    """A new testimonial, ``pending``. Emits ``testimonial.created``."""
    member = members.get(session, principal, member_id=member_id, field="memberId")
    content = content.strip()
    if not content:
        raise ValidationFailed("content must not be empty", field="content")
    if len(content) > MAX_CONTENT:
        raise ValidationFailed(f"content is at most {MAX_CONTENT} characters", field="content")
    at = now(session)
    row = TestimonialRepository(session, principal.tenant_id).add(
        Testimonial(
            id=new_id(),
            member_id=member.id,
            content=content,
            rating=check_rating(rating),
            status=TestimonialStatus.pending.value,
            created_at=at,
            updated_at=at,
        )
    )
    events.emit(
        session,
        principal.tenant_id,
        "testimonial.created",
        event_data(row),
        resource_id=events.lane("tst", row.id),
    )
    return TestimonialView.of(row)


def event_data(row: Testimonial) -> dict[str, Any]:
    """``testimonial.created``'s neutral data: the testimonial as written."""
    return {"testimonial": data.snapshot(row, TESTIMONIAL)}


def get(session: Session, principal: Principal, *, testimonial_id: uuid.UUID) -> TestimonialView:
    return TestimonialView.of(_find(session, principal, testimonial_id))


def _find(
    session: Session, principal: Principal, testimonial_id: uuid.UUID, *, lock: bool = False
) -> Testimonial:
    row = TestimonialRepository(session, principal.tenant_id).get(testimonial_id, lock=lock)
    if row is None:
        raise NotFound("Testimonial not found", field="id")
    return row


def list_testimonials(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    status: TestimonialStatus | None = None,
    rating: int | None = None,
    member_id: uuid.UUID | None = None,
) -> tuple[list[TestimonialView], int]:
    """A page of testimonials, newest first, with the total matching the filters."""
    if rating is not None:
        check_rating(rating)
    return views.page(
        session,
        principal.tenant_id,
        page,
        status=status.value if status is not None else None,
        rating=rating,
        member_id=member_filter(principal, member_id),
    )


def moderate(
    session: Session,
    principal: Principal,
    *,
    testimonial_id: uuid.UUID,
    status: TestimonialStatus,
) -> TestimonialView:
    """Approve or reject (see the module's rules). The row is locked first, so two
    concurrent decisions apply one after the other and the last one is recorded."""
    row = _find(session, principal, testimonial_id, lock=True)
    if status.value == row.status:
        return TestimonialView.of(row)
    if status is TestimonialStatus.pending:
        raise Unprocessable(
            "A moderated testimonial cannot go back to pending",
            field="status",
            code="INVALID_STATUS_TRANSITION",
        )
    at = now(session)
    row.status = status.value
    row.moderated_by_key_id = principal.api_key_id
    row.moderated_by_user_id = principal.user_id
    row.moderated_at = at
    row.updated_at = at
    session.flush()
    return TestimonialView.of(row)
