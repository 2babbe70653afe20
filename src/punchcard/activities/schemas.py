"""Activity vocabulary the core uses: kinds, frequency periods, approval modes.

The native face's activity wire models live in ``punchcard.api.native.schemas.activities``.
"""

from __future__ import annotations

from enum import StrEnum


class ActivityKind(StrEnum):
    fixed = "fixed"
    bonus_multiplier = "bonus_multiplier"


class Frequency(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"
    lifetime = "lifetime"


class Approval(StrEnum):
    immediate = "immediate"
    manual = "manual"
    monthly = "monthly"
