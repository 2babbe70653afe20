"""The envelopes and shared pieces of the AddGlow face's bodies.

Every answer is ``{"data": …}`` (:class:`Data`), every list ``{"hasMore", "data"}``
(:class:`Listing`), every DELETE ``{"success": true}`` (:class:`Success`). Fields are
camelCase as the document writes them; ids are canonical UUIDs (``ids.render``); times
are UTC ISO 8601 with ``Z``. Inputs are :class:`WireInput` (unknown fields refused, no
NUL); the document's "required but nullable" fields are declared without a default and
typed ``X | None``. One module per group of the document defines its own models.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, Field

from punchcard.api.common.wire import Wire, WireInput

T = TypeVar("T")


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("must not be null")
    return value


def drop_null(schema: dict[str, Any]) -> None:
    """A field's JSON schema without the ``null`` alternative ``T | None`` gives it."""
    alternatives = schema.pop("anyOf", None)
    if alternatives is None:
        return
    rest = [a for a in alternatives if a.get("type") != "null"]
    if len(rest) == 1:
        schema.update(rest[0])
    else:
        schema["anyOf"] = rest


# `T | None` (not a union with a skipped None): pydantic then validates it as a
# nullable T, so an error's location stays the field's name (`title`, not
# `title.constrained-str`).
Omittable = Annotated[T | None, BeforeValidator(_refuse_null), Field(json_schema_extra=drop_null)]
"""An optional field the document does not allow to be null (``title`` on a PATCH,
``email`` on a magic link): it may be left out (``None`` in Python), but a JSON
``null`` is a 400 naming it; the OpenAPI document shows the field without ``null``, as
the document does. (A default is never validated, so leaving it out passes.)"""


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


__all__ = ["Data", "Listing", "Omittable", "Success", "Wire", "WireInput", "drop_null"]
