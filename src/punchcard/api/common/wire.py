"""Wire models for the faces whose documents write camelCase with their own rules.

:class:`Wire` is camelCase on the wire and snake_case in Python, unknown fields refused;
:class:`WireInput` also refuses a NUL character in any string (PostgreSQL text cannot
hold one, so both databases answer the same 400 naming the field), and a date outside
every face's range (:mod:`punchcard.kit.bounds`). The native face's
strict inputs are :class:`punchcard.kit.schema.InputSchema`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel

from punchcard.kit.bounds import check_dates
from punchcard.kit.schema import contains_nul


class Wire(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown input fields are refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class WireInput(Wire):
    """A body a face reads with its own rules (rather than ``InputSchema``'s strict
    JSON types): still no NUL character in any string."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _bounded_dates(cls, value: Any) -> Any:
        # As every face's dates (kit.bounds): 9999-12-31 is a 400 naming the field.
        return check_dates(value)
