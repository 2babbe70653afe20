"""Query parameters shared by list endpoints."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BeforeValidator

from punchcard.kit.clock import as_utc

_ISO_DATE_START = re.compile(r"\s*\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    """Pydantic also reads a number as a Unix timestamp (`to=0` would be 1970-01-01);
    the documents promise ISO-8601, so a number is refused (400)."""
    if isinstance(value, str) and not _ISO_DATE_START.match(value):
        raise ValueError("must be an ISO-8601 date (YYYY-MM-DD) or date-time")
    return value


# Windows are computed around these dates (a 30-day window before `to`, a day after,
# a UTC offset): near year 1 or 9999 that arithmetic overflows, so stay well inside.
_EARLIEST, _LATEST = date(1900, 1, 1), date(9000, 12, 31)


def _in_range(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not _EARLIEST <= day <= _LATEST:
        raise ValueError(f"must be between {_EARLIEST} and {_LATEST}")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_only), AfterValidator(_in_range)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_in_range)]

FromParam = Annotated[
    IsoDateTime | None,
    Query(alias="from", description="ISO-8601 date or time (UTC if no offset), inclusive"),
]
ToParam = Annotated[
    IsoDateTime | None,
    Query(alias="to", description="ISO-8601 date or time (UTC if no offset), inclusive"),
]


def utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None
