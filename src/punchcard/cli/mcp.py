"""``punchcard mcp``: the MCP server on stdio for the tenant of ``PUNCHCARD_API_KEY``."""

from __future__ import annotations

import os
import sys

import typer

from punchcard.cli.database import open_db
from punchcard.errors import InsufficientScope, Unauthenticated
from punchcard.mcp_server.auth import SCOPE, principal


def mcp() -> None:
    """Serve the Model Context Protocol on stdio (read-only tools over the program of
    the API key in PUNCHCARD_API_KEY, which needs the metrics:read scope)."""
    token = os.environ.get("PUNCHCARD_API_KEY", "").strip()
    if not token:
        _fail(f"PUNCHCARD_API_KEY is not set: create a key with {SCOPE} (punchcard keys create)")
    db = open_db()
    try:
        principal(db, token)
    except Unauthenticated as exc:
        db.dispose()
        _fail(f"PUNCHCARD_API_KEY is refused: {exc.message}")
    except InsufficientScope as exc:
        db.dispose()
        _fail(f"PUNCHCARD_API_KEY is refused: {exc.message}")
    # The SDK is imported here only: every other command (and each `serve` process,
    # which re-imports this module) starts without it.
    from punchcard.mcp_server.server import stdio_server

    try:
        # stdout is the protocol's channel: nothing else may be printed there.
        stdio_server(db, token).run("stdio")
    finally:
        db.dispose()


def _fail(message: str) -> None:
    print(f"punchcard mcp: {message}", file=sys.stderr, flush=True)
    raise typer.Exit(2)
