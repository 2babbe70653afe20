"""Outbox SQL: the event row, and the webhook deliveries written with it.

Kept with the outbox (not in ``webhooks``) because ``emit`` writes both in one
transaction; ``webhooks`` builds on these tables, never the other way round.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Table,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal_column,
    null,
    select,
    union_all,
)

from punchcard.db.repository import TenantRepository, cached_statement
from punchcard.models import OutboxEvent, WebhookDelivery

# A delivery's status.
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


class OutboxRepository(TenantRepository[OutboxEvent]):
    model = OutboxEvent

    def add_event(self, event: OutboxEvent) -> OutboxEvent:
        event.tenant_id = self.tenant_id
        self.session.add(event)
        return event

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

    def insert_event(self, values: dict[str, Any] | list[dict[str, Any]]) -> None:
        """The outbox row, in one reused Core statement (``values``: every column), or a
        list of rows (``emit_many``) in one statement."""
        stmt = cached_statement(
            "outbox.insert_event", lambda: insert(cast(Table, OutboxEvent.__table__))
        )
        self.session.execute(stmt, values)

    def insert_deliveries(self, rows: list[dict[str, Any]]) -> None:
        """Delivery rows whose lane positions the caller computed (``fan_out_many``),
        every column given, in one reused Core statement."""
        stmt = cached_statement(
            "outbox.insert_deliveries", lambda: insert(cast(Table, WebhookDelivery.__table__))
        )
        self.session.execute(stmt, rows)

    def queue_deliveries(
        self, event: OutboxEvent, deliveries: Sequence[tuple[uuid.UUID, uuid.UUID]]
    ) -> dict[uuid.UUID, tuple[int, datetime | None]]:
        """Insert the deliveries of ``event`` — (delivery id, endpoint id) pairs — in ONE
        statement that places each in its lane as it inserts it: position = the lane's
        last + 1, and parked (no ``next_attempt_at``) while an earlier delivery of the
        lane is pending (``events.fanout.queue``). An event without a resource has no
        lane (``resource_id = NULL`` matches nothing): position 1, due at once. Returns
        each delivery's (position, next attempt) by id."""
        n = len(deliveries)
        stmt = cached_statement(("outbox.queue_deliveries", n), lambda: _queue_statement(n))
        params: dict[str, Any] = {
            "q_tenant_id": self.tenant_id,
            "q_event_id": event.id,
            "q_event_type": event.type,
            "q_resource_id": event.resource_id,
            "q_at": event.created_at,
        }
        for i, (delivery_id, endpoint_id) in enumerate(deliveries):
            params[f"q_id_{i}"] = delivery_id
            params[f"q_endpoint_{i}"] = endpoint_id
        rows = self.session.execute(stmt, params)
        return {row.id: (int(row.seq), row.next_attempt_at) for row in rows}


_DELIVERY_COLUMNS = (
    "tenant_id",
    "id",
    "endpoint_id",
    "event_id",
    "event_type",
    "resource_id",
    "seq",
    "status",
    "attempt_count",
    "schedule_step",
    "next_trigger",
    "next_attempt_at",
    "created_at",
    "updated_at",
)


def _queue_statement(n: int) -> Any:
    """``INSERT INTO webhook_deliveries ... SELECT`` one row per endpoint (a UNION ALL
    of ``n``), each computing its lane's position and whether it is parked, RETURNING
    what was computed."""
    table = cast(Table, WebhookDelivery.__table__)
    lane = table.alias("lane")
    D = table.c

    def param(name: str, column: Any) -> Any:
        return bindparam(name, type_=column.type)

    def row(i: int) -> Any:
        endpoint = param(f"q_endpoint_{i}", D.endpoint_id)
        in_lane = (
            (lane.c.tenant_id == param("q_tenant_id", D.tenant_id))
            & (lane.c.endpoint_id == endpoint)
            & (lane.c.resource_id == param("q_resource_id", D.resource_id))
        )
        last = select(func.coalesce(func.max(lane.c.seq), 0)).where(in_lane).scalar_subquery()
        busy = exists().where(in_lane, lane.c.status == literal_column(f"'{PENDING}'"))
        at = param("q_at", D.created_at)
        return select(
            param("q_tenant_id", D.tenant_id),
            param(f"q_id_{i}", D.id),
            endpoint,
            param("q_event_id", D.event_id),
            param("q_event_type", D.event_type),
            param("q_resource_id", D.resource_id),
            last + 1,
            literal_column(f"'{PENDING}'"),
            literal_column("0"),
            literal_column("0"),
            literal_column("'scheduled'"),
            case((busy, null()), else_=at),
            at,
            at,
        )

    source = row(0) if n == 1 else union_all(*(row(i) for i in range(n)))
    return (
        insert(table)
        .from_select(_DELIVERY_COLUMNS, source)
        .returning(D.id, D.seq, D.next_attempt_at)
    )
