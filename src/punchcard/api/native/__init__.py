"""The native face, ``/api/v2``: SocialHub's contract plus Punchcard's extensions.

Each module owns one resource group and exposes ``router``; ``FACE`` is what
``create_app`` mounts.
"""

from __future__ import annotations

from fastapi import APIRouter

from punchcard.api.common.auth import read_bearer
from punchcard.api.common.face import Face
from punchcard.api.common.routing import UnitOfWorkRoute
from punchcard.api.native import (
    ambassador,
    api_keys,
    auth,
    captures,
    catalog,
    checkins,
    community,
    coupons,
    errors,
    events,
    feedback,
    me,
    member_groups,
    member_points,
    members,
    metrics,
    orders,
    privacy,
    programs,
    quests,
    referrals,
    settings,
    sso,
    stores,
    tags,
    testimonials,
    tracking,
    webhooks,
)

router = APIRouter(route_class=UnitOfWorkRoute)

# Order matters only where paths overlap: /members/batch before /members/{id}.
for module in (
    auth,
    api_keys,
    settings,
    stores,
    members,
    privacy,
    member_points,
    me,
    programs,
    tags,
    member_groups,
    captures,
    checkins,
    orders,
    coupons,
    catalog,
    tracking,
    ambassador,
    referrals,
    testimonials,
    feedback,
    community,
    quests,
    sso,
    webhooks,
    metrics,
):
    router.include_router(module.router)

PREFIX = "/api/v2"
TITLE = "Punchcard native API (SocialHub v2 compatible)"
DESCRIPTION = (
    "Punchcard's native face, compatible with the SocialHub v2 REST API. "
    "Authenticate with `Authorization: Bearer fl_live_…` (an API key) or a session token. "
    'Errors are `{"error": {"code", "message", "field"}}`; lists are '
    '`{"<plural>": [...], "total", "limit", "offset"}`; every POST accepts `Idempotency-Key`.'
)

FACE = Face(
    prefix=PREFIX,
    router=router,
    title=TITLE,
    description=DESCRIPTION,
    # The core's errors in the native contract's words (errors.py).
    render_error=errors.render,
    credentials=read_bearer,
    # Webhook bodies of the native contract's events, rendered by the worker.
    events=events.RENDERERS,
)
