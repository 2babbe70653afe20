"""The range of dates and numbers every face reads, in one place.

Dates: windows are computed around a day the caller sends (a 30-day window before
``to``, the day after "valid through", a tenant's UTC offset), so near year 1 or 9999
Python's date arithmetic overflows. ERPs write "no end date" as 12/31/9999: outside the
range a day is refused naming the field, never an ``OverflowError`` — except where a face
knows what the caller means (ShopSocially reads a window's open edge past the range as
that edge, and an expiry past it as none). Every face reads
its dates through :func:`check_day` (or the Pydantic types built on it) so all four
agree on one range.

Numbers: points and money are bounded by the core (``kit.money.MAX_AMOUNT``,
:data:`MAX_POINTS`); :data:`MAX_INT` bounds any other integer a face reads to what a
64-bit column and a JSON double both hold exactly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field

from punchcard.kit.money import MAX_AMOUNT

EARLIEST = date(1900, 1, 1)
LATEST = date(9000, 12, 31)

# The largest number of points one award, deduction or base value may carry.
MAX_POINTS = 10**12
# The largest integer a face reads where no tighter bound applies (2^53 - 1: exact in
# a JSON double, and well inside a 64-bit column).
MAX_INT = 2**53 - 1

D = TypeVar("D", date, datetime)

OUT_OF_RANGE = f"must be between {EARLIEST} and {LATEST}"


def in_range(day: date | datetime) -> bool:
    value = day.date() if isinstance(day, datetime) else day
    return EARLIEST <= value <= LATEST


def check_day(value: D) -> D:
    """``value`` itself when its day is within the range; ``ValueError`` otherwise (a
    Pydantic validator's way to refuse: the face names the field)."""
    if not in_range(value):
        raise ValueError(OUT_OF_RANGE)
    return value


# A date or date-time within the range (Pydantic: a 400 naming the field).
BoundedDate = Annotated[date, AfterValidator(check_day)]
BoundedDateTime = Annotated[datetime, AfterValidator(check_day)]
# A base value of points (ShopSocially's points_passed, the native pointsPassed).
PointsAmount = Annotated[Decimal, Field(ge=0, le=Decimal(MAX_POINTS))]
# An amount of money (an order's returned amount).
MoneyAmount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT)]


def check_dates(value: Any) -> Any:
    """:func:`check_day` on a value that is a date or a date-time (or a list of them),
    for the bases of every face's bodies to apply to every field: ``value`` itself when
    it holds no date out of range."""
    if isinstance(value, date):
        return check_day(value)
    if isinstance(value, list | tuple):
        for item in value:
            check_dates(item)
    return value
