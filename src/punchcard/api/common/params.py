"""Query parameters shared by list endpoints."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import BeforeValidator

from punchcard.kit.bounds import BoundedDate, BoundedDateTime
from punchcard.kit.clock import as_utc

_ISO_DATE_START = re.compile(r"\s*\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    """Pydantic also reads a number as a Unix timestamp (`to=0` would be 1970-01-01);
    the documents promise ISO-8601, so a number is refused (400)."""
    if isinstance(value, str) and not _ISO_DATE_START.match(value):
        raise ValueError("must be an ISO-8601 date (YYYY-MM-DD) or date-time")
    return value


# Bounded as every face's dates are (kit.bounds: near year 1 or 9999 the windows
# computed around a date overflow).
IsoDate = Annotated[BoundedDate, BeforeValidator(_iso_only)]
IsoDateTime = Annotated[BoundedDateTime, BeforeValidator(_iso_only)]

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
