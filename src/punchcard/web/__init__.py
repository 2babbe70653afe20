"""Server-rendered pages beside the API faces: the merchant dashboard (``dashboard/``)
and the member portal (``portal/``), Jinja2 templates (``templates/``) with htmx and a
stylesheet served from the package (``static.py``). Like a face, it only parses, calls
core services and renders; it imports no face (``api`` and ``web`` are siblings in the
layers)."""

from __future__ import annotations

from fastapi import FastAPI

from punchcard.web import dashboard, portal, static
from punchcard.web.templating import ENV

ENV.globals["dashboard_nav"] = dashboard.NAV
ENV.globals["portal_nav"] = portal.NAV


def install(app: FastAPI) -> None:
    """Mount the pages (before the faces' dispatch index is built)."""
    static.install(app)
    dashboard.install(app)
    portal.install(app)


__all__ = ["install"]
