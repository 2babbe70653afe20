"""A member's personal data on request: ``POST /members/{id}/erase`` and
``GET /members/{id}/export`` (an owner's or admin's session; audited as every call)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from punchcard.api.common import ids
from punchcard.api.common.auth import PrivacyAdmin
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.members import MemberRead
from punchcard.members import service as members
from punchcard.privacy import service

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Members"])


@router.post("/members/{id}/erase", response_model=MemberRead)
def erase_member(p: PrivacyAdmin, session: DbSession, id: str) -> MemberRead:
    """Erase the member's personal data (email, phone, names, externalId, metadata,
    picture, customAuthSub, SSO mappings, sessions, magic links, visitor ids); points,
    orders and their amounts stay. The member is left banned with no personal data.
    Idempotent: erasing again answers the same member and emits nothing."""
    done = service.erase(session, p, member_id=ids.parse("mem", id))
    return MemberRead.of_profile(members.profile(session, p, done.member))


@router.get("/members/{id}/export")
def export_member(p: PrivacyAdmin, session: DbSession, id: str) -> dict[str, Any]:
    """Everything held about the member, as JSON: ``member`` (every stored field) and
    one list per kind of record naming it (ledgerEntries, lots, orders, refunds,
    coupons, referralCodes, referralEvents, captures, tags, groups, posts, comments,
    postLikes, commentLikes, testimonials, ideas, votes, questTasks, quests,
    ssoMappings, sessions, magicLinks, trackingEvents), each row with its stored columns
    by name (ids as UUIDs, times in ISO-8601); token hashes are never exported."""
    return service.export(session, p, member_id=ids.parse("mem", id))
