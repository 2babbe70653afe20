"""Responses rendered straight to JSON bytes by the response model's own serializer.

FastAPI renders a response model in two steps: the model to JSON-ready Python values
(``TypeAdapter.dump_python(mode="json")``), then those to bytes with ``json.dumps``
(Starlette's ``JSONResponse``: ``ensure_ascii=False, allow_nan=False, indent=None,
separators=(",", ":")``). pydantic-core's ``dump_json`` does both in one pass, in Rust,
with the same serializers (aliases, exclusions, datetimes, decimals, enums): a member
renders in ~6 µs instead of ~10 µs. The Pydantic models stay the contract; only the
encoder of their JSON changes (docs/architecture.md, "Dependencies and why": no orjson).

The bytes are the same for every type but one: a float. Python writes a float below
1e-4 in magnitude ``1e-05`` where Rust writes ``0.00001`` or ``1e-5``, and
``json.dumps`` refuses NaN and infinities (a 500) where ``dump_json`` writes ``null``.
So a route whose response type can hold a float anywhere, or a value of a type not
known in advance (``Any``; a container of anything; a serializer function with no
declared return type), keeps Starlette's encoder: :func:`plan_for` decides that once
per route, from the type's core schema. One case is decided per response: a model
whose only such values sit in top-level fields of free-form JSON (a member's
``metadata: dict[str, Any]``) renders with ``dump_json`` when those fields hold, this
time, nothing but JSON's own non-float values (:func:`plain`, a walk of a few entries),
and with Starlette's encoder otherwise (:class:`JsonPlan`).
``tests/api/test_render.py`` compares the bytes over every response of a run of both
faces and over generated values.

A handler's return value that is an instance of exactly its route's response model
(built by our own code: ``MemberRead.of``) needs no validation: FastAPI's would hand
back the same instance (``revalidate_instances="never"``) after a trip through
pydantic-core. :func:`model_of` names that class, once per route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, TypeAdapter

# Core-schema types whose JSON pydantic-core may write differently from json.dumps.
_INEXACT = frozenset({"float", "any", "complex"})
_ITEMS = {"list": "items_schema", "set": "items_schema", "frozenset": "items_schema"}


class RenderedJSON(JSONResponse):
    """A JSON response whose body is already encoded (the same headers)."""

    def render(self, content: Any) -> bytes:
        assert isinstance(content, bytes)
        return content


@dataclass(frozen=True)
class JsonPlan:
    """How a route renders with ``dump_json``: always (``loose`` empty), or when each of
    the response model's ``loose`` fields (free-form JSON) holds a :func:`plain` value."""

    adapter: TypeAdapter[Any]
    loose: tuple[str, ...] = ()

    def fits(self, value: Any) -> bool:
        """Whether ``dump_json`` writes ``value`` (the validated response) as
        ``JSONResponse`` would."""
        if not self.loose:
            return True
        fields = getattr(value, "__dict__", None)
        if not isinstance(fields, dict):  # pragma: no cover - a loose plan is for a model
            return False
        return all(plain(fields.get(name)) for name in self.loose)


def plan_for(field: Any, response_class: type[Any]) -> JsonPlan | None:
    """How the route with response ``field`` renders with its own TypeAdapter, if it
    answers with Starlette's ``JSONResponse`` and ``dump_json`` can write its bytes
    (for every value, or for those whose free-form JSON holds no float); None: never."""
    if response_class is not JSONResponse or field is None:
        return None
    adapter = getattr(field, "_type_adapter", None)  # FastAPI's ModelField (Pydantic v2)
    if not isinstance(adapter, TypeAdapter):
        return None
    if exact(adapter.core_schema):
        return JsonPlan(adapter)
    loose = loose_fields(adapter.core_schema)
    return JsonPlan(adapter, loose) if loose else None


def model_of(field: Any) -> type[BaseModel] | None:
    """The response field's model class, when validating an instance of exactly that
    class hands back the instance itself (so a handler's own instance needs none)."""
    info = getattr(field, "field_info", None)
    annotation = getattr(info, "annotation", None)
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return None
    if getattr(info, "metadata", None):  # constraints on the response field itself
        return None
    if annotation.model_config.get("revalidate_instances", "never") != "never":
        return None
    return annotation


def loose_fields(schema: Any) -> tuple[str, ...]:
    """The top-level fields of a model's core ``schema`` that hold free-form JSON
    (``Any``, or a dict or list of it), when they are its only inexact parts; else ``()``."""
    definitions: Sequence[Any] = ()
    if isinstance(schema, dict) and schema.get("type") == "definitions":
        definitions = schema.get("definitions", ())
        schema = schema.get("schema")
    if not isinstance(schema, dict) or schema.get("type") != "model":
        return ()
    inner = schema.get("schema")
    if not isinstance(inner, dict) or inner.get("type") != "model-fields":
        return ()
    fields: dict[str, Any] = inner["fields"]
    loose = tuple(name for name, f in fields.items() if not exact([f, definitions]))
    if not loose or not all(exact([fields[n], definitions], free=True) for n in loose):
        return ()
    rest = {**inner, "fields": {n: f for n, f in fields.items() if n not in loose}}
    return loose if exact([{**schema, "schema": rest}, definitions]) else ()


# JSON's own values but floats: json.dumps and dump_json write these alike.
_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})


def plain(value: Any) -> bool:
    """Whether ``value`` is made of dicts with str keys, lists, str, int, bool and None
    only (what a JSON column holds, less floats)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _PLAIN_SCALARS:
            continue
        if kind is dict:
            for key in item:
                if type(key) is not str:
                    return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        else:
            return False
    return True


def exact(schema: Any, *, free: bool = False) -> bool:
    """Whether nothing in ``schema`` (a pydantic-core schema) can serialise to a float
    or to a value of a type not known in advance; with ``free``, free-form JSON (``Any``,
    a dict or list of it) is allowed, for :func:`plain` to check value by value."""
    seen: set[int] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        kind = node.get("type")
        if not isinstance(kind, str):  # a map of fields by name, not a schema
            continue
        if free and kind in ("any", "dict", "list"):
            continue
        if kind in _INEXACT or (kind == "enum" and node.get("sub_type") == "float"):
            return False
        if kind == "dict" and "values_schema" not in node:
            return False
        if kind in _ITEMS and _ITEMS[kind] not in node:
            return False
        if kind == "tuple" and not node.get("items_schema"):
            return False
        if (
            kind in ("function-plain", "function-wrap")
            and "return_schema" not in node
            and "schema" not in node  # a validator's function wraps a schema (walked)
        ):
            return False
    return True


def render_json(adapter: TypeAdapter[Any], value: Any, **options: Any) -> bytes:
    """``value``'s JSON, as ``JSONResponse`` would write it (``adapter`` from
    :func:`plan_for`, and ``value`` one its plan ``fits``)."""
    return adapter.dump_json(value, **options)
