"""Calendar windows in a non-UTC timezone, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from punchcard.kit.calendar import (
    last_valid_day,
    local_days,
    period_end,
    period_start,
    valid_through,
)

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


# Local days -----------------------------------------------------------------------


def test_local_days_are_a_half_open_window_from_first_midnight_to_the_one_after_last() -> None:
    window = local_days(date(2026, 6, 1), date(2026, 6, 30), NY)
    assert window.start == datetime(2026, 6, 1, 4, tzinfo=UTC)  # midnight EDT
    assert window.end == datetime(2026, 7, 1, 4, tzinfo=UTC)


def test_one_local_day_across_the_spring_dst_change_is_23_hours() -> None:
    window = local_days(date(2026, 3, 8), date(2026, 3, 8), NY)
    assert window.end - window.start == timedelta(hours=23)


def test_the_last_instant_of_a_window_is_one_microsecond_before_its_end() -> None:
    window = local_days(date(2026, 6, 1), date(2026, 6, 1), NY)
    assert window.last_instant == datetime(2026, 6, 2, 3, 59, 59, 999999, tzinfo=UTC)


def test_local_days_refuse_a_range_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError):
        local_days(date(2026, 6, 2), date(2026, 6, 1), NY)


def test_valid_through_a_day_ends_at_the_next_local_midnight() -> None:
    assert valid_through(date(2026, 5, 30), NY) == datetime(2026, 5, 31, 4, tzinfo=UTC)
    assert valid_through(date(2026, 5, 30), "") == datetime(2026, 5, 31, tzinfo=UTC)


def test_last_valid_day_is_the_day_an_exclusive_end_closes() -> None:
    assert last_valid_day(datetime(2026, 5, 31, 4, tzinfo=UTC), NY) == date(2026, 5, 30)
    # One microsecond later the end closes the 31st: the 31st is valid too.
    later = datetime(2026, 5, 31, 4, 0, 0, 1, tzinfo=UTC)
    assert last_valid_day(later, NY) == date(2026, 5, 31)


def test_last_valid_day_inverts_valid_through_across_dst() -> None:
    for d in (date(2026, 3, 7), date(2026, 3, 8), date(2026, 10, 31), date(2026, 11, 1)):
        assert last_valid_day(valid_through(d, NY), NY) == d


def test_by_local_day_sums_by_the_tenants_date_and_leaves_out_what_is_due() -> None:
    from punchcard.kit.calendar import by_local_day

    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    rows = [
        (datetime(2026, 3, 1, 11, tzinfo=UTC), 5),  # already due: not upcoming
        (datetime(2026, 3, 2, 3, tzinfo=UTC), 10),  # 1 March, 22:00 in New York
        (datetime(2026, 3, 2, 4, tzinfo=UTC), 1),  # 1 March, 23:00
        (datetime(2026, 3, 2, 6, tzinfo=UTC), 7),  # 2 March, 01:00
    ]
    assert by_local_day(rows, "America/New_York", after=now) == [
        ("2026-03-01", 11),
        ("2026-03-02", 7),
    ]
