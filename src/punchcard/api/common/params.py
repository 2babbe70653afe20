"""Query parameters shared by list endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query

from punchcard.kit.clock import as_utc

FromParam = Annotated[
    datetime | None,
    Query(alias="from", description="ISO-8601 date or time (UTC if no offset), inclusive"),
]
ToParam = Annotated[
    datetime | None,
    Query(alias="to", description="ISO-8601 date or time (UTC if no offset), inclusive"),
]


def utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None
