"""Route matching narrowed by the path's first segments, with Starlette's semantics.

Starlette's router tries every route in order until one matches: the native member
read is the 26th route, so each request ran 26 regular expressions (with their
``root_path`` handling) before its own. :class:`RouteIndex` files each route under
the first :data:`DEPTH` literal segments of its path (``/api/v2/members/{id}``:
``("api", "v2", "members")``); a route whose path has fewer literal segments than
that, and any route that is not a plain path route, is tried for every path. A
request then tries only the routes that could match its path, in the app's order,
with the router's own rules: the first full match is handled, else the first partial
one (a 405). A path no candidate matches goes to the router itself, which tries every
route again and answers 404 (``redirect_slashes`` is off: ``app.py``). The index
is rebuilt when the router's routes change.
"""

from __future__ import annotations

from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

DEPTH = 3


def _key(path: str) -> tuple[str, ...]:
    return tuple(path.split("/", DEPTH + 1)[1 : DEPTH + 1])


class RouteIndex:
    def __init__(self, router: Router) -> None:
        self.router = router
        self._fallback = router.app
        self._built: list[BaseRoute] | None = None
        self._size = -1
        self._by_key: dict[tuple[str, ...], list[BaseRoute]] = {}
        self._always: list[BaseRoute] = []

    def _build(self) -> None:
        routes = self.router.routes
        filed: dict[tuple[str, ...], list[tuple[int, BaseRoute]]] = {}
        always: list[tuple[int, BaseRoute]] = []
        for i, route in enumerate(routes):
            literal = _literal_segments(route)
            if literal is None or len(literal) < DEPTH:
                always.append((i, route))
            else:
                filed.setdefault(tuple(literal[:DEPTH]), []).append((i, route))
        self._by_key = {
            key: [r for _, r in sorted(found + always, key=lambda pair: pair[0])]
            for key, found in filed.items()
        }
        self._always = [r for _, r in always]
        self._built = routes
        self._size = len(routes)

    def pick(self, scope: Scope) -> tuple[BaseRoute, Any] | None:
        """The route the router would handle ``scope`` with and its child scope: the
        first full match among the candidates, else the first partial one; None when no
        candidate matches (the router's own 404)."""
        routes = self.router.routes
        if routes is not self._built or len(routes) != self._size:
            self._build()
        candidates = self._by_key.get(_key(get_route_path(scope)), self._always)
        partial: tuple[BaseRoute, Any] | None = None
        for route in candidates:
            match, child_scope = route.matches(scope)
            if match == Match.FULL:
                return route, child_scope
            if match == Match.PARTIAL and partial is None:
                partial = route, child_scope
        return partial

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._fallback(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self.router
        picked = self.pick(scope)
        if picked is None:
            await self._fallback(scope, receive, send)
            return
        route, child_scope = picked
        scope.update(child_scope)
        await route.handle(scope, receive, send)


def _literal_segments(route: BaseRoute) -> list[str] | None:
    """The whole segments of a path route's path before its first parameter (a route
    that is not a plain path route: None)."""
    if not isinstance(route, Route):
        return None
    path: str = route.path
    if not path.startswith("/"):
        return None
    literal: list[str] = []
    for segment in path.split("/")[1:]:
        if "{" in segment:
            break
        literal.append(segment)
    return literal


def install(router: Router) -> RouteIndex:
    """Put a :class:`RouteIndex` in front of ``router``, unless the router has
    middleware of its own (then it is left as it is)."""
    index = RouteIndex(router)
    if router.middleware_stack == router.app:
        router.middleware_stack = index
    return index
