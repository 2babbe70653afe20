"""Pydantic bases for the native (camelCase) rendering of domain objects."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from punchcard.kit.clock import iso_z

# A time on the native face: UTC ISO-8601 with a trailing Z, millisecond precision.
UtcTime = Annotated[datetime, PlainSerializer(lambda v: iso_z(v), return_type=str)]

# A merchant-chosen id for a rule, option or level ("made_a_purchase", "$50_gift_card").
KEY_PATTERN = r"^[A-Za-z0-9_$.-]{1,64}$"


class Schema(BaseModel):
    """Output: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class InputSchema(BaseModel):
    """Input: camelCase on the wire; unknown fields are refused with the field named."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL (SQLite can): refuse it everywhere, as bad
        # input naming the field, so both databases answer the same 400.
        if contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


def contains_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 32:
        return False
    if isinstance(value, dict):
        return any(
            contains_nul(k, depth + 1) or contains_nul(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return any(contains_nul(v, depth + 1) for v in value)
    return False


def first_error(exc: ValidationError, *, prefix: str = "") -> tuple[str | None, str]:
    """``(field, message)`` for the first error of ``exc``, the field as a dotted path
    in wire names (``variants.0.price``), for per-item errors in batch endpoints."""
    errors = exc.errors()
    if not errors:
        return (prefix or None), "Invalid value"
    err = errors[0]
    parts = [str(p) for p in err.get("loc", ())]
    field = ".".join([prefix, *parts] if prefix else parts) or None
    if err.get("type") == "missing":
        return field, f"{field or 'A value'} is required"
    if err.get("type") == "extra_forbidden":
        return field, f"{field}: unknown field"
    message = str(err.get("msg", "Invalid value"))
    return field, f"{field}: {message}" if field else message
