"""Ledger SQL: journal entries, lots, allocations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Select,
    Table,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    select,
    tuple_,
    update,
)

from punchcard.db.pipeline import Deferred, Pipeline
from punchcard.db.repository import TenantRepository, cached_statement
from punchcard.kit.paging import Page
from punchcard.models import Member, PointsAllocation, PointsEntry, PointsLot

# The predicates of the partial indexes on points_lots and points_entries
# (models/ledger.py), written with literals: the planners of both databases use a
# partial index only for a query that states its predicate, which a bound parameter
# (``remaining > ?``) does not.
OPEN = PointsLot.remaining > literal_column("0")
CLAWBACK = PointsEntry.type == literal_column("'clawback'")

# Spending reads open lots this many at a time and stops when it has enough.
LOT_BATCH = 50

# The write path's statements (``ledger.service``'s set-based path) are Core statements
# on the tables, built once (``cached_statement``) with every value a bind parameter.
_ENTRIES = cast(Table, PointsEntry.__table__)
_LOTS = cast(Table, PointsLot.__table__)
_ALLOCATIONS = cast(Table, PointsAllocation.__table__)
_MEMBERS = cast(Table, Member.__table__)
ENTRY_COLUMNS = tuple(c.key for c in _ENTRIES.columns)
LOT_COLUMNS = tuple(c.key for c in _LOTS.columns)
ALLOCATION_COLUMNS = tuple(c.key for c in _ALLOCATIONS.columns)
# The member's ledger cache the write path moves, as increments (``member_delta``).
COUNTERS = (
    "points_balance",
    "lifetime_points",
    "points_redeemed",
    "points_deducted",
    "period_points",
)


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

    def next_expiry(self, member_id: uuid.UUID) -> datetime | None:
        """The earliest expiry of the member's open lots (None: none expires): the exact
        value of ``members.next_expiry_at``, recomputed after an expiry run."""
        stmt = self.scoped(select(func.min(PointsLot.expires_at)), PointsLot).where(
            PointsLot.member_id == member_id, OPEN, PointsLot.expires_at.is_not(None)
        )
        return self.session.scalar(stmt)

    # The set-based write path ----------------------------------------------------------

    def insert_entry(self, values: dict[str, Any] | list[dict[str, Any]]) -> None:
        """One journal row (``values``: every column of ``points_entries``), or a list of
        them in one statement (the bulk credit's)."""
        stmt = cached_statement("ledger.insert_entry", lambda: insert(_ENTRIES))
        self.session.execute(stmt, values)

    def insert_lot(self, values: dict[str, Any] | list[dict[str, Any]]) -> None:
        """One lot (every column of ``points_lots``), or a list of them in one statement."""
        stmt = cached_statement("ledger.insert_lot", lambda: insert(_LOTS))
        self.session.execute(stmt, values)

    def insert_allocations(self, rows: list[dict[str, Any]]) -> None:
        """Allocation rows (every column given), in one statement."""
        stmt = cached_statement("ledger.insert_allocations", lambda: insert(_ALLOCATIONS))
        self.session.execute(stmt, rows)

    def open_lot_rows(self, member_id: uuid.UUID) -> list[Any]:
        """(id, remaining) of the member's first ``LOT_BATCH`` open lots, oldest first:
        what a debit consumes, as rows (``open_lots`` reads on as objects)."""
        stmt = cached_statement(
            "ledger.open_lot_rows",
            lambda: (
                select(_LOTS.c.id, _LOTS.c.remaining)
                .where(
                    _LOTS.c.tenant_id == bindparam("tenant_id"),
                    _LOTS.c.member_id == bindparam("member_id"),
                    _LOTS.c.remaining > literal_column("0"),
                )
                .order_by(_LOTS.c.created_at, _LOTS.c.id)
                .limit(LOT_BATCH)
            ),
        )
        params = {"tenant_id": self.tenant_id, "member_id": member_id}
        return list(self.session.execute(stmt, params))

    def take_from_lots(self, takes: list[tuple[uuid.UUID, int]]) -> None:
        """Lower each lot's ``remaining`` by what was taken from it, in one statement."""
        stmt = cached_statement(
            "ledger.take_from_lots",
            lambda: (
                update(_LOTS)
                .where(
                    _LOTS.c.tenant_id == bindparam("t_tenant_id"),
                    _LOTS.c.id == bindparam("t_lot_id"),
                )
                .values(
                    remaining=_LOTS.c.remaining - bindparam("t_take", type_=_LOTS.c.remaining.type)
                )
            ),
        )
        rows = [{"t_tenant_id": self.tenant_id, "t_lot_id": i, "t_take": t} for i, t in takes]
        self.session.execute(stmt, rows)

    def mark_credits(self, entry_ids: list[uuid.UUID], status: str, only: tuple[str, ...]) -> None:
        """Set the status of the credit entries ``entry_ids`` still in one of ``only``."""
        stmt = cached_statement(
            ("ledger.mark_credits", only),
            lambda: (
                update(_ENTRIES)
                .where(
                    _ENTRIES.c.tenant_id == bindparam("m_tenant_id"),
                    _ENTRIES.c.id == bindparam("m_entry_id"),
                    _ENTRIES.c.status.in_([literal(s) for s in only]),
                )
                .values(status=bindparam("m_status", type_=_ENTRIES.c.status.type))
            ),
        )
        rows = [
            {"m_tenant_id": self.tenant_id, "m_entry_id": i, "m_status": status} for i in entry_ids
        ]
        self.session.execute(stmt, rows)

    def member_delta(
        self,
        member_id: uuid.UUID,
        deltas: dict[str, int],
        *,
        next_expiry_at: datetime | None,
        last_activity_at: datetime,
        pipe: Pipeline | None = None,
    ) -> Deferred:
        """ONE update of the member's ledger cache: each of ``COUNTERS`` moved by its delta
        (``deltas``, 0 when absent), the next expiry and last activity set; returns the
        counters as the row now holds them (``Deferred.one``: in ``COUNTERS``' order;
        with ``pipe`` open, readable once it has ended)."""
        stmt = cached_statement(
            "ledger.member_delta",
            lambda: (
                update(_MEMBERS)
                .where(
                    _MEMBERS.c.tenant_id == bindparam("u_tenant_id"),
                    _MEMBERS.c.id == bindparam("u_member_id"),
                )
                .values(
                    {
                        name: _MEMBERS.c[name] + bindparam(f"d_{name}", type_=_MEMBERS.c[name].type)
                        for name in COUNTERS
                    }
                    | {
                        "next_expiry_at": bindparam(
                            "u_next_expiry_at", type_=_MEMBERS.c.next_expiry_at.type
                        ),
                        "last_activity_at": bindparam(
                            "u_last_activity_at", type_=_MEMBERS.c.last_activity_at.type
                        ),
                    }
                )
                .returning(*(_MEMBERS.c[name] for name in COUNTERS))
            ),
        )
        params: dict[str, Any] = {f"d_{name}": deltas.get(name, 0) for name in COUNTERS}
        params |= {
            "u_tenant_id": self.tenant_id,
            "u_member_id": member_id,
            "u_next_expiry_at": next_expiry_at,
            "u_last_activity_at": last_activity_at,
        }
        return (pipe or Pipeline(self.session)).returning(stmt, params)

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
