"""Reporting windows: ``from``/``to`` as inclusive UTC calendar dates.

Reports (tracking stats, ambassador candidates and metrics, referral stats) take
dates, not instants, so a day is a whole UTC day: ``[from 00:00Z, to + 1 day 00:00Z)``.
The default window ends today by the unit of work's clock, never the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import ValidationFailed

# A bound on report windows: byDay is zero-filled, so the range must stay small.
MAX_DAYS = 731


@dataclass(frozen=True)
class Window:
    first: date
    last: date

    @property
    def start(self) -> datetime:
        """Inclusive lower bound (the first day's midnight, UTC)."""
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive upper bound (the midnight after the last day, UTC)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def resolve(
    session: Session,
    first: date | None,
    last: date | None,
    *,
    default_days: int,
    max_days: int = MAX_DAYS,
) -> Window:
    """The window a report covers; absent ends default to the last ``default_days``
    days up to today (UTC, by the injected clock). 400 naming ``from`` or ``to``."""
    if last is None:
        last = now(session).astimezone(UTC).date()
    if first is None:
        first = last - timedelta(days=default_days - 1)
    if first > last:
        raise ValidationFailed("from must not be after to", field="from")
    if (last - first).days + 1 > max_days:
        raise ValidationFailed(f"The window may span at most {max_days} days", field="to")
    return Window(first, last)
