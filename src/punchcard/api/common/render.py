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
known in advance (``Any``, e.g. a member's free-form ``metadata``; a container of
anything; a serializer function with no declared return type), keeps Starlette's
encoder: :func:`adapter_for` decides that once per route, from the type's core schema.
``tests/api/test_render.py`` compares the bytes over every response of a run of both
faces and over generated values.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import TypeAdapter

# Core-schema types whose JSON pydantic-core may write differently from json.dumps.
_INEXACT = frozenset({"float", "any", "complex"})
_ITEMS = {"list": "items_schema", "set": "items_schema", "frozenset": "items_schema"}


class RenderedJSON(JSONResponse):
    """A JSON response whose body is already encoded (the same headers)."""

    def render(self, content: Any) -> bytes:
        assert isinstance(content, bytes)
        return content


def adapter_for(field: Any, response_class: type[Any]) -> TypeAdapter[Any] | None:
    """The response field's own TypeAdapter, if the route answers with Starlette's
    ``JSONResponse`` and ``dump_json`` writes its bytes for every value of the type."""
    if response_class is not JSONResponse or field is None:
        return None
    adapter = getattr(field, "_type_adapter", None)  # FastAPI's ModelField (Pydantic v2)
    if not isinstance(adapter, TypeAdapter):
        return None
    return adapter if exact(adapter.core_schema) else None


def exact(schema: Any) -> bool:
    """Whether nothing in ``schema`` (a pydantic-core schema) can serialise to a float
    or to a value of a type not known in advance."""
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
    :func:`adapter_for`)."""
    return adapter.dump_json(value, **options)
