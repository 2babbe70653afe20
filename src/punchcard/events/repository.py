"""Outbox SQL: the event row, and the webhook deliveries written with it.

Kept with the outbox (not in ``webhooks``) because ``emit`` writes both in one
transaction; ``webhooks`` builds on these tables, never the other way round.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import case, func, select

from punchcard.db.repository import TenantRepository
from punchcard.models import OutboxEvent, WebhookDelivery

# A delivery's status.
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


class OutboxRepository(TenantRepository[OutboxEvent]):
    model = OutboxEvent

    def add_event(self, event: OutboxEvent) -> OutboxEvent:
        event.tenant_id = self.tenant_id
        self.session.add(event)
        return event

    def lanes(
        self, resource_id: str, endpoint_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[int, int]]:
        """Per endpoint, this resource's lane: (highest position, deliveries pending)."""
        D = WebhookDelivery
        pending = func.sum(case((D.status == PENDING, 1), else_=0))
        stmt = (
            self.scoped(select(D.endpoint_id, func.max(D.seq), pending), D)
            .where(D.resource_id == resource_id, D.endpoint_id.in_(endpoint_ids))
            .group_by(D.endpoint_id)
        )
        return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in self.session.execute(stmt)}

    def lanes_of(
        self, resource_ids: Sequence[str], endpoint_ids: Sequence[uuid.UUID]
    ) -> dict[tuple[str | None, uuid.UUID], tuple[int, int]]:
        """``lanes`` for several resources in one query, by (resource, endpoint)."""
        if not resource_ids or not endpoint_ids:
            return {}
        D = WebhookDelivery
        pending = func.sum(case((D.status == PENDING, 1), else_=0))
        stmt = (
            self.scoped(select(D.resource_id, D.endpoint_id, func.max(D.seq), pending), D)
            .where(D.resource_id.in_(resource_ids), D.endpoint_id.in_(endpoint_ids))
            .group_by(D.resource_id, D.endpoint_id)
        )
        return {
            (row[0], row[1]): (int(row[2] or 0), int(row[3] or 0))
            for row in self.session.execute(stmt)
        }

    def add_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        delivery.tenant_id = self.tenant_id
        self.session.add(delivery)
        return delivery
