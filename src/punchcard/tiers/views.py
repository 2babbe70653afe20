"""The member's tier view: where they stand on the ladder and what the next step takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from punchcard.db.repository import pinned_get
from punchcard.db.uow import now
from punchcard.identity.principal import Principal
from punchcard.members import service as members
from punchcard.models import Tenant, Tier
from punchcard.tiers import service as tiers
from punchcard.tiers.repository import TierRepository


@dataclass(frozen=True)
class TierView:
    tier: Tier | None
    next_tier: Tier | None
    points_to_next: int | None
    period_points: int
    lifetime_points: int
    period_start: datetime
    period_end: datetime


def tier_view(session: Session, principal: Principal, *, member_id: str) -> TierView:
    member = members.get(session, principal, member_id=member_id)
    tenant = pinned_get(session, Tenant, principal.tenant_id)
    assert tenant is not None
    at = now(session)
    period = tiers.current_period(tenant, at)
    earned = tiers.earned_in_period(session, member, tenant, at, remember=False)
    repo = TierRepository(session, principal.tenant_id)
    current = repo.by_id(member.tier_id)
    ladder = repo.active()
    above = [
        t
        for t in ladder
        if current is None or (t.position, t.min_points) > (current.position, current.min_points)
    ]
    nxt = min(above, key=lambda t: (t.position, t.min_points), default=None)
    to_next = None
    if nxt is not None:
        progress = earned if nxt.type == "period" else member.lifetime_points
        to_next = max(nxt.min_points - progress, 0)
    return TierView(current, nxt, to_next, earned, member.lifetime_points, period.start, period.end)
