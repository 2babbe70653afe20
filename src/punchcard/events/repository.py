"""Outbox SQL: the event row, and the webhook deliveries written with it.

Kept with the outbox (not in ``webhooks``) because ``emit`` writes both in one
transaction; ``webhooks`` builds on these tables, never the other way round.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, insert, select

from punchcard.db.repository import TenantRepository, cached_statement
from punchcard.models import OutboxEvent, WebhookDelivery, WebhookEndpoint

# A delivery's status.
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


class OutboxRepository(TenantRepository[OutboxEvent]):
    model = OutboxEvent

    def add_event(self, event: OutboxEvent) -> OutboxEvent:
        event.tenant_id = self.tenant_id
        self.session.add(event)
        return event

    def insert_event(self, values: dict[str, Any]) -> None:
        """The outbox row, in one reused Core statement (``values``: every column)."""
        stmt = cached_statement(
            "outbox.insert_event", lambda: insert(cast(Table, OutboxEvent.__table__))
        )
        self.session.execute(stmt, values)

    def insert_deliveries(self, rows: list[dict[str, Any]]) -> None:
        """Deliveries (every column given), in one statement whatever their number."""
        stmt = cached_statement(
            "outbox.insert_deliveries", lambda: insert(cast(Table, WebhookDelivery.__table__))
        )
        self.session.execute(stmt, rows)

    def enabled_endpoints(self) -> list[WebhookEndpoint]:
        """Every enabled endpoint (runs on every event: a cached statement)."""
        stmt = cached_statement(
            "webhooks.enabled",
            lambda: (
                select(WebhookEndpoint)
                .where(
                    WebhookEndpoint.tenant_id == bindparam("tenant_id"),
                    WebhookEndpoint.enabled.is_(True),
                )
                .order_by(WebhookEndpoint.id)
            ),
        )
        return list(self.session.scalars(stmt, {"tenant_id": self.tenant_id}))

    def lanes(
        self, resource_id: str, endpoint_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[int, int]]:
        """Per endpoint, this resource's lane: (highest position, deliveries pending)."""
        D = WebhookDelivery.__table__.c
        stmt = cached_statement(
            "outbox.lanes",
            lambda: (
                select(
                    D.endpoint_id,
                    func.max(D.seq),
                    func.sum(case((D.status == PENDING, 1), else_=0)),
                )
                .where(
                    D.tenant_id == bindparam("tenant_id"),
                    D.resource_id == bindparam("resource_id"),
                    D.endpoint_id.in_(bindparam("endpoint_ids", expanding=True)),
                )
                .group_by(D.endpoint_id)
            ),
        )
        params = {
            "tenant_id": self.tenant_id,
            "resource_id": resource_id,
            "endpoint_ids": list(endpoint_ids),
        }
        rows = self.session.execute(stmt, params)
        return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in rows}
