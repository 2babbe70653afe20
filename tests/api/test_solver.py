"""The planned dependency solver (``api/common/solver.py``): the routes it runs, and that
it runs their dependencies as FastAPI would (order, each once, the same values and
errors), falling back to FastAPI's own solver for any other shape and whenever
``app.dependency_overrides`` is set."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.dependencies.utils import solve_dependencies
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from punchcard.api.common import auth, solver
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.identity.principal import Principal
from tests.factories import Tenant


def _route(app: FastAPI, path: str, method: str) -> APIRoute:
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path == path and method in route.methods:
            return route
    raise AssertionError(f"no route {method} {path}")


def test_the_member_read_is_planned_and_a_route_with_a_page_or_a_body_is_not(
    app: FastAPI,
) -> None:
    read = _route(app, "/api/v2/members/{id}", "GET")
    assert solver.plan(read.dependant, embed_body_fields=False) is not None
    # A page is a dependency with query parameters: FastAPI's own solver.
    listing = _route(app, "/api/v2/members", "GET")
    assert solver.plan(listing.dependant, embed_body_fields=False) is None


calls: list[str] = []


async def first(request: Request) -> str:
    calls.append("first")
    return f"first:{request.method}"


async def second(value: Annotated[str, Depends(first)]) -> str:
    calls.append("second")
    return f"second<{value}>"


async def with_query(q: Annotated[int, Query()] = 1) -> int:
    return q


async def generator() -> AsyncIterator[int]:
    yield 1


def _app() -> FastAPI:
    router = APIRouter(route_class=UnitOfWorkRoute)

    @router.get("/shared/{name}")
    def shared(
        a: Annotated[str, Depends(second)],
        b: Annotated[str, Depends(first)],
        name: str,
        request: Request,
    ) -> dict[str, Any]:
        return {"a": a, "b": b, "name": name, "request": request.url.path}

    @router.get("/query")
    def query(value: Annotated[int, Depends(with_query)], session: DbSession) -> dict[str, int]:
        return {"value": value}

    @router.get("/generator")
    def gen(value: Annotated[int, Depends(generator)], session: DbSession) -> dict[str, int]:
        return {"value": value}

    @router.get("/typed/{n}")
    def typed(n: int) -> dict[str, int]:
        return {"n": n}

    app = FastAPI()
    app.include_router(router)
    return app


def test_a_dependency_used_twice_runs_once_in_fastapis_order() -> None:
    app = _app()
    route = _route(app, "/shared/{name}", "GET")
    plan = solver.plan(route.dependant, embed_body_fields=False)
    assert plan is not None
    assert solver.plan(_route(app, "/query", "GET").dependant, embed_body_fields=False) is None
    assert solver.plan(_route(app, "/generator", "GET").dependant, embed_body_fields=False) is None

    async def both() -> tuple[dict[str, Any], dict[str, Any], list[str], list[str]]:
        request = Request(
            {
                "type": "http",
                "method": "GET",
                "path": "/shared/x",
                "headers": [],
                "query_string": b"",
                "path_params": {"name": "x"},
                "fastapi_inner_astack": AsyncExitStack(),
                "fastapi_function_astack": AsyncExitStack(),
            }
        )
        calls.clear()
        planned, errors = await plan(request, None)
        assert errors == []
        planned_calls = list(calls)
        calls.clear()
        theirs = await solve_dependencies(
            request=request,
            dependant=route.dependant,
            async_exit_stack=AsyncExitStack(),
            embed_body_fields=False,
        )
        assert theirs.errors == []
        return planned, theirs.values, planned_calls, list(calls)

    planned, theirs, planned_calls, their_calls = asyncio.run(both())
    assert planned == theirs
    assert planned["a"] == "second<first:GET>" and planned["name"] == "x"
    assert planned_calls == their_calls == ["first", "second"]


def test_a_path_parameter_that_does_not_validate_is_the_same_error() -> None:
    app = _app()
    route = _route(app, "/typed/{n}", "GET")
    plan = solver.plan(route.dependant, embed_body_fields=False)
    assert plan is not None

    async def both() -> tuple[list[Any], list[Any]]:
        request = Request(
            {
                "type": "http",
                "method": "GET",
                "path": "/typed/seven",
                "headers": [],
                "query_string": b"",
                "path_params": {"n": "seven"},
                "fastapi_inner_astack": AsyncExitStack(),
                "fastapi_function_astack": AsyncExitStack(),
            }
        )
        _, errors = await plan(request, None)
        theirs = await solve_dependencies(
            request=request,
            dependant=route.dependant,
            async_exit_stack=AsyncExitStack(),
            embed_body_fields=False,
        )
        return errors, theirs.errors

    planned, theirs = asyncio.run(both())
    assert planned and planned == theirs


def test_planned_routes_answer_as_fastapi_does(client: TestClient, tenant: Tenant) -> None:
    # The app's own routes through the plan: no credentials, a wrong scope, a member.
    assert client.get("/api/v2/members/mem_x").status_code == 401
    r = tenant.key("points:read").get("/members/mem_x")
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    member = tenant.api.post("/members", json={"email": "s@example.com"}).json()
    assert tenant.api.get(f"/members/{member['id']}").json() == member
    assert tenant.api.get("/members/mem_" + "0" * 32).status_code == 404


def test_overrides_fall_back_to_fastapis_solver(app: FastAPI, tenant: Tenant) -> None:
    member = tenant.api.post("/members", json={"email": "o@example.com"}).json()
    reader = auth.read_bearer
    seen: list[str] = []

    async def overridden(request: Request) -> Principal:
        seen.append("override")
        return await auth.read_bearer(request, None)  # type: ignore[arg-type]

    app.dependency_overrides[reader] = overridden
    try:
        # The override reads no credentials: the key's are never looked at, so a 401.
        r = tenant.api.get(f"/members/{member['id']}")
        assert r.status_code == 401 and seen == ["override"]
    finally:
        app.dependency_overrides.clear()
    assert tenant.api.get(f"/members/{member['id']}").status_code == 200
