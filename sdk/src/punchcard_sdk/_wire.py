"""camelCase JSON to typed dataclasses and back.

Models are frozen dataclasses whose field names are the wire names in snake_case
(``points_balance`` for ``pointsBalance``). ``parse`` walks a model's type hints, so a
model is declared once and read the same way everywhere: nested models, lists of them,
``datetime`` (ISO-8601), ``Decimal`` (money is a string on the wire) and optionals.
Keys the server sends that a model does not know are ignored: a newer server adds
fields without breaking an older SDK.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Hashable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

T = TypeVar("T")


class NotGiven:
    """The type of :data:`NOT_GIVEN`: an argument left out (as opposed to ``None``,
    which, in an update, clears the field)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


def camel(name: str) -> str:
    """``points_balance`` -> ``pointsBalance``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def body(**fields: Any) -> dict[str, Any]:
    """A request body from snake_case keyword arguments: camelCase keys, without the
    arguments left out (``NOT_GIVEN``); ``None`` is sent as ``null``."""
    return {camel(k): encode(v) for k, v in fields.items() if not isinstance(v, NotGiven)}


# Query parameters whose wire name is a Python keyword: ``from``/``to`` of date ranges.
_QUERY_NAMES = {"since": "from", "until": "to"}


def params(**fields: Any) -> dict[str, Any]:
    """Query parameters: camelCase (``since``/``until`` as ``from``/``to``), without
    ``None`` (a filter not given)."""
    return {_QUERY_NAMES.get(k, camel(k)): encode(v) for k, v in fields.items() if v is not None}


def encode(value: Any) -> Any:
    """A Python value as JSON: money as a string (never a float), times as ISO-8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


@cache
def _hints(cls: Any) -> tuple[tuple[str, str, Any, bool], ...]:
    hints = get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        optional = f.default is not dataclasses.MISSING
        out.append((f.name, camel(f.name), hints[f.name], optional))
    return tuple(out)


def parse(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build the dataclass ``cls`` from its camelCase JSON object ``data``."""
    kwargs: dict[str, Any] = {}
    for name, wire, hint, optional in _hints(cast(Hashable, cls)):
        if wire not in data:
            if optional:
                continue
            kwargs[name] = None  # a field an older server does not send yet
            continue
        kwargs[name] = _convert(hint, data[wire])
    return cls(**kwargs)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        return _convert(args[0], value) if len(args) == 1 else value
    if origin is list:
        (item,) = get_args(hint)
        return [_convert(item, v) for v in value]
    if origin is dict or hint is Any:
        return value
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return parse(cast(type[Any], hint), value)
        if hint is datetime:
            return datetime.fromisoformat(value)
        if hint is Decimal:
            return Decimal(str(value))
    return value
