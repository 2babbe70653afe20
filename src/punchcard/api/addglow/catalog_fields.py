"""Field types of the AddGlow face's products and variants (``products.py``,
``variants.py``): the document's types with limits of our own where it states none,
each refused with a 400 naming the field.

- ``storeId``, ``productStoreId``: any string of 1..128 characters
  (``gid://shopify/Product/123``), kept exactly as given.
- ``title`` 1..500 characters; ``description`` up to 65,535; ``sku``, ``barcode`` up
  to 128.
- ``imageUrl``, ``onlineStoreUrl``: absolute ``http``/``https`` URIs of at most 2,048
  characters, kept as given.
- ``imageWidth``, ``imageHeight``: integers 1..100,000 (pixels); ``position`` 0..
  2,147,483,647; ``priceCents`` 0..999,999,999,999,999 in the currency's minor unit;
  ``currency`` an ISO 4217 code, three capital letters.
- ``updatedAfter``: an ISO 8601 date-time with its offset (``2024-01-01T00:00:00Z``),
  exclusive at the precision times are rendered in (milliseconds): an item's own
  ``updatedAt`` passed back does not list it again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints

from punchcard.errors import ValidationFailed
from punchcard.kit.bounds import OUT_OF_RANGE, in_range


def _uri(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError("must be an absolute http(s) URI")
    return value


StoreId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Description = Annotated[str, StringConstraints(max_length=65_535)]
Code = Annotated[str, StringConstraints(max_length=128)]
Uri = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2048),
    AfterValidator(_uri),
    Field(json_schema_extra={"format": "uri"}),
]
Pixels = Annotated[int, Field(strict=True, ge=1, le=100_000)]
Position = Annotated[int, Field(strict=True, ge=0, le=2_147_483_647)]
Cents = Annotated[int, Field(strict=True, ge=0, le=999_999_999_999_999)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def updated_after(value: str | None, *, field: str = "updatedAfter") -> datetime | None:
    """The query's ``updatedAfter`` (exclusive), which must carry its UTC offset."""
    if value is None:
        return None
    try:
        parsed: datetime | None = datetime.fromisoformat(value)
        if parsed is not None and parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC)  # out of range in UTC: OverflowError
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed(
            f"{field}: must be an ISO 8601 date-time with an offset (2024-01-01T00:00:00Z)",
            field=field,
        )
    if not in_range(parsed):
        raise ValidationFailed(f"{field}: {OUT_OF_RANGE}", field=field)
    # Rendered times are whole milliseconds, stored ones microseconds: "after" means
    # after the whole millisecond, so the ``updatedAt`` a client saw excludes that item.
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000) + timedelta(
        microseconds=999
    )
