"""A route's dependencies solved by a plan made once, for the shapes our routes have.

FastAPI solves a route's dependencies by walking its dependency tree on every request:
for each node it builds the values of the path, query, header and cookie parameters
(four passes, most of them over nothing), a result object, and a cache key lookup.
Most of our routes have one shape: an auth dependency (a scope check over a credential
reader over ``HTTPBearer``), the unit of work's session, the ``Request``, and path
parameters. :func:`plan` compiles such a tree into a flat list of steps, run in the
order FastAPI runs them (depth first, each dependency once per request, as FastAPI's
``use_cache`` does), with the same values, the same errors and nothing else.

A tree with anything else (a query, header, cookie or body parameter below the route
itself, a generator dependency, ``BackgroundTasks``, ``Response`` or
``SecurityScopes`` parameters, a sync dependency) gets no plan: the route keeps
FastAPI's own solver, as does every request while ``app.dependency_overrides`` is set.
The route's own parameters (path, query, body) are still FastAPI's
``request_params_to_args`` / ``request_body_to_args``: validation and its errors are
unchanged.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.exceptions import RequestValidationError
from pydantic_core import PydanticUndefined as Undefined
from starlette.exceptions import HTTPException
from starlette.requests import Request

Solver = Callable[[Request, Any], Awaitable[tuple[dict[str, Any], list[Any]]]]


class _Step:
    """One dependency call: its own ``Request`` parameter and its sub-dependencies'
    values (by the sub-dependency's cache key), stored under its own cache key."""

    __slots__ = ("call", "key", "request_name", "subs")

    def __init__(self, node: Dependant, subs: list[tuple[str, Any]]) -> None:
        self.call: Callable[..., Awaitable[Any]] = node.call  # type: ignore[assignment]
        self.key = node.cache_key
        self.request_name = node.request_param_name or node.http_connection_param_name
        self.subs = subs


def _plain(node: Dependant) -> bool:
    """A dependency node the plan can run: an async function (or an async ``__call__``,
    like ``HTTPBearer``) whose only parameters are the request and other dependencies."""
    return (
        node.call is not None
        and node.is_coroutine_callable
        and not node.is_gen_callable
        and not node.is_async_gen_callable
        and not (
            node.path_params
            or node.query_params
            or node.header_params
            or node.cookie_params
            or node.body_params
            or node.websocket_param_name
            or node.response_param_name
            or node.background_tasks_param_name
            or node.security_scopes_param_name
        )
    )


def _plain_str(field: Any) -> bool:
    info = field.field_info
    return bool(info.annotation is str and not info.metadata and field.alias == field.name)


def plan(dependant: Dependant, *, embed_body_fields: bool) -> Solver | None:
    """A solver for the route ``dependant`` (its ``call`` is the handler), or None when
    its tree has a shape this module does not run."""
    if (
        dependant.header_params
        or dependant.cookie_params
        or dependant.websocket_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
    ):
        return None
    steps: list[_Step] = []
    seen: set[Any] = set()

    def visit(node: Dependant) -> bool:
        # FastAPI solves a node's sub-dependencies first, in order, then calls it; a
        # node whose cache key was already solved is not called again (use_cache).
        for sub in node.dependencies:
            if not sub.use_cache or not _plain(sub):
                return False
            if sub.cache_key in seen:
                continue
            if not visit(sub):
                return False
            subs = [(d.name, d.cache_key) for d in sub.dependencies if d.name is not None]
            steps.append(_Step(sub, subs))
            seen.add(sub.cache_key)
        return True

    if not visit(dependant):
        return None
    top = [(d.name, d.cache_key) for d in dependant.dependencies if d.name is not None]
    # A path parameter declared as a plain ``str`` is the matched path segment itself
    # (FastAPI's validation of a str as a str hands it back): copied, not validated.
    texts = [(f.name, f.alias) for f in dependant.path_params if _plain_str(f)]
    path_params = [f for f in dependant.path_params if not _plain_str(f)]
    query_params = dependant.query_params
    body_params = dependant.body_params
    request_name = dependant.request_param_name or dependant.http_connection_param_name

    async def solve(request: Request, body: Any) -> tuple[dict[str, Any], list[Any]]:
        solved: dict[Any, Any] = {}
        for step in steps:
            kwargs = {name: solved[key] for name, key in step.subs}
            if step.request_name is not None:
                kwargs[step.request_name] = request
            solved[step.key] = await step.call(**kwargs)
        values = {name: solved[key] for name, key in top}
        errors: list[Any] = []
        # A matched route has every path parameter.
        matched = request.path_params
        for name, alias in texts:
            values[name] = matched[alias]
        if path_params:
            found, errs = request_params_to_args(path_params, matched)
            values.update(found)
            errors += errs
        if query_params:
            found, errs = request_params_to_args(query_params, request.query_params)
            values.update(found)
            errors += errs
        if body_params:
            found, errs = await request_body_to_args(
                body_fields=body_params, received_body=body, embed_body_fields=embed_body_fields
            )
            values.update(found)
            errors += errs
        if request_name is not None:
            values[request_name] = request
        return values, errors

    return solve


async def read_body(request: Request, context: Callable[[Request], Any]) -> Any:
    """A JSON route's body as FastAPI's request handler reads it (``fastapi.routing``,
    ``get_request_handler``): nothing for an empty body, the parsed JSON when the
    content type is absent or JSON (``application/json``, ``application/*+json``),
    else the bytes; a body that is not JSON is the same ``json_invalid`` error, and
    any other failure to read it the same 400."""
    try:
        body: Any = None
        body_bytes = await request.body()
        if body_bytes:
            json_body: Any = Undefined
            content_type = request.headers.get("content-type")
            if not content_type or content_type == "application/json":
                json_body = await request.json()
            else:
                message = email.message.Message()
                message["content-type"] = content_type
                if message.get_content_maintype() == "application":
                    subtype = message.get_content_subtype()
                    if subtype == "json" or subtype.endswith("+json"):
                        json_body = await request.json()
            body = json_body if json_body is not Undefined else body_bytes
    except json.JSONDecodeError as e:
        error = {
            "type": "json_invalid",
            "loc": ("body", e.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": e.msg},
        }
        raise RequestValidationError([error], body=e.doc, endpoint_ctx=context(request)) from e
    except HTTPException:
        raise
    except Exception as e:
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from e
    return body


def endpoint_context(dependant: Dependant, path: str) -> Callable[[Request], Any]:
    """What FastAPI attaches to a ``RequestValidationError`` (for its message only):
    the handler's file, line and name, and the request's method and route path."""
    import fastapi.routing

    extract = getattr(fastapi.routing, "_extract_endpoint_context", None)

    def context(request: Request) -> Any:
        ctx: dict[str, Any] = {}
        if extract is not None and dependant.call is not None:
            ctx = dict(extract(dependant.call))
        mount_path = request.scope.get("root_path", "").rstrip("/")
        ctx["path"] = f"{request.method} {mount_path}{dependant.path or path}"
        return ctx

    return context


__all__ = ["Solver", "endpoint_context", "plan", "read_body"]
