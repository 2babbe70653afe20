"""Scheduled ledger jobs, run by the worker (exactly once per slot across workers).

Each works in short per-member transactions: one long transaction would hold
SQLite's write lock for the whole run, and a crash would lose all of it instead of
one member's step. Every step re-checks its condition under the member lock, so a
step that runs twice (a worker died after committing) changes nothing the second time.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from punchcard.db.uow import Database
from punchcard.kit import calendar
from punchcard.ledger import service as ledger
from punchcard.ledger.repository import OPEN
from punchcard.members.repository import MemberRepository
from punchcard.models import Activity, PointsEntry, PointsLot, Tenant

BATCH = 200


def expire_due_lots(db: Database, at: datetime, *, tenant_id: uuid.UUID | None = None) -> int:
    """Write ``expire`` entries for every lot past its expiry date (of one tenant, when
    given). Returns how many members were touched."""
    touched = 0
    while True:
        with db.transaction(write=False) as session:
            stmt = (
                select(PointsLot.tenant_id, PointsLot.member_id)
                .where(
                    OPEN,
                    PointsLot.expires_at.is_not(None),
                    PointsLot.expires_at <= at,
                )
                .distinct()
                .limit(BATCH)
            )
            if tenant_id is not None:
                stmt = stmt.where(PointsLot.tenant_id == tenant_id)
            due = session.execute(stmt).all()
        if not due:
            return touched
        for tenant_id, member_id in due:
            with db.transaction() as session:
                member = MemberRepository(session, tenant_id).lock_by_id(member_id)
                if member is not None:
                    ledger.expire_due(session, member, force=True)
            touched += 1


def approve_monthly(db: Database, at: datetime, *, tenant_id: uuid.UUID | None = None) -> int:
    """Approve (``auto_approved``) pending awards of monthly-approval activities made
    before the start of the current month in each tenant's timezone."""
    approved = 0
    with db.transaction(write=False) as session:
        stmt = select(Tenant.id, Tenant.timezone).where(
            Tenant.id.in_(select(Activity.tenant_id).where(Activity.approval == "monthly"))
        )
        if tenant_id is not None:
            stmt = stmt.where(Tenant.id == tenant_id)
        tenants = session.execute(stmt).all()
    for tid, tz in tenants:
        month_start = calendar.period_start("month", at, tz)
        assert month_start is not None
        approved += _approve_before(db, tid, month_start)
    return approved


def _approve_before(db: Database, tenant_id: uuid.UUID, before: datetime) -> int:
    done = 0
    while True:
        with db.transaction(write=False) as session:
            ids = session.execute(
                select(PointsEntry.id, PointsEntry.member_id)
                .join(
                    Activity,
                    (Activity.tenant_id == PointsEntry.tenant_id)
                    & (Activity.id == PointsEntry.activity_id),
                )
                .where(
                    PointsEntry.tenant_id == tenant_id,
                    PointsEntry.status == "pending",
                    PointsEntry.type == "award",
                    Activity.approval == "monthly",
                    PointsEntry.created_at < before,
                )
                .order_by(PointsEntry.created_at, PointsEntry.id)
                .limit(BATCH)
            ).all()
        if not ids:
            return done
        for entry_id, member_id in ids:
            with db.transaction() as session:
                member = MemberRepository(session, tenant_id).lock_by_id(member_id)
                entry = session.get(PointsEntry, (tenant_id, entry_id), populate_existing=True)
                if member is not None and entry is not None and entry.status == "pending":
                    ledger.approve(session, member, entry, status="auto_approved")
                    done += 1
                elif entry is not None and entry.status == "pending":  # pragma: no cover
                    return done
