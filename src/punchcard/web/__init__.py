"""Server-rendered pages beside the API faces: today the member portal's magic-link
pages and its minimal signed-in page (``portal.py``), in plain escaped HTML
(``pages.py``). Like a face, it only parses, calls core services and renders; it
imports no face (``api`` and ``web`` are siblings in the layers)."""

from __future__ import annotations

from fastapi import FastAPI

from punchcard.web import portal


def install(app: FastAPI) -> None:
    """Mount the pages (before the faces' dispatch index is built)."""
    app.include_router(portal.router)


__all__ = ["install"]
