"""One range of dates for every face (kit.bounds), and the body bases that apply it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from punchcard.api.common.wire import WireInput
from punchcard.kit.bounds import EARLIEST, LATEST, check_dates, check_day, in_range
from punchcard.kit.schema import InputSchema


class _Native(InputSchema):
    expires_at: datetime | None = None
    days: list[date] = []


class _Wire(WireInput):
    published_at: datetime | None = None


def test_the_range_holds_its_ends_and_nothing_past_them() -> None:
    assert in_range(EARLIEST) and in_range(LATEST)
    assert not in_range(date(1899, 12, 31)) and not in_range(date(9001, 1, 1))
    assert check_day(datetime(9000, 12, 31, 23, tzinfo=UTC)).year == 9000
    with pytest.raises(ValueError, match="between 1900-01-01 and 9000-12-31"):
        check_day(date(9999, 12, 31))
    with pytest.raises(ValueError):
        check_dates([date(2020, 1, 1), date(1, 1, 1)])


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00Z"])
def test_an_input_schema_refuses_a_far_date_naming_the_field(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        _Native.model_validate({"expiresAt": value})
    assert exc.value.errors()[0]["loc"] == ("expiresAt",)
    with pytest.raises(ValidationError) as exc:
        _Native.model_validate({"days": ["2020-01-01", "9999-12-31"]})
    assert exc.value.errors()[0]["loc"] == ("days",)
    assert _Native.model_validate({"expiresAt": "2099-12-31T00:00:00Z"}).expires_at


def test_a_wire_input_refuses_a_far_date_naming_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        _Wire.model_validate({"publishedAt": "9999-12-31T23:59:59Z"})
    assert exc.value.errors()[0]["loc"] == ("publishedAt",)
