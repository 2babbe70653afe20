"""The pages' static files, from the package: ``/static/web/*`` (the stylesheet) and
``/static/htmx/*`` (htmx, vendored from npm's ``htmx.org``). Only files that exist in
those folders are served; nothing is fetched from the internet."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, Response

BUNDLES = ("web", "htmx")
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


@cache
def _files(bundle: str) -> dict[str, bytes]:
    folder = resources.files("punchcard") / "static" / bundle
    return {
        f.name: f.read_bytes()
        for f in folder.iterdir()
        if f.is_file() and any(f.name.endswith(ext) for ext in TYPES)
    }


def install(app: FastAPI) -> None:
    @app.get("/static/{bundle}/{name}", include_in_schema=False)
    async def static_file(bundle: str, name: str) -> Response:
        files = _files(bundle) if bundle in BUNDLES else {}
        body = files.get(name)
        if body is None:
            return PlainTextResponse("Not found", status_code=404)
        media_type = next(t for ext, t in TYPES.items() if name.endswith(ext))
        return Response(
            body,
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )
