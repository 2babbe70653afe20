"""Ledger SQL: journal entries, lots, allocations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, literal, literal_column, select, tuple_

from punchcard.db.repository import TenantRepository, cached_statement
from punchcard.kit.paging import Page
from punchcard.models import PointsAllocation, PointsEntry, PointsLot

# The predicates of the partial indexes on points_lots and points_entries
# (models/ledger.py), written with literals: the planners of both databases use a
# partial index only for a query that states its predicate, which a bound parameter
# (``remaining > ?``) does not.
OPEN = PointsLot.remaining > literal_column("0")
CLAWBACK = PointsEntry.type == literal_column("'clawback'")

# Spending reads open lots this many at a time and stops when it has enough.
LOT_BATCH = 50


class LedgerRepository(TenantRepository[PointsEntry]):
    model = PointsEntry

    def open_lots(self, member_id: uuid.UUID) -> Iterator[PointsLot]:
        """Lots with points left, oldest first (the order spending consumes them),
        fetched a batch at a time: a debit reads the lots it consumes, not every open
        lot the member has."""
        after: tuple[datetime, uuid.UUID] | None = None
        while True:
            stmt = self.scoped(select(PointsLot), PointsLot).where(
                PointsLot.member_id == member_id, OPEN
            )
            if after is not None:
                stmt = stmt.where(
                    tuple_(PointsLot.created_at, PointsLot.id)
                    > tuple_(
                        literal(after[0], PointsLot.created_at.type),
                        literal(after[1], PointsLot.id.type),
                    )
                )
            stmt = stmt.order_by(PointsLot.created_at, PointsLot.id).limit(LOT_BATCH)
            lots = list(self.session.scalars(stmt))
            yield from lots
            if len(lots) < LOT_BATCH:
                return
            after = (lots[-1].created_at, lots[-1].id)

    def due_lots(self, member_id: uuid.UUID, at: datetime) -> list[PointsLot]:
        """Open lots of the member past their expiry (checked before every change: a
        reused statement)."""
        stmt = cached_statement(
            "ledger.due_lots",
            lambda: (
                select(PointsLot)
                .where(
                    PointsLot.tenant_id == bindparam("tenant_id"),
                    PointsLot.member_id == bindparam("member_id"),
                    OPEN,
                    PointsLot.expires_at.is_not(None),
                    PointsLot.expires_at <= bindparam("at", type_=PointsLot.expires_at.type),
                )
                .order_by(PointsLot.expires_at, PointsLot.id)
            ),
        )
        params = {"tenant_id": self.tenant_id, "member_id": member_id, "at": at}
        return list(self.session.scalars(stmt, params))

    def members_with_due_lots(self, at: datetime, limit: int = 500) -> list[uuid.UUID]:
        stmt = (
            self.scoped(select(PointsLot.member_id).distinct(), PointsLot)
            .where(
                OPEN,
                PointsLot.expires_at.is_not(None),
                PointsLot.expires_at <= at,
            )
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def outstanding_clawbacks(self, member_id: uuid.UUID) -> list[tuple[uuid.UUID, int]]:
        """Clawback entries whose debt is not yet paid off, oldest first, with what is owed.
        Only clawbacks that took effect (``deducted``) owe anything: one still waiting on
        its pending award (``pending_deduction``), or withdrawn with it, owes nothing."""
        covered = func.coalesce(
            select(func.sum(PointsAllocation.points))
            .where(
                PointsAllocation.tenant_id == self.tenant_id,
                PointsAllocation.debit_entry_id == PointsEntry.id,
            )
            .scalar_subquery(),
            0,
        )
        stmt = (
            self.scoped(select(PointsEntry.id, (-PointsEntry.amount - covered).label("owed")))
            .where(PointsEntry.member_id == member_id, CLAWBACK, PointsEntry.status == "deducted")
            .order_by(PointsEntry.created_at, PointsEntry.id)
        )
        return [(row.id, int(row.owed)) for row in self.session.execute(stmt) if row.owed > 0]

    def allocate(
        self,
        member_id: uuid.UUID,
        debit_entry_id: uuid.UUID,
        lot_id: uuid.UUID,
        points: int,
        at: datetime,
    ) -> None:
        self.session.add(
            PointsAllocation(
                tenant_id=self.tenant_id,
                member_id=member_id,
                debit_entry_id=debit_entry_id,
                lot_id=lot_id,
                points=points,
                created_at=at,
            )
        )

    def expiration_schedule(self, member_id: uuid.UUID) -> list[tuple[datetime, int]]:
        stmt = (
            self.scoped(select(PointsLot.expires_at, PointsLot.remaining), PointsLot)
            .where(
                PointsLot.member_id == member_id,
                OPEN,
                PointsLot.expires_at.is_not(None),
            )
            .order_by(PointsLot.expires_at)
        )
        return [(row.expires_at, int(row.remaining)) for row in self.session.execute(stmt)]

    def transactions(
        self,
        page: Page,
        *,
        member_id: uuid.UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        types: list[str] | None = None,
        statuses: list[str] | None = None,
    ) -> tuple[list[PointsEntry], int]:
        stmt: Select[Any] = self.scoped()
        if member_id is not None:
            stmt = stmt.where(PointsEntry.member_id == member_id)
        if since is not None:
            stmt = stmt.where(PointsEntry.created_at >= since)
        if until is not None:
            stmt = stmt.where(PointsEntry.created_at <= until)
        if types:
            stmt = stmt.where(PointsEntry.type.in_(types))
        if statuses:
            stmt = stmt.where(PointsEntry.status.in_(statuses))
        return self.page(stmt, page, PointsEntry.created_at.desc(), PointsEntry.id.desc())

    def entries_for_order(self, order_id: uuid.UUID) -> list[PointsEntry]:
        stmt = (
            self.scoped().where(PointsEntry.order_id == order_id).order_by(PointsEntry.created_at)
        )
        return list(self.session.scalars(stmt))
