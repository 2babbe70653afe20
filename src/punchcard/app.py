"""create_app(): the ASGI application with every face mounted."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from punchcard import __version__
from punchcard.api.common import errors
from punchcard.api.common.guards import RejectNul
from punchcard.api.common.openapi import face_openapi
from punchcard.audit.writer import AuditWriter
from punchcard.config import Settings, get_settings
from punchcard.db.uow import Database
from punchcard.events.data import Renderer, combine
from punchcard.identity import cache as key_cache
from punchcard.kit.clock import Clock

if TYPE_CHECKING:
    from punchcard.worker.runner import Worker

NATIVE_PREFIX = "/api/v2"
NATIVE_DESCRIPTION = (
    "Punchcard's native face, compatible with the SocialHub v2 REST API. "
    "Authenticate with `Authorization: Bearer fl_live_…` (an API key) or a session token. "
    'Errors are `{"error": {"code", "message", "field"}}`; lists are '
    '`{"<plural>": [...], "total", "limit", "offset"}`; every POST accepts `Idempotency-Key`.'
)


def create_app(
    settings: Settings | None = None, *, db: Database | None = None, clock: Clock | None = None
) -> FastAPI:
    settings = settings or get_settings()
    database = db or Database(settings.database_url, settings=settings, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.audit.start()
        worker = _start_worker(settings, database)
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            app.state.audit.stop()
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
    errors.install(app)
    app.add_middleware(RejectNul)
    # Health checks first: routes match in order, and probes should not walk the API.
    _health(app)

    from punchcard.api.native import router as native_router

    app.include_router(native_router, prefix=NATIVE_PREFIX)
    _mount_docs(
        app, NATIVE_PREFIX, "Punchcard native API (SocialHub v2 compatible)", NATIVE_DESCRIPTION
    )

    from punchcard.api import shopsocially

    app.include_router(shopsocially.router, prefix=shopsocially.PREFIX)
    _mount_docs(
        app,
        shopsocially.PREFIX,
        shopsocially.TITLE,
        shopsocially.DESCRIPTION,
        document=lambda: shopsocially.openapi(app),
    )
    return app


def event_renderers() -> dict[str, Renderer]:
    """The webhook body renderers of every mounted face, for the worker (in `serve` and
    `punchcard worker`). Each face renders the event types its contract defines."""
    from punchcard.api.native.events import RENDERERS as native

    return combine(native)


def _start_worker(settings: Settings, database: Database) -> Worker | None:
    """The webhook worker and scheduled jobs, in-process unless turned off
    (`serve --no-worker` sets PUNCHCARD_RUN_WORKER=0 after settings were read)."""
    if not settings.run_worker or os.environ.get("PUNCHCARD_RUN_WORKER") == "0":
        return None
    from punchcard.worker.runner import Worker

    worker = Worker(database, settings, renderers=event_renderers())
    worker.start()
    return worker


def _mount_docs(
    app: FastAPI,
    prefix: str,
    title: str,
    description: str,
    *,
    document: Callable[[], dict[str, Any]] | None = None,
) -> None:
    """Serve the face's OpenAPI document and Swagger UI; ``document`` builds a face's
    own (default: ``face_openapi`` with the native error schema)."""
    cache: dict[str, Any] = {}

    @app.get(f"{prefix}/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        if "doc" not in cache:
            cache["doc"] = (
                document()
                if document is not None
                else face_openapi(app, prefix, title=title, description=description)
            )
        return JSONResponse(cache["doc"])

    @app.get(f"{prefix}/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=f"{prefix}/openapi.json", title=title)


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
