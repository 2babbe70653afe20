"""The MCP server (official ``mcp`` SDK, ``MCPServer``) with the tools registered.

Every tool call resolves the caller's API key afresh (``auth.principal``): stdio takes
the key of ``PUNCHCARD_API_KEY`` given at start, streamable HTTP (``punchcard.api.mcp_http``) the
request's ``Authorization: Bearer``. The key needs ``metrics:read``; a revoked key
stops working at the next call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field
from sqlalchemy.orm import Session

from punchcard.db.uow import Database
from punchcard.errors import PunchcardError
from punchcard.identity.principal import Principal
from punchcard.mcp_server import tools
from punchcard.mcp_server.auth import principal
from punchcard.metrics import leaders

NAME = "punchcard"
INSTRUCTIONS = (
    "Read-only access to one Punchcard loyalty program (the tenant of the API key): "
    "metrics over a period, the points liability, top members, one member's summary. "
    "Dates are the tenant's local days (YYYY-MM-DD); money is a decimal string."
)

TokenOf = Callable[[Context], str | None]


def build(db: Database, token_of: TokenOf) -> MCPServer:
    """The server with its tools; ``token_of(ctx)`` is the API key of a call."""
    server = MCPServer(NAME, instructions=INSTRUCTIONS, log_level="WARNING")

    async def run(ctx: Context, work: Callable[[Session, Principal], dict[str, Any]]) -> Any:
        def call() -> dict[str, Any]:
            who = principal(db, token_of(ctx))
            with db.transaction(write=False) as session:
                return work(session, who)

        try:
            return await anyio.to_thread.run_sync(call)
        except PunchcardError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise ToolError(f"{exc.code}: {exc.message}{where}") from None

    @server.tool()
    async def get_metrics(
        ctx: Context,
        start: Annotated[
            str | None, Field(description="First local day YYYY-MM-DD; default 29 days before end")
        ] = None,
        end: Annotated[
            str | None, Field(description="Last local day YYYY-MM-DD; default today")
        ] = None,
        interval: Annotated[
            Literal["day", "week", "month"], Field(description="How the series is folded")
        ] = "day",
    ) -> dict[str, Any]:
        """The program's figures over a period (at most 731 days): points issued,
        redeemed, expired, clawed back; outstanding points and liability; breakage and
        redemption rate; active, new and total members; members by tier; orders, GMV,
        refunds; referral clicks, conversions and revenue; reward and coupon
        redemptions. The same document as GET /api/v2/metrics."""
        return await run(
            ctx,
            lambda s, p: tools.get_metrics(s, p, start=start, end=end, interval=interval),
        )

    @server.tool()
    async def program_liability(ctx: Context) -> dict[str, Any]:
        """Outstanding points now, what one point is worth, and the liability they make."""
        return await run(ctx, tools.program_liability)

    @server.tool()
    async def top_members(
        ctx: Context,
        by: Annotated[
            leaders.Ranking,
            Field(
                description="points balance, spend (orders less refunds) or referral conversions"
            ),
        ] = "points",
        limit: Annotated[int, Field(ge=1, le=tools.MAX_LIMIT)] = 10,
    ) -> dict[str, Any]:
        """The program's top members by points, spend or referrals (at most 100)."""
        return await run(ctx, lambda s, p: tools.top_members(s, p, by=by, limit=limit))

    @server.tool()
    async def member_summary(
        ctx: Context,
        member_id: Annotated[str | None, Field(description="The member's id, mem_…")] = None,
        email: Annotated[str | None, Field(description="Or the member's email")] = None,
    ) -> dict[str, Any]:
        """One member by id or email: points balance, tier, the last 20 ledger entries."""
        return await run(
            ctx, lambda s, p: tools.member_summary(s, p, member_id=member_id, email=email)
        )

    return server


def stdio_server(db: Database, token: str) -> MCPServer:
    """The server for ``punchcard mcp``: every call acts with ``token``."""
    return build(db, lambda ctx: token)
