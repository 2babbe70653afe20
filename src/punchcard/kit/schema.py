"""Pydantic bases for the native (camelCase) rendering of domain objects, and the
strict JSON types of request bodies."""

from __future__ import annotations

import re
import types
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

from punchcard.kit.bounds import check_dates
from punchcard.kit.clock import iso_z

# A time on the native face: UTC ISO-8601 with a trailing Z, millisecond precision.
UtcTime = Annotated[datetime, PlainSerializer(lambda v: iso_z(v), return_type=str)]

# A merchant-chosen id for a rule, option or level ("made_a_purchase", "$50_gift_card").
KEY_PATTERN = r"^[A-Za-z0-9_$.-]{1,64}$"


class Schema(BaseModel):
    """Output: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class InputSchema(BaseModel):
    """Input: camelCase on the wire; unknown fields are refused with the field named;
    every value must be of the JSON type its field documents (:func:`json_type_errors`:
    ``"isActive": 0`` or ``"points": "5"`` is a 400 naming the field, not a coercion)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        # FastAPI validates a parsed body in Pydantic's Python mode, whose lax rules
        # would read 0 as false, "5" or 5.0 as 5, and 0 as 1970-01-01. Strict mode is no
        # answer: in Python mode it also refuses "fixed" for an enum and "1.5" for a
        # Decimal, the very forms JSON carries them in. So the raw values are checked
        # against the documented JSON types first, then validated as usual.
        if isinstance(data, Mapping):
            errors = json_type_errors(cls, data)
            if errors:
                raise ValidationError.from_exception_data(cls.__name__, errors)
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL (SQLite can): refuse it everywhere, as bad
        # input naming the field, so both databases answer the same 400.
        if contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _bounded_dates(cls, value: Any) -> Any:
        # A date past what the tenant's day arithmetic holds (ERPs send 9999-12-31 for
        # "no end date") is bad input naming the field, on every face (kit.bounds).
        return check_dates(value)


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


# Strict JSON types -------------------------------------------------------------------
#
# What each Python type accepts, as JSON (the request body) or as what a Python caller
# hands a schema (a face building a core schema passes a Decimal, a datetime, an enum):
#
#   bool                 true / false only (not 0, 1, "true")
#   int                  integers only (not "5", not 5.0, not true)
#   str, enums of str    strings only
#   Decimal              a number, or a decimal string as documented ("240.50")
#   datetime             an ISO-8601 date and time (not a number, read as a Unix time;
#                        not a bare date: the documents say `format: date-time`)
#   date                 an ISO-8601 date
#   list[X], dict[K, V]  an array / object, each item as X / each value as V
#   a model              an object (the model checks its own fields)
#   Any, or a field with its own raw parser (a BeforeValidator in its annotation,
#   e.g. the catalog's Shopify ids that come as numbers): anything; the parser decides.

# A decimal string as the documents write one ("240.50", "-1", ".5"); ASCII digits only
# (Python's \d and Decimal() also take other scripts' digits).
_DECIMAL = re.compile(r"(?![-+.]*\Z)[+-]?[0-9]*\.?[0-9]*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


@dataclass(frozen=True)
class Mismatch:
    """The value found, where under the checked value (``()``, or an item's index or
    key), and what was expected there."""

    value: Any
    loc: tuple[str | int, ...]
    expected: tuple[str, ...]
    error_type: str

    @property
    def message(self) -> str:
        return "Input should be a valid " + " or ".join(self.expected)

    def under(self, key: str | int) -> Mismatch:
        return Mismatch(self.value, (key, *self.loc), self.expected, self.error_type)


Check = Callable[[Any], Mismatch | None]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _scalar(expected: str, error_type: str, test: Callable[[Any], bool]) -> Check:
    return lambda v: None if test(v) else Mismatch(v, (), (expected,), error_type)


_BOOL = _scalar("boolean", "bool_type", lambda v: isinstance(v, bool))
_INT = _scalar("integer", "int_type", _is_int)
_FLOAT = _scalar("number", "float_type", lambda v: _is_int(v) or isinstance(v, float))
_STR = _scalar("string", "string_type", lambda v: isinstance(v, str))
_NULL = _scalar("null", "none_required", lambda v: v is None)
_DEC = _scalar(
    "number or decimal string",
    "decimal_type",
    lambda v: (
        _is_int(v)
        or isinstance(v, float | Decimal)
        or (isinstance(v, str) and bool(_DECIMAL.fullmatch(v)))
    ),
)
_DATETIME = _scalar(
    "ISO-8601 date-time string",
    "datetime_type",
    lambda v: isinstance(v, datetime) or (isinstance(v, str) and bool(_ISO_DATETIME.match(v))),
)
_DATE = _scalar(
    "ISO-8601 date string",
    "date_type",
    lambda v: isinstance(v, date) or (isinstance(v, str) and bool(_ISO_DATE.match(v))),
)
_UUID = _scalar("UUID string", "uuid_type", lambda v: isinstance(v, str | uuid.UUID))


def _parses_raw(meta: Any) -> bool:
    """A validator in the annotation that reads the raw value itself."""
    if isinstance(meta, BeforeValidator | PlainValidator | WrapValidator):
        return True
    return isinstance(meta, FieldInfo) and any(_parses_raw(m) for m in meta.metadata)


def _union(arms: list[Check]) -> Check:
    def check(v: Any) -> Mismatch | None:
        misses = []
        for arm in arms:
            miss = arm(v)
            if miss is None:
                return None
            if miss.loc:  # the arm's container matched; one of its items did not
                return miss
            misses.append(miss)
        expected = tuple(e for m in misses for e in m.expected if e != "null")
        return Mismatch(v, (), expected or ("null",), misses[0].error_type)

    return check


def _array(items: Check | None) -> Check:
    def check(v: Any) -> Mismatch | None:
        if not isinstance(v, list | tuple):
            return Mismatch(v, (), ("array",), "list_type")
        for i, item in enumerate(v):
            miss = items(item) if items else None
            if miss is not None:
                return miss.under(i)
        return None

    return check


def _object(values: Check | None) -> Check:
    def check(v: Any) -> Mismatch | None:
        if not isinstance(v, Mapping):
            return Mismatch(v, (), ("object",), "dict_type")
        for key, item in v.items():
            miss = values(item) if values else None
            if miss is not None:
                return miss.under(str(key))
        return None

    return check


def _literal(values: tuple[Any, ...]) -> Check | None:
    if all(isinstance(v, str) for v in values):
        return _STR
    if all(isinstance(v, bool) for v in values):
        return _BOOL
    if all(_is_int(v) for v in values):
        return _INT
    return None


def json_check(annotation: Any) -> Check | None:
    """The check of a raw value against ``annotation``'s JSON type (None: any value)."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return None if any(_parses_raw(m) for m in args[1:]) else json_check(args[0])
    if origin is Union or origin is types.UnionType:
        arms = [json_check(a) for a in args]
        return None if any(a is None for a in arms) else _union([a for a in arms if a])
    if origin is Literal:
        return _literal(args)
    if origin in (list, set, frozenset, Sequence) or (
        origin is tuple and len(args) == 2 and args[1] is Ellipsis
    ):
        return _array(json_check(args[0]) if args else None)
    if origin in (dict, Mapping):
        return _object(json_check(args[1]) if len(args) == 2 else None)
    if origin is not None or not isinstance(annotation, type):
        return None  # Any, a TypeVar, a generic we do not know: the validator decides
    return _for_class(annotation)


def _for_class(cls: type) -> Check | None:
    if cls is type(None):
        return _NULL
    if issubclass(cls, bool):
        return _BOOL
    if issubclass(cls, Enum):
        return _enum(cls)
    if issubclass(cls, int):
        return _INT
    if issubclass(cls, float):
        return _FLOAT
    if issubclass(cls, str):
        return _STR
    if issubclass(cls, Decimal):
        return _DEC
    if issubclass(cls, datetime):
        return _DATETIME
    if issubclass(cls, date):
        return _DATE
    if issubclass(cls, uuid.UUID):
        return _UUID
    if issubclass(cls, list | tuple | set | frozenset):
        return _array(None)
    if issubclass(cls, dict):
        return _object(None)
    if issubclass(cls, BaseModel):
        return _scalar("object", "model_type", lambda v: isinstance(v, Mapping | cls))
    return None


def _enum(cls: type[Enum]) -> Check | None:
    """A member, or its value's JSON type (membership is the validator's to judge)."""
    by_value = _literal(tuple(m.value for m in cls))
    if by_value is None:
        return None
    return lambda v: None if isinstance(v, cls) else by_value(v)


@cache
def field_checks(model: type[BaseModel]) -> Mapping[str, Check]:
    """Each field's check, by its wire name and its Python name; fields that parse
    their raw value themselves, or take any value, have none."""
    out: dict[str, Check] = {}
    for name, info in model.model_fields.items():
        if any(_parses_raw(m) for m in info.metadata):
            continue
        check = json_check(info.annotation)
        if check is not None:
            out.update(dict.fromkeys((k for k in (info.alias, name) if k), check))
    return out


def json_type_errors(model: type[BaseModel], data: Mapping[str, Any]) -> list[InitErrorDetails]:
    """The values of ``data`` (raw input for ``model``) that are not of their field's
    JSON type (see the table above), as errors located at the key that carried them."""
    errors: list[InitErrorDetails] = []
    checks = field_checks(model)
    for key, value in data.items():
        check = checks.get(key)
        miss = check(value) if check is not None else None
        if miss is not None:
            errors.append(
                InitErrorDetails(
                    type=PydanticCustomError(miss.error_type, miss.message),
                    loc=(key, *miss.loc),
                    input=miss.value,
                )
            )
    return errors
