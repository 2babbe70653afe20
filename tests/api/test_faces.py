"""Mounting: every face in ``app.FACES`` is served the same way (its routes, OpenAPI
document, Swagger UI, error envelope, declared auth), so a new face is covered by
adding it to the tuple."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from punchcard import errors as E
from punchcard.api.common import errors
from punchcard.api.common.auth import read_bearer
from punchcard.api.common.errors import render_native
from punchcard.api.common.face import Face, combine_events
from punchcard.api.common.openapi import required_auth
from punchcard.app import FACES
from tests.api.test_surface import PUBLIC

FACE_IDS = [face.prefix for face in FACES]


def _routes(app: FastAPI, face: Face) -> list[tuple[str, str, APIRoute]]:
    return [
        (method, route.path, route)
        for route in app.routes
        if isinstance(route, APIRoute)
        and route.path.startswith(face.prefix + "/")
        and route.include_in_schema
        for method in sorted(route.methods)
    ]


@pytest.mark.parametrize("face", FACES, ids=FACE_IDS)
def test_every_face_serves_its_openapi_document(client: TestClient, face: Face) -> None:
    r = client.get(f"{face.prefix}/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["info"]["title"] == face.title
    assert doc["paths"] and all(path.startswith(face.prefix) for path in doc["paths"])
    assert doc["components"]["schemas"]["Error"] == dict(face.error_schema)


@pytest.mark.parametrize("face", FACES, ids=FACE_IDS)
def test_every_face_serves_its_swagger_ui(client: TestClient, face: Face) -> None:
    r = client.get(f"{face.prefix}/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()
    assert f"{face.prefix}/openapi.json" in r.text


@pytest.mark.parametrize("face", FACES, ids=FACE_IDS)
def test_an_unknown_route_under_a_face_answers_in_its_envelope(
    client: TestClient, face: Face
) -> None:
    r = client.get(f"{face.prefix}/no-such-route")
    expected = face.render_error(E.PunchcardError("Not Found", code="NOT_FOUND"), 404)
    assert r.status_code == 404
    assert r.content == expected.body


@pytest.mark.parametrize("face", FACES, ids=FACE_IDS)
def test_every_route_of_a_face_declares_its_auth_or_is_public(app: FastAPI, face: Face) -> None:
    routes = _routes(app, face)
    assert routes
    for method, path, route in routes:
        if (method, path) in PUBLIC:
            continue
        assert required_auth(route.dependant), f"{method} {path} declares no auth"


def _calls(dependant: Dependant) -> set[object]:
    calls = {dep.call for dep in dependant.dependencies} | {
        call for dep in dependant.dependencies for call in _calls(dep)
    }
    # A reader that falls back on other credentials (the native ``/me`` routes' portal
    # cookie) names the face's reader it calls first.
    return calls | {getattr(c, "__punchcard_reads__", None) for c in calls} - {None}


@pytest.mark.parametrize("face", FACES, ids=FACE_IDS)
def test_every_protected_route_of_a_face_reads_that_faces_credentials(
    app: FastAPI, face: Face
) -> None:
    for method, path, route in _routes(app, face):
        if (method, path) not in PUBLIC:
            assert face.credentials in _calls(route.dependant), f"{method} {path}"


@pytest.mark.parametrize("face", FACES, ids=FACE_IDS)
def test_every_protected_route_of_a_face_refuses_a_request_without_credentials(
    app: FastAPI, client: TestClient, face: Face
) -> None:
    for method, path, _route in _routes(app, face):
        if (method, path) in PUBLIC:
            continue
        r = client.request(method, path.replace("{", "").replace("}", ""), json={})
        assert r.status_code == 401, (method, path, r.status_code, r.text)


def test_each_face_is_mounted_once_under_its_own_prefix() -> None:
    prefixes = [face.prefix for face in FACES]
    assert len(set(prefixes)) == len(prefixes)
    assert all(p.startswith("/") and not p.endswith("/") for p in prefixes)


def test_an_error_is_rendered_by_the_face_with_the_longest_matching_prefix() -> None:
    def outer(exc: E.PunchcardError, status: int):  # type: ignore[no-untyped-def]
        return render_native(E.PunchcardError("outer", code="OUTER"), status)

    def inner(exc: E.PunchcardError, status: int):  # type: ignore[no-untyped-def]
        return render_native(E.PunchcardError("inner", code="INNER"), status)

    app = FastAPI()
    errors.install(app)
    face = Face("/x", APIRouter(), "X", "", outer, read_bearer)
    app.state.faces = (face, Face("/x/y", APIRouter(), "Y", "", inner, read_bearer))
    client = TestClient(app)
    assert client.get("/x/y/missing").json()["error"]["code"] == "INNER"
    assert client.get("/x/missing").json()["error"]["code"] == "OUTER"
    assert client.get("/elsewhere").json()["error"]["code"] == "NOT_FOUND"


def test_an_event_type_rendered_by_two_faces_is_refused() -> None:
    def body(data: Mapping[str, Any]) -> dict[str, Any]:
        return dict(data)

    one = Face("/a", APIRouter(), "A", "", render_native, read_bearer, events={"e": body})
    two = Face("/b", APIRouter(), "B", "", render_native, read_bearer, events={"e": body})
    assert combine_events([one])["e"] is body
    with pytest.raises(ValueError, match="two renderers"):
        combine_events([one, two])
