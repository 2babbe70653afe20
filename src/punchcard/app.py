"""create_app(): the ASGI application with every face mounted."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from punchcard import __version__, web
from punchcard.api import addglow, advocate, native, shopsocially
from punchcard.api.common import dispatch, errors, metrics, ratelimit
from punchcard.api.common import docs as api_docs
from punchcard.api.common.face import EventRenderer, Face, combine_events
from punchcard.api.common.guards import BodyLimit, RejectNul
from punchcard.api.common.openapi import face_openapi
from punchcard.api.mcp_http import Endpoint as McpEndpoint
from punchcard.api.native.cors import MeCors
from punchcard.audit.writer import AuditWriter
from punchcard.config import Settings, get_settings
from punchcard.db.uow import Database
from punchcard.identity import cache as key_cache
from punchcard.kit.clock import Clock
from punchcard.wiring import wire

if TYPE_CHECKING:
    from punchcard.worker.runner import Worker

# Every face the app serves, each mounted the same way (`_mount`). Adding a face is a
# package under api/ exporting FACE and one entry here.
FACES: tuple[Face, ...] = (native.FACE, advocate.FACE, shopsocially.FACE, addglow.FACE)


def create_app(
    settings: Settings | None = None, *, db: Database | None = None, clock: Clock | None = None
) -> FastAPI:
    wire()  # the order followers (referral pay): every face places orders
    settings = settings or get_settings()
    database = db or Database(settings.database_url, settings=settings, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.audit.start()
        worker = _start_worker(settings, database)
        try:
            async with app.state.mcp.run():  # the MCP endpoint's task group (/mcp)
                yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            app.state.audit.stop()
            if database.loop_reads is not None:  # this loop's async connections
                database.loop_reads.close()
            if db is None:
                database.dispose()

    app = FastAPI(
        title="Punchcard",
        version=__version__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    key_cache.api_keys.ttl = settings.api_key_cache_seconds
    app.state.db = database
    app.state.audit = AuditWriter(database)
    # Plan rate limits per API key (in Redis when PUNCHCARD_REDIS_URL is set).
    app.state.limiter = ratelimit.Limiter.from_settings(settings)
    # No trailing-slash redirects: Starlette's is an absolute URL built from the
    # request's scheme, `http://` behind a TLS proxy. A path with a stray slash is a 404
    # in its face's envelope, as Stripe answers.
    app.router.redirect_slashes = False
    errors.install(app)
    app.add_middleware(RejectNul)
    # Outermost of the two: a body over the limit is refused before anything reads it.
    app.add_middleware(
        BodyLimit, limit=settings.max_body_bytes, bulk_limit=settings.max_bulk_body_bytes
    )
    # CORS of /api/v2/me for the tenants' storefront origins (api/native/cors.py).
    app.add_middleware(MeCors)
    # Health checks first: routes match in order, and probes should not walk the API.
    _health(app)

    # The app's faces, for error rendering (the renderer of the face a path is under).
    app.state.faces = FACES
    for face in FACES:
        _mount(app, face)
    # Server-rendered pages (the member portal's magic links), outside every face.
    web.install(app)
    # The MCP server over streamable HTTP (api/mcp_http.py), bearer API key.
    app.state.mcp = McpEndpoint(database)
    app.router.add_route("/mcp", app.state.mcp, include_in_schema=False)
    # The index of every face's documentation and the Swagger UI assets (after the
    # faces: a face's request never tries these routes).
    api_docs.install(app, FACES)
    # Prometheus: every request counted by face, route template and status; /metrics.
    metrics.install(app, database, [face.prefix for face in FACES])
    # Each request tries only the routes its path's first segments can match.
    dispatch.install(app.router)
    return app


def event_renderers() -> dict[str, EventRenderer]:
    """The webhook body renderers of every face in ``FACES`` (``Face.events``), for
    the worker: each face renders the event types its contract defines."""
    return combine_events(FACES)


def _start_worker(settings: Settings, database: Database) -> Worker | None:
    """The webhook worker and scheduled jobs, in-process unless turned off
    (`serve --no-worker` sets PUNCHCARD_RUN_WORKER=0 after settings were read)."""
    if not settings.run_worker or os.environ.get("PUNCHCARD_RUN_WORKER") == "0":
        return None
    from punchcard.worker.runner import Worker

    worker = Worker(database, settings, renderers=event_renderers())
    worker.start()
    return worker


def _mount(app: FastAPI, face: Face) -> None:
    """The face's routes under its prefix, its OpenAPI document (built once, on first
    request: the app's routes are all in place by then) and its Swagger UI (assets
    served from the package, ``api/common/docs.py``)."""
    app.include_router(face.router, prefix=face.prefix)
    cache: dict[str, Any] = {}

    @app.get(f"{face.prefix}/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        if "doc" not in cache:
            cache["doc"] = face_openapi(app, face)
        return JSONResponse(cache["doc"])

    @app.get(f"{face.prefix}/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return api_docs.swagger_page(face)


def _health(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        def ping() -> None:
            with request.app.state.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))

        try:
            await run_in_threadpool(ping)
        except Exception:
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable"}, status_code=503
            )
        return JSONResponse({"status": "ok", "database": "ok"})
