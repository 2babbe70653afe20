"""Tier period rollover: at each period boundary every member's period tier is
re-evaluated against the new (empty) period, downgrades included."""

from __future__ import annotations

import uuid
from datetime import datetime

from punchcard.db.uow import Database
from punchcard.members.repository import MemberRepository
from punchcard.models import Tenant
from punchcard.tiers import service as tiers
from punchcard.tiers.repository import RolloverQueue, TierRepository

BATCH = 200


def period_rollover(db: Database, at: datetime, *, tenant_id: uuid.UUID | None = None) -> int:
    """Re-evaluate members of tenants whose tier period started since the last run.
    Returns how many members were re-evaluated."""
    done = 0
    with db.transaction(write=False) as session:
        tenants = RolloverQueue(session).tenants(None if tenant_id is None else [tenant_id])
    for tenant in tenants:
        start = tiers.current_period(tenant, at).start
        if tenant.tier_period_started_at is not None and tenant.tier_period_started_at >= start:
            continue
        after: uuid.UUID | None = None
        while True:
            with db.transaction(write=False) as session:
                ids = TierRepository(session, tenant.id).member_ids(after=after, limit=BATCH)
            if not ids:
                break
            for member_id in ids:
                with db.transaction() as session:
                    member = MemberRepository(session, tenant.id).lock_by_id(member_id)
                    if member is not None:
                        tiers.reevaluate(session, member)
                        done += 1
            after = ids[-1]
        with db.transaction() as session:
            row = session.get(Tenant, tenant.id)
            if row is not None:
                row.tier_period_started_at = start
    return done
