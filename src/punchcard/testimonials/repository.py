"""Testimonial SQL."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select

from punchcard.db.repository import TenantRepository
from punchcard.models import Testimonial


class TestimonialRepository(TenantRepository[Testimonial]):
    model = Testimonial

    def filtered(
        self,
        stmt: Select[Any],
        *,
        status: str | None = None,
        rating: int | None = None,
        member_id: uuid.UUID | None = None,
    ) -> Select[Any]:
        """``stmt`` (a select over testimonials) in this tenant, with the list filters."""
        stmt = self.scoped(stmt)
        if status is not None:
            stmt = stmt.where(Testimonial.status == status)
        if rating is not None:
            stmt = stmt.where(Testimonial.rating == rating)
        if member_id is not None:
            stmt = stmt.where(Testimonial.member_id == member_id)
        return stmt
