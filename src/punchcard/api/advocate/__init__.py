"""The advocate face, ``/api/v1``: the advocate-marketing API (``seeds/002_…``), so
that an integration written from that document runs against Punchcard with only the
base URL and key changed.

A translator, like every face: an advocate is a member, a reward a redemption option,
a referral code the member's own; each handler calls core services and renders the
document's shapes (``{advocates: [], total, page}``, ``{advocate}``, ...). Errors are
``{"error": {"code", "message", "field"}}`` with the document's statuses (business
refusals are 400: ``errors.py``). Ids are the native face's (``mem_…``, ``rwd_…``), so
an id read here works on ``/api/v2`` and back.
"""

from __future__ import annotations

from fastapi import APIRouter

from punchcard.api.advocate import (
    advocates,
    errors,
    feedback,
    quests,
    referrals,
    rewards,
    sso,
    testimonials,
)
from punchcard.api.advocate.auth import reader
from punchcard.api.common.face import Face
from punchcard.api.common.routing import UnitOfWorkRoute

PREFIX = "/api/v1"
TITLE = "Punchcard advocate API (advocate-marketing v1 compatible)"
DESCRIPTION = (
    "The advocate-marketing API v1 served by Punchcard: advocates, rewards, quests, "
    "referrals, testimonials, feedback boards and SSO. Authenticate with "
    "`Authorization: Bearer <API key>` (a Punchcard key, `fl_live_…`). Errors are "
    '`{"error": {"code", "message", "field"}}`; a refused business rule is a 400 whose '
    "`code` says which (`INSUFFICIENT_POINTS`, `OUT_OF_STOCK`, ...). Lists page with "
    "`page` (from 1) and `limit` (1..100, default 20). Ids are Punchcard's native ids "
    "(`mem_…`), valid on `/api/v2` too."
)

router = APIRouter(route_class=UnitOfWorkRoute)
for module in (advocates, rewards, quests, referrals, testimonials, feedback, sso):
    router.include_router(module.router)

FACE = Face(
    prefix=PREFIX,
    router=router,
    title=TITLE,
    description=DESCRIPTION,
    render_error=errors.render,
    credentials=reader,
    error_schema=errors.ERROR_SCHEMA,
)

__all__ = ["DESCRIPTION", "FACE", "PREFIX", "TITLE", "router"]
