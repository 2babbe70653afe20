"""The native face, ``/api/v2``: SocialHub's contract plus Punchcard's extensions.

Each module owns one resource group and exposes ``router``.
"""

from __future__ import annotations

from fastapi import APIRouter

from punchcard.api.common.errors import register_face
from punchcard.api.common.routing import UnitOfWorkRoute
from punchcard.api.native import (
    ambassador,
    api_keys,
    auth,
    captures,
    catalog,
    coupons,
    errors,
    member_points,
    members,
    orders,
    programs,
    referrals,
    settings,
    stores,
    tags,
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
    member_points,
    programs,
    tags,
    captures,
    orders,
    coupons,
    catalog,
    tracking,
    ambassador,
    referrals,
    webhooks,
):
    router.include_router(module.router)

# The core's errors in the native contract's words (app.NATIVE_PREFIX).
register_face("/api/v2", errors.render)
