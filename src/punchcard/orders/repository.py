"""Order SQL."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, bindparam, insert, select, update
from sqlalchemy.orm import attributes

from punchcard.db.repository import TenantRepository, cached_statement
from punchcard.kit.paging import Page
from punchcard.models import Member, Order, Refund

_ORDERS: Table = Order.__table__  # type: ignore[assignment]


class OrderRepository(TenantRepository[Order]):
    model = Order

    def get_by_external(self, external_order_id: str, *, refresh: bool = False) -> Order | None:
        stmt = self.scoped().where(Order.external_order_id == external_order_id)
        if refresh:
            stmt = stmt.execution_options(populate_existing=True)
        return self.session.scalars(stmt).first()

    def insert_many(self, orders: list[Order]) -> None:
        """Write new orders with one Core ``executemany``, in the given order. The objects
        stay out of the session (a batch's 500 new objects cost the ORM more in flush and
        savepoint bookkeeping than the insert itself): nothing may change them later
        expecting a flush; ``set_points`` writes the one column a batch moves."""
        if not orders:
            return
        columns = [c.key for c in _ORDERS.columns]
        rows = []
        for order in orders:
            held = attributes.instance_dict(order)
            rows.append({c: held[c] for c in columns if c in held})
        stmt = cached_statement("orders.insert", lambda: insert(_ORDERS))
        self.session.execute(stmt, rows)

    def set_points(self, points: list[tuple[uuid.UUID, int]]) -> None:
        """``points_awarded`` of orders this transaction inserted, by id (one executemany)."""
        if not points:
            return
        stmt = cached_statement(
            "orders.set_points",
            lambda: (
                update(_ORDERS)
                .where(
                    _ORDERS.c.tenant_id == bindparam("t_id"),
                    _ORDERS.c.id == bindparam("o_id"),
                )
                .values(points_awarded=bindparam("o_points"))
            ),
        )
        rows = [{"t_id": self.tenant_id, "o_id": i, "o_points": p} for i, p in points]
        self.session.execute(stmt, rows)

    def by_external_ids(self, external_order_ids: Collection[str]) -> dict[str, Order]:
        """The orders with these external ids, in one query, as committed (a batch reads
        them under its member locks, as ``get_by_external(refresh=True)`` does)."""
        if not external_order_ids:
            return {}
        stmt = (
            self.scoped()
            .where(Order.external_order_id.in_(list(external_order_ids)))
            .execution_options(populate_existing=True)
        )
        return {o.external_order_id: o for o in self.session.scalars(stmt)}

    def refund_by_key(self, order_id: uuid.UUID, refund_key: str) -> Refund | None:
        stmt = self.scoped(select(Refund), Refund).where(
            Refund.order_id == order_id, Refund.refund_key == refund_key
        )
        return self.session.scalars(stmt).first()

    def refunds(self, order_id: uuid.UUID) -> list[Refund]:
        """The order's refunds, oldest first."""
        stmt = self.scoped(select(Refund), Refund).where(Refund.order_id == order_id)
        return list(self.session.scalars(stmt.order_by(Refund.created_at, Refund.id)))

    def member_emails(self, member_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str | None]:
        """The email of each of these members of the tenant (for a list of orders)."""
        if not member_ids:
            return {}
        stmt = self.scoped(select(Member.id, Member.email), Member).where(
            Member.id.in_(set(member_ids))
        )
        return {row[0]: row[1] for row in self.session.execute(stmt)}

    def list(
        self,
        page: Page,
        *,
        member_id: uuid.UUID | None = None,
        store_id: uuid.UUID | None = None,
        status: str | None = None,
        external_order_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[list[Order], int]:
        stmt: Select[Any] = self.scoped()
        if member_id is not None:
            stmt = stmt.where(Order.member_id == member_id)
        if store_id is not None:
            stmt = stmt.where(Order.store_id == store_id)
        if status is not None:
            stmt = stmt.where(Order.status == status)
        if external_order_id is not None:
            stmt = stmt.where(Order.external_order_id == external_order_id)
        if since is not None:
            stmt = stmt.where(Order.placed_at >= since)
        if until is not None:
            stmt = stmt.where(Order.placed_at <= until)
        return self.page(stmt, page, Order.placed_at.desc(), Order.id.desc())
