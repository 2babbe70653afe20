"""Ledger entry views: a journal entry with what any face shows of it, for a whole page
at once.

A view adds to the entry the rows it refers to (member, activity, reward, coupon,
order) and, for a credit, what became of its points: ``used`` (spent by redeems,
deductions and clawbacks), ``expired`` (lapsed), ``clawed_back`` (the part of
``used`` taken back by returns) and ``remaining``, so that
``used + expired + remaining == amount`` for an approved credit. Loading costs a fixed
number of queries whatever the number of entries (one per kind of row), never one per
entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from punchcard.db.repository import TenantRepository, pinned_get
from punchcard.identity.principal import Principal
from punchcard.kit import calendar
from punchcard.ledger import statuses
from punchcard.members.visibility import may_see
from punchcard.models import (
    Activity,
    Coupon,
    Member,
    Order,
    PointsAllocation,
    PointsEntry,
    PointsLot,
    Reward,
    Tenant,
)


@dataclass(frozen=True)
class EntryView:
    entry: PointsEntry
    member: Member | None
    activity: Activity | None
    reward: Reward | None
    coupon: Coupon | None
    order: Order | None
    used: int
    remaining: int
    expired: int
    clawed_back: int
    approved_at: datetime | None  # ``ledger.statuses.approved_at``
    approved_by: uuid.UUID | None  # no column records the decider yet: always None
    auto_approval_at: datetime | None  # when a pending monthly award will be approved

    @property
    def id(self) -> uuid.UUID:
        return self.entry.id


def auto_approval_at(
    activity: Activity | None, entry: PointsEntry, tz_name: str
) -> datetime | None:
    """When a pending award of a monthly-approval activity will be approved: the start
    of the month after it was made, in the tenant's timezone. None otherwise."""
    if activity is None or activity.approval != "monthly" or entry.status != "pending":
        return None
    return calendar.period_end("month", entry.created_at, tz_name)


class EntryViewRepository(TenantRepository[PointsEntry]):
    """Each method: one query for a whole page."""

    model = PointsEntry

    def entries(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, PointsEntry]:
        stmt = self.scoped().where(PointsEntry.id.in_(list(ids)))
        return {e.id: e for e in self.session.scalars(stmt)}

    def rows(self, model: type[Any], ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Any]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        stmt = self.scoped(select(model), model).where(model.id.in_(wanted))
        return {r.id: r for r in self.session.scalars(stmt)}

    def taken_from(self, lot_ids: list[uuid.UUID]) -> dict[tuple[uuid.UUID, str], int]:
        """Points each lot gave, by the type of the debit that took them."""
        if not lot_ids:
            return {}
        stmt = (
            self.scoped(
                select(PointsAllocation.lot_id, PointsEntry.type, func.sum(PointsAllocation.points))
            )
            .select_from(PointsEntry)
            .join(
                PointsAllocation,
                (PointsAllocation.tenant_id == PointsEntry.tenant_id)
                & (PointsAllocation.debit_entry_id == PointsEntry.id),
            )
            .where(PointsAllocation.lot_id.in_(lot_ids))
            .group_by(PointsAllocation.lot_id, PointsEntry.type)
        )
        return {(lot, kind): int(n) for lot, kind, n in self.session.execute(stmt)}


def entries(
    session: Session, principal: Principal, entry_ids: Sequence[uuid.UUID]
) -> list[EntryView]:
    """Views of the tenant's entries among ``entry_ids``, in that order. Unknown ids,
    another tenant's, and entries of a member the caller may not see (a member
    principal sees only its own) are left out."""
    found = EntryViewRepository(session, principal.tenant_id).entries(entry_ids)
    rows = [found[i] for i in entry_ids if i in found]
    return entries_of(session, principal, [e for e in rows if may_see(principal, e.member_id)])


def entries_of(
    session: Session, principal: Principal, rows: Sequence[PointsEntry]
) -> list[EntryView]:
    """Views of entries already loaded (a page a service returned)."""
    if not rows:
        return []
    repo = EntryViewRepository(session, principal.tenant_id)
    members = repo.rows(Member, (e.member_id for e in rows))
    activities = repo.rows(Activity, (e.activity_id for e in rows))
    rewards = repo.rows(Reward, (e.reward_id for e in rows))
    coupons = repo.rows(Coupon, (e.coupon_id for e in rows))
    orders = repo.rows(Order, (e.order_id for e in rows))
    credits = [e.id for e in rows if e.amount > 0]
    lots = repo.rows(PointsLot, credits)
    taken = repo.taken_from(list(lots))
    tenant = pinned_get(session, Tenant, principal.tenant_id)
    tz = (tenant.timezone if tenant else None) or "UTC"
    out = []
    for e in rows:
        lot = lots.get(e.id)
        expired = taken.get((e.id, "expire"), 0) if lot else 0
        remaining = lot.remaining if lot else 0
        activity = activities.get(e.activity_id) if e.activity_id else None
        out.append(
            EntryView(
                entry=e,
                member=members.get(e.member_id),
                activity=activity,
                reward=rewards.get(e.reward_id) if e.reward_id else None,
                coupon=coupons.get(e.coupon_id) if e.coupon_id else None,
                order=orders.get(e.order_id) if e.order_id else None,
                used=abs(e.amount) - remaining - expired if lot else 0,
                remaining=remaining,
                expired=expired,
                clawed_back=taken.get((e.id, "clawback"), 0) if lot else 0,
                approved_at=statuses.approved_at(e),
                approved_by=None,
                auto_approval_at=auto_approval_at(activity, e, tz),
            )
        )
    return out


def entry(session: Session, principal: Principal, row: PointsEntry) -> EntryView:
    return entries_of(session, principal, [row])[0]
