"""Testimonials (native extension): ``/testimonials``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from punchcard.api.common import ids
from punchcard.api.common.auth import CommunityRead, CommunityWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.advocacy import (
    TESTIMONIAL,
    TestimonialCreate,
    TestimonialList,
    TestimonialModerate,
    TestimonialRead,
)
from punchcard.testimonials import service
from punchcard.testimonials.schemas import MAX_RATING, MIN_RATING, TestimonialStatus

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Testimonials"])


@router.post("/testimonials", response_model=TestimonialRead, status_code=201)
def create_testimonial(
    p: CommunityWrite, session: DbSession, body: TestimonialCreate
) -> TestimonialRead:
    """Record a member's testimonial, `pending` moderation (unknown `memberId` → 404).
    Emits `testimonial.created`."""
    view = service.submit(
        session,
        p,
        member_id=ids.parse("mem", body.member_id),
        content=body.content,
        rating=body.rating,
    )
    return TestimonialRead.of(view)


@router.get("/testimonials", response_model=TestimonialList)
def list_testimonials(
    p: CommunityRead,
    session: DbSession,
    page: PageParams,
    status: Annotated[TestimonialStatus | None, Query()] = None,
    rating: Annotated[int | None, Query(ge=MIN_RATING, le=MAX_RATING)] = None,
    member_id: Annotated[str | None, Query(alias="memberId")] = None,
) -> TestimonialList:
    """Testimonials, newest first, filtered by `status`, exact `rating`, `memberId`."""
    rows, total = service.list_testimonials(
        session,
        p,
        page=page,
        status=status,
        rating=rating,
        member_id=ids.parse_filter(
            "mem", member_id, field="memberId", message="memberId is not a member id"
        ),
    )
    return TestimonialList(
        testimonials=[TestimonialRead.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/testimonials/{id}", response_model=TestimonialRead)
def get_testimonial(p: CommunityRead, session: DbSession, id: str) -> TestimonialRead:
    """One testimonial (404: not found)."""
    return TestimonialRead.of(service.get(session, p, testimonial_id=ids.parse(TESTIMONIAL, id)))


@router.patch("/testimonials/{id}", response_model=TestimonialRead)
def moderate_testimonial(
    p: CommunityWrite, session: DbSession, id: str, body: TestimonialModerate
) -> TestimonialRead:
    """Approve or reject. Each change of decision records who (`moderatedBy`) and when;
    the status it already has changes nothing; back to `pending` → 422
    `INVALID_STATUS_TRANSITION`."""
    view = service.moderate(
        session, p, testimonial_id=ids.parse(TESTIMONIAL, id), status=body.status
    )
    return TestimonialRead.of(view)
