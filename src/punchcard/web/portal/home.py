"""The portal's home at ``/portal/{partnerId}/``: the member's balance, pending points,
tier and the way to the next one, upcoming expiries, and the check-in QR code.

The QR code is inline SVG drawn by ``segno`` (a regular QR code, never Micro QR),
encoding a check-in token (``punchcard.checkins``) valid a few minutes; the page asks
for a new code every minute with htmx (``GET /portal/{partnerId}/qr``, a fragment), so
the code on screen is always fresh. A member whose session ended meanwhile is sent to
the join page (htmx follows ``HX-Redirect``).

The catch-all route comes last among the portal's routers: a path no other page serves
(an AddGlow ``returnTo``, say) shows the home page to a signed-in member and sends anyone
else to the join page.
"""

from __future__ import annotations

from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from punchcard.checkins import service as checkins
from punchcard.checkins.tokens import REFRESH_SECONDS
from punchcard.config import Settings
from punchcard.ledger import points
from punchcard.members import service as members
from punchcard.tiers.views import tier_view
from punchcard.web.portal.session import MemberCtx, member_view

router = APIRouter(include_in_schema=False)

QR_LABEL = "QR code to check in at a store"


def qr_svg(text: str) -> Markup:
    """``text`` as an inline SVG QR code (error correction M, white quiet zone), marked
    up as one image for assistive technology."""
    code = segno.make_qr(text, error="m")
    svg = code.svg_inline(scale=1, omitsize=True, svgclass="qr", light="#fff", dark="#000")
    label = escape(QR_LABEL)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704 - segno's SVG, label escaped


def _qr_context(ctx: MemberCtx) -> dict[str, Any]:
    settings: Settings = ctx.request.app.state.settings
    token = checkins.token_for(ctx.session, ctx.member, secret_key=settings.secret_key)
    return {
        "qr": qr_svg(token),
        "qr_url": ctx.url("/qr"),
        "refresh_seconds": REFRESH_SECONDS,
    }


def _home(ctx: MemberCtx) -> Response:
    member = ctx.member
    tiers = tier_view(ctx.session, ctx.principal, member_id=member.id)
    progress = None
    if tiers.next_tier is not None and tiers.points_to_next is not None:
        goal = tiers.next_tier.min_points
        reached = max(goal - tiers.points_to_next, 0)
        progress = {"value": reached, "max": max(goal, 1), "left": tiers.points_to_next}
    return ctx.page(
        "portal/home.html",
        title="Home",
        name=members.full_name(member.first_name, member.last_name) or member.email or "member",
        balance=member.points_balance,
        pending=member.pending_points,
        tiers=tiers,
        progress=progress,
        expiries=points.schedule(ctx.session, member),
        **_qr_context(ctx),
    )


@router.get("/portal/{partner_id}", response_class=HTMLResponse)
async def portal_root(request: Request, partner_id: str) -> Response:
    """``/portal/{partnerId}`` without its slash: home as well."""
    return await member_view(request, partner_id, _home)


@router.get("/portal/{partner_id}/", response_class=HTMLResponse)
async def portal_home(request: Request, partner_id: str) -> Response:
    """The signed-in member's home."""
    return await member_view(request, partner_id, _home)


@router.get("/portal/{partner_id}/qr", response_class=HTMLResponse)
async def qr_fragment(request: Request, partner_id: str) -> Response:
    """A fresh QR code (the htmx swap of the home page)."""
    return await member_view(
        request, partner_id, lambda ctx: ctx.page("portal/_qr.html", **_qr_context(ctx))
    )


@router.get("/portal/{partner_id}/{rest:path}", response_class=HTMLResponse)
async def portal_page(request: Request, partner_id: str, rest: str) -> Response:
    """Any other portal path (``returnTo``): home for a signed-in member."""
    return await member_view(request, partner_id, _home)
