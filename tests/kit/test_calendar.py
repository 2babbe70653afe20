"""Calendar windows in a non-UTC timezone, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from punchcard.kit.calendar import period_end, period_start

NY = "America/New_York"


def test_day_of_the_spring_dst_change_is_23_hours() -> None:
    at = datetime(2026, 3, 8, 15, tzinfo=UTC)  # 11:00 EDT, the day clocks jump forward
    start, end = period_start("day", at, NY), period_end("day", at, NY)
    assert start == datetime(2026, 3, 8, 5, tzinfo=UTC)  # midnight EST
    assert end == datetime(2026, 3, 9, 4, tzinfo=UTC)  # midnight EDT
    assert end - start == timedelta(hours=23)


def test_day_of_the_autumn_dst_change_is_25_hours() -> None:
    at = datetime(2026, 11, 1, 12, tzinfo=UTC)
    start, end = period_start("day", at, NY), period_end("day", at, NY)
    assert end - start == timedelta(hours=25)


def test_local_midnight_not_utc_midnight_starts_the_day() -> None:
    # 02:00 UTC on the 10th is still the 9th in New York.
    at = datetime(2026, 6, 10, 2, tzinfo=UTC)
    assert period_start("day", at, NY) == datetime(2026, 6, 9, 4, tzinfo=UTC)


def test_week_starts_on_monday_local() -> None:
    at = datetime(2026, 3, 11, 12, tzinfo=UTC)  # Wednesday
    assert period_start("week", at, NY) == datetime(2026, 3, 9, 4, tzinfo=UTC)


def test_month_quarter_year_boundaries() -> None:
    at = datetime(2026, 1, 1, 3, tzinfo=UTC)  # still Dec 31 in New York
    assert period_start("month", at, NY) == datetime(2025, 12, 1, 5, tzinfo=UTC)
    assert period_start("year", at, NY) == datetime(2025, 1, 1, 5, tzinfo=UTC)
    assert period_end("year", at, NY) == datetime(2026, 1, 1, 5, tzinfo=UTC)
    assert period_start("quarter", datetime(2026, 5, 5, tzinfo=UTC), NY) == datetime(
        2026, 4, 1, 4, tzinfo=UTC
    )
    assert period_start("lifetime", at, NY) is None
