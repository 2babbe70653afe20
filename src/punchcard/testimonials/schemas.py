"""Testimonial vocabulary the core uses: statuses and the bounds of a testimonial."""

from __future__ import annotations

from enum import StrEnum

MIN_RATING = 1
MAX_RATING = 5
MAX_CONTENT = 5000


class TestimonialStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
