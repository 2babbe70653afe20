"""Calendar windows in a tenant's timezone, returned as aware UTC instants.

Boundaries are computed on the local wall clock and then converted, so a day that is
23 or 25 hours long across a DST change is still exactly one day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

# Timestamps are stored to the microsecond on both databases (SQLite text, PostgreSQL
# timestamptz), so the last instant before a half-open end is exactly 1 µs earlier.
RESOLUTION = timedelta(microseconds=1)


def _local_midnight(local: datetime) -> datetime:
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _to_utc(local_naive: datetime, tz: ZoneInfo) -> datetime:
    # fold=0: an ambiguous wall time (DST fall-back) resolves to its first occurrence;
    # midnight is never ambiguous in practice, but this keeps the rule explicit.
    return local_naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def period_start(period: str, at: datetime, tz_name: str) -> datetime | None:
    """Start of the day/week (ISO, Monday)/month/quarter/year containing ``at``;
    None for ``lifetime``."""
    tz = ZoneInfo(tz_name or "UTC")
    local = at.astimezone(tz).replace(tzinfo=None)
    day = _local_midnight(local)
    if period == "day":
        start = day
    elif period == "week":
        start = day - timedelta(days=day.weekday())
    elif period == "month":
        start = day.replace(day=1)
    elif period == "quarter":
        start = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    elif period == "year":
        start = day.replace(month=1, day=1)
    elif period == "lifetime":
        return None
    else:
        raise ValueError(f"unknown period {period!r}")
    return _to_utc(start, tz)


def period_end(period: str, at: datetime, tz_name: str) -> datetime | None:
    """Start of the next period (exclusive end of the one containing ``at``)."""
    tz = ZoneInfo(tz_name or "UTC")
    start = period_start(period, at, tz_name)
    if start is None:
        return None
    local = start.astimezone(tz).replace(tzinfo=None)
    if period == "day":
        nxt = local + timedelta(days=1)
    elif period == "week":
        nxt = local + timedelta(days=7)
    elif period in ("month", "quarter"):
        months = 1 if period == "month" else 3
        y, m = divmod(local.month - 1 + months, 12)
        nxt = local.replace(year=local.year + y, month=m + 1)
    else:
        nxt = local.replace(year=local.year + 1)
    return _to_utc(nxt, tz)


# Local days -------------------------------------------------------------------------


class Window(NamedTuple):
    """A half-open UTC window ``[start, end)`` (a pair: ``since, until = window``)."""

    start: datetime
    end: datetime

    @property
    def last_instant(self) -> datetime:
        """The window's last instant, for a query whose upper bound is inclusive."""
        return self.end - RESOLUTION


def day_start(day: date, tz_name: str) -> datetime:
    """The first instant of the local day ``day`` in ``tz_name``, as UTC."""
    return _to_utc(datetime.combine(day, time(0)), ZoneInfo(tz_name or "UTC"))


def valid_through(day: date, tz_name: str) -> datetime:
    """The exclusive end of "valid through local day D": the next local midnight (so the
    whole of D is included, whatever its length across a DST change)."""
    return day_start(day + timedelta(days=1), tz_name)


def last_valid_day(end: datetime, tz_name: str) -> date:
    """The local day an exclusive end closes: the inverse of :func:`valid_through`."""
    return (end - RESOLUTION).astimezone(ZoneInfo(tz_name or "UTC")).date()


def local_days(first: date, last: date, tz_name: str) -> Window:
    """The local days ``first`` through ``last``, both included, as a half-open UTC
    window. Raises ``ValueError`` when ``last`` is before ``first``."""
    if last < first:
        raise ValueError("the range ends before it starts")
    return Window(day_start(first, tz_name), valid_through(last, tz_name))


def by_local_day(
    amounts: Iterable[tuple[datetime, int]], tz_name: str, *, after: datetime
) -> list[tuple[str, int]]:
    """``(time, amount)`` pairs summed by the tenant's local date (ISO), in date order,
    leaving out those at or before ``after`` (an expiry schedule: what is already due
    is removed by the next write or the expiry job, not shown as upcoming)."""
    tz = ZoneInfo(tz_name)
    by_day: dict[str, int] = {}
    for at, amount in amounts:
        if at <= after:
            continue
        day = at.astimezone(tz).date().isoformat()
        by_day[day] = by_day.get(day, 0) + amount
    return sorted(by_day.items())
