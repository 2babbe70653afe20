"""The document's Testimonials group: ``GET /testimonials`` (``status``, ``rating``,
page/limit) → ``{testimonials: [], total}`` and ``PATCH /testimonials/:id {status}`` →
``{testimonial}``. A testimonial's ``advocateId`` is the member's ``mem_…`` id."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from punchcard.api.advocate.auth import CommunityRead, CommunityWrite
from punchcard.api.advocate.paging import PageParams
from punchcard.api.common import ids
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.common.wire import Wire, WireInput
from punchcard.api.native.schemas.advocacy import TESTIMONIAL, moderator
from punchcard.testimonials import service
from punchcard.testimonials.schemas import MAX_RATING, MIN_RATING, TestimonialStatus
from punchcard.testimonials.views import TestimonialView

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Testimonials"])


class Testimonial(Wire):
    id: str
    advocate_id: str
    content: str
    rating: int
    status: TestimonialStatus
    moderated_by: str | None
    moderated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, v: TestimonialView) -> Testimonial:
        return cls(
            id=ids.render(TESTIMONIAL, v.id),
            advocate_id=ids.render("mem", v.member_id),
            content=v.content,
            rating=v.rating,
            status=TestimonialStatus(v.status),
            moderated_by=moderator(v),
            moderated_at=v.moderated_at,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class TestimonialList(Wire):
    testimonials: list[Testimonial]
    total: int


class TestimonialOne(Wire):
    testimonial: Testimonial


class TestimonialPatch(WireInput):
    status: TestimonialStatus = Field(
        description="`approved` or `rejected`; a decided testimonial may be decided again, "
        "back to `pending` is refused (400)"
    )


@router.get("/testimonials", response_model=TestimonialList)
def list_testimonials(
    p: CommunityRead,
    session: DbSession,
    page: PageParams,
    status: Annotated[TestimonialStatus | None, Query()] = None,
    rating: Annotated[int | None, Query(ge=MIN_RATING, le=MAX_RATING)] = None,
) -> TestimonialList:
    """List all testimonials, newest first; `status` and exact `rating` filter."""
    rows, total = service.list_testimonials(session, p, page=page, status=status, rating=rating)
    return TestimonialList(testimonials=[Testimonial.of(r) for r in rows], total=total)


@router.patch("/testimonials/{id}", response_model=TestimonialOne)
def moderate_testimonial(
    p: CommunityWrite, session: DbSession, id: str, body: TestimonialPatch
) -> TestimonialOne:
    """Approve or reject a testimonial (404: not found). Records who decided and when."""
    view = service.moderate(
        session, p, testimonial_id=ids.parse(TESTIMONIAL, id), status=body.status
    )
    return TestimonialOne(testimonial=Testimonial.of(view))
