"""Tracking SQL: bulk ingest and the report aggregates."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import desc, func, insert, select

from punchcard.db.dialect import utc_day
from punchcard.db.repository import TenantRepository
from punchcard.models import Member, TrackingEvent
from punchcard.tracking.period import Window

TOP_PAGES = 50


class TrackingRepository(TenantRepository[TrackingEvent]):
    model = TrackingEvent

    def known_members(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of ``ids`` are members of this tenant (one query)."""
        wanted = set(ids)
        if not wanted:
            return set()
        stmt = self.scoped(select(Member.id), Member).where(Member.id.in_(wanted))
        return set(self.session.scalars(stmt))

    def insert_many(self, rows: list[dict[str, Any]]) -> None:
        """One multi-row INSERT for the whole batch: ingest is the hot path."""
        if not rows:
            return
        for row in rows:
            row["tenant_id"] = self.tenant_id
        self.session.execute(insert(TrackingEvent), rows)

    def _in(self, stmt: Any, window: Window) -> Any:
        return self.scoped(stmt).where(
            TrackingEvent.occurred_at >= window.start, TrackingEvent.occurred_at < window.end
        )

    def totals(self, window: Window) -> tuple[int, int, int]:
        stmt = self._in(
            select(
                func.count(),
                func.count(TrackingEvent.visitor_id.distinct()),
                func.count(TrackingEvent.member_id.distinct()),
            ),
            window,
        )
        events, visitors, members = self.session.execute(stmt).one()
        return int(events), int(visitors), int(members)

    def by_day(self, window: Window) -> dict[date, int]:
        day = utc_day(self.session, TrackingEvent.occurred_at).label("day")
        stmt = self._in(select(day, func.count()), window).group_by(day)
        return {row[0]: int(row[1]) for row in self.session.execute(stmt)}

    def by_type(self, window: Window) -> list[tuple[str, int]]:
        n = func.count().label("n")
        stmt = (
            self._in(select(TrackingEvent.type, n), window)
            .group_by(TrackingEvent.type)
            .order_by(desc(n), TrackingEvent.type)
        )
        return [(row[0], int(row[1])) for row in self.session.execute(stmt)]

    def by_page(self, window: Window, limit: int = TOP_PAGES) -> list[tuple[str, int]]:
        n = func.count().label("n")
        stmt = (
            self._in(select(TrackingEvent.url, n), window)
            .where(TrackingEvent.url.is_not(None))
            .group_by(TrackingEvent.url)
            .order_by(desc(n), TrackingEvent.url)
            .limit(limit)
        )
        return [(row[0], int(row[1])) for row in self.session.execute(stmt)]
