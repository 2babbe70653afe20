"""The neutral data of ``member.*`` events (``events.data``): the member with its tags
and current tier, read in the transaction of the change; ``user.joined``: the member
with its group ids (what the AddGlow face renders a member with)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from punchcard.events import data
from punchcard.members.group_repository import GroupRepository
from punchcard.members.repository import MemberRepository
from punchcard.models import Member


def member_data(session: Session, member: Member) -> dict[str, Any]:
    repo = MemberRepository(session, member.tenant_id)
    tags = repo.tag_keys_for([member.id])[member.id]
    tier = repo.tiers_by_id([member.tier_id]).get(member.tier_id) if member.tier_id else None
    return data.member(member, tags=tags, tier=tier)


def joined_data(session: Session, member: Member) -> dict[str, Any]:
    """``user.joined``: the member and ``group_ids`` (canonical UUID strings, in
    creation order), read in the transaction of the join."""
    groups = GroupRepository(session, member.tenant_id).group_ids_for([member.id])[member.id]
    payload = data.member(member, tags=(), tier=None)
    payload["group_ids"] = [str(g) for g in groups]
    return payload
