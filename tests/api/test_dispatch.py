"""The route index (api/common/dispatch.py) picks, for every path and method, the route
Starlette's router picks by trying every route in order: the first full match, else the
first partial one (a 405), else none (the router's redirect or 404)."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import BaseRoute, Match

from punchcard.api.common.dispatch import RouteIndex

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _linear(routes: list[BaseRoute], scope: dict[str, Any]) -> BaseRoute | None:
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return route
        if match == Match.PARTIAL and partial is None:
            partial = route
    return partial


def _paths(app: Any) -> list[str]:
    """A concrete path for every route (each parameter a plausible value), the same with
    a trailing slash, and paths that match no route."""
    paths = ["/", "/nope", "/api/v2/nope", "/api/v2/members/x/nope/deeper"]
    for route in app.router.routes:
        path = getattr(route, "path", None)
        if not path:
            continue
        concrete = re.sub(r"\{[^}]+\}", "abc123", path)
        paths += [concrete, concrete.rstrip("/") + "/"]
    return paths


def test_the_index_picks_the_route_the_router_picks(app: Any) -> None:
    index = RouteIndex(app.router)
    routes = list(app.router.routes)
    checked = 0
    for path in _paths(app):
        for method in METHODS:
            scope = {
                "type": "http",
                "method": method,
                "path": path,
                "root_path": "",
                "query_string": b"",
                "headers": [],
            }
            picked = index.pick(dict(scope))
            assert (picked[0] if picked else None) is _linear(routes, dict(scope)), (method, path)
            checked += 1
    # Every route was looked up, with every method (full matches and 405s alike).
    assert checked >= len(routes) * len(METHODS)
