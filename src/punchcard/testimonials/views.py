"""The testimonial read model: what every face renders, for one testimonial or a page.

A page is two statements whatever its size (the rows and the count), read as plain
rows (no ORM identity map), newest first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from punchcard.kit.paging import Page
from punchcard.models import Testimonial
from punchcard.testimonials.repository import TestimonialRepository

COLUMNS = (
    Testimonial.id,
    Testimonial.member_id,
    Testimonial.content,
    Testimonial.rating,
    Testimonial.status,
    Testimonial.moderated_by_key_id,
    Testimonial.moderated_by_user_id,
    Testimonial.moderated_at,
    Testimonial.created_at,
    Testimonial.updated_at,
)


@dataclass(frozen=True)
class TestimonialView:
    id: uuid.UUID
    member_id: uuid.UUID
    content: str
    rating: int
    status: str
    moderated_by_key_id: uuid.UUID | None
    moderated_by_user_id: uuid.UUID | None
    moderated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Testimonial) -> TestimonialView:
        """The view of a row (a written one, or one restored from an event's data)."""
        return cls(**{c.key: getattr(row, c.key) for c in COLUMNS})


def page(
    session: Session,
    tenant_id: uuid.UUID,
    page: Page,
    *,
    status: str | None = None,
    rating: int | None = None,
    member_id: uuid.UUID | None = None,
) -> tuple[list[TestimonialView], int]:
    repo = TestimonialRepository(session, tenant_id)

    def filtered(stmt: Select[Any]) -> Select[Any]:
        return repo.filtered(stmt, status=status, rating=rating, member_id=member_id)

    total = session.scalar(filtered(select(func.count(Testimonial.id))))
    stmt = (
        filtered(select(*COLUMNS))
        .order_by(Testimonial.created_at.desc(), Testimonial.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    rows = [TestimonialView(**row._mapping) for row in session.execute(stmt)]
    return rows, int(total or 0)
