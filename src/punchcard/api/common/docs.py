"""API documentation served from the package: Swagger UI's assets (vendored from the
npm package ``swagger-ui-dist`` into ``punchcard/static/swagger-ui/``, see
docs/architecture.md), each face's Swagger UI page pointing at them, and an index of
every face at ``/docs``. Nothing is fetched from the internet at run time, so a
self-hosted install without internet access still shows its documentation."""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import cache
from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from punchcard import errors as E
from punchcard.api.common.face import Face

ASSETS_PATH = "/docs/swagger-ui"
# The vendored files and how each is served; any other name is a 404.
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "LICENSE": "text/plain; charset=utf-8",
    "NOTICE": "text/plain; charset=utf-8",
    "swagger-ui-bundle.js.LICENSE.txt": "text/plain; charset=utf-8",
}


@cache
def asset(name: str) -> bytes:
    return resources.files("punchcard").joinpath("static", "swagger-ui", name).read_bytes()


@cache
def swagger_ui_version() -> str:
    return asset("VERSION").decode().strip()


def asset_url(name: str) -> str:
    # The version in the query: a browser's cached copy is dropped on an update.
    return f"{ASSETS_PATH}/{name}?v={swagger_ui_version()}"


def swagger_page(face: Face) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=f"{face.prefix}/openapi.json",
        title=face.title,
        swagger_js_url=asset_url("swagger-ui-bundle.js"),
        swagger_css_url=asset_url("swagger-ui.css"),
        swagger_favicon_url=asset_url("favicon-32x32.png"),
        # No validator badge: Swagger UI would fetch it from validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )


def index_page(faces: Sequence[Face], version: str) -> HTMLResponse:
    rows = "\n".join(
        f'<li><a href="{html.escape(f.prefix)}/docs">{html.escape(f.title)}</a> '
        f"<code>{html.escape(f.prefix)}</code> · "
        f'<a href="{html.escape(f.prefix)}/openapi.json">OpenAPI document</a></li>'
        for f in faces
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="icon" href="{asset_url("favicon-32x32.png")}">
<title>Punchcard API documentation</title>
<style>body{{font-family:sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
line-height:1.6}}code{{background:#f2f2f2;padding:0 .3em}}</style>
</head>
<body>
<h1>Punchcard API documentation</h1>
<p>Punchcard {html.escape(version)} serves one API per dialect (a <em>face</em>). Each
has its own interactive documentation and OpenAPI document:</p>
<ul>
{rows}
</ul>
</body>
</html>
"""
    return HTMLResponse(page)


def install(app: FastAPI, faces: Sequence[Face]) -> None:
    """The index and the assets (each face's page is mounted with the face). Added
    after the faces' routes: a request to a face never tries these."""

    @app.get("/docs", include_in_schema=False)
    async def docs_index() -> HTMLResponse:
        return index_page(faces, app.version)

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def swagger_asset(name: str) -> Response:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise E.NotFound("No such file", field="name")
        return Response(
            asset(name),
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=86400"},
        )
