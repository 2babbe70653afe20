"""The API documentation works without the internet: every face's Swagger UI page
loads its assets from the package, the assets are served with their content types,
``/docs`` lists every face, and each face's OpenAPI document carries only its own
schemas and security schemes."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from punchcard.api.common.docs import ASSETS
from punchcard.api.common.face import Face
from punchcard.app import FACES

FACE_IDS = [face.prefix for face in FACES]
ROOT = Path(__file__).resolve().parents[2]
STATIC = resources.files("punchcard").joinpath("static", "swagger-ui")
# Where a page names what the browser loads: <script src>, <link href>, <img src>,
# and url(...) in inline CSS.
ASSET_REF = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")


def _assets_of(page: str) -> list[str]:
    return [a or b for a, b in ASSET_REF.findall(page)]


@pytest.mark.parametrize("face", FACES, ids=FACE_IDS)
def test_every_face_docs_page_loads_nothing_from_the_internet(
    client: TestClient, face: Face
) -> None:
    r = client.get(f"{face.prefix}/docs")
    assert r.status_code == 200
    page = r.text
    assert not re.search(r"https?://", page), "the page names an outside address"
    assert '"validatorUrl": null' in page  # no badge fetched from validator.swagger.io
    refs = _assets_of(page)
    scripts = [u for u in refs if ".js" in u]
    styles = [u for u in refs if ".css" in u]
    assert scripts and styles
    for url in refs:
        assert url.startswith("/"), url
        got = client.get(url)
        assert got.status_code == 200, url
    bundle = client.get(scripts[0])
    assert bundle.headers["content-type"] == "text/javascript; charset=utf-8"
    assert b"SwaggerUIBundle" in bundle.content
    assert client.get(styles[0]).headers["content-type"] == "text/css; charset=utf-8"


def test_the_assets_are_the_vendored_files_with_their_content_types(client: TestClient) -> None:
    version = STATIC.joinpath("VERSION").read_text().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    for name, media_type in ASSETS.items():
        r = client.get(f"/docs/swagger-ui/{name}")
        assert r.status_code == 200, name
        assert r.headers["content-type"] == media_type, name
        assert r.content == STATIC.joinpath(name).read_bytes(), name
    assert client.get("/docs/swagger-ui/favicon-32x32.png").content.startswith(b"\x89PNG")
    assert b"Apache License" in client.get("/docs/swagger-ui/LICENSE").content


@pytest.mark.parametrize("name", ["VERSION", "nope.js", "..%2Fapp.py", "%2E%2E"])
def test_only_the_listed_assets_are_served(client: TestClient, name: str) -> None:
    r = client.get(f"/docs/swagger-ui/{name}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NOT_FOUND"


def test_the_wheel_ships_every_vendored_file() -> None:
    """pyproject's package data covers every file under static/swagger-ui/ (an
    installed wheel, not only this checkout, must have them)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["punchcard"]
    folder = ROOT / "src" / "punchcard" / "static" / "swagger-ui"
    files = [p.relative_to(folder.parents[1]).as_posix() for p in folder.iterdir()]
    assert set(ASSETS) | {"VERSION"} <= {Path(f).name for f in files}
    for f in files:
        assert any(fnmatch.fnmatch(f, p) for p in patterns), f


def test_the_docs_index_links_every_face(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://", r.text)
    links = set(_assets_of(r.text))
    for face in FACES:
        assert f"{face.prefix}/docs" in links, face.prefix
        assert f"{face.prefix}/openapi.json" in links, face.prefix
        assert face.title in r.text
    for url in links:
        assert client.get(url).status_code == 200, url


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


@pytest.mark.parametrize("face", FACES, ids=FACE_IDS)
def test_each_face_document_holds_only_its_own_components(client: TestClient, face: Face) -> None:
    doc = client.get(f"{face.prefix}/openapi.json").json()
    components = doc["components"]
    # Security schemes: exactly those its operations ask for.
    asked = {
        name
        for ops in doc["paths"].values()
        for op in ops.values()
        for requirement in op.get("security", [])
        for name in requirement
    }
    assert set(components.get("securitySchemes", {})) == asked
    # Schemas: exactly those reachable from its paths and its error envelope.
    reached: set[str] = set()
    frontier = _refs(doc["paths"]) | {"#/components/schemas/Error"}
    while frontier:
        ref = frontier.pop()
        name = ref.removeprefix("#/components/schemas/")
        assert name in components["schemas"], f"dangling {ref}"
        if name not in reached:
            reached.add(name)
            frontier |= _refs(components["schemas"][name])
    assert set(components["schemas"]) == reached


def test_a_face_document_names_no_other_face_credentials(client: TestClient) -> None:
    schemes = {
        face.prefix: set(
            client.get(f"{face.prefix}/openapi.json").json()["components"]["securitySchemes"]
        )
        for face in FACES
    }
    assert schemes["/api/v2"] == {"HTTPBearer"}
    assert schemes["/v2/loyalty"] == {"PartnerId", "ApiKey"}
