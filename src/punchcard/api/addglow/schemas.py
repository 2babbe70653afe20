"""The envelopes and shared pieces of the AddGlow face's bodies.

Every answer is ``{"data": …}`` (:class:`Data`), every list ``{"hasMore", "data"}``
(:class:`Listing`), every DELETE ``{"success": true}`` (:class:`Success`). Fields are
camelCase as the document writes them; ids are canonical UUIDs (``ids.render``); times
are UTC ISO 8601 with ``Z``. Inputs are :class:`WireInput` (unknown fields refused, no
NUL); the document's "required but nullable" fields are declared without a default and
typed ``X | None``. One module per group of the document defines its own models.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from punchcard.api.common.wire import Wire, WireInput

T = TypeVar("T")


class Data(BaseModel, Generic[T]):
    """``{"data": …}``."""

    data: T


class Listing(BaseModel, Generic[T]):
    """``{"hasMore": bool, "data": [...]}``: one page, oldest first."""

    has_more: bool = Field(alias="hasMore", serialization_alias="hasMore")
    data: list[T]

    @classmethod
    def of(cls, items: list[T], has_more: bool) -> Listing[T]:
        return cls(hasMore=has_more, data=items)


class Success(BaseModel):
    """``{"success": true}``: a DELETE, or a bulk call, that took effect."""

    success: Literal[True] = True


__all__ = ["Data", "Listing", "Success", "Wire", "WireInput"]
