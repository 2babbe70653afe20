"""``events.fanout.queue``'s one INSERT ... SELECT places each delivery in its lane:
per endpoint, position = the lane's last + 1, parked while an earlier delivery of the
lane is pending; an event without a resource is due at once, position 1."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from punchcard.db.uow import Database
from punchcard.events.fanout import fan_out
from punchcard.events.repository import SUCCEEDED, OutboxRepository
from punchcard.kit.ids import new_id
from punchcard.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from punchcard.tenants.service import create_tenant


def _tenant_with_endpoints(db: Database, n: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    with db.transaction() as s:
        t = create_tenant(s, name="Lanes Co")
        at = db.clock.now()
        ids = []
        for i in range(n):
            e = WebhookEndpoint(
                tenant_id=t.id,
                id=new_id(),
                url=f"https://example.com/hook/{i}",
                secret="s" * 32,
                event_types=["*"],
                enabled=True,
                created_at=at,
                updated_at=at,
            )
            s.add(e)
            ids.append(e.id)
        s.flush()
        return t.id, ids


def _emit(db: Database, tenant_id: uuid.UUID, resource: str | None) -> dict[uuid.UUID, tuple]:  # type: ignore[type-arg]
    with db.transaction() as s:
        # What emit does, keeping the deliveries fan_out hands back.
        values = {
            "tenant_id": tenant_id,
            "id": new_id(),
            "type": "member.updated",
            "resource_id": resource,
            "payload": {"n": 1},
            "created_at": db.clock.now(),
        }
        OutboxRepository(s, tenant_id).insert_event(values)
        deliveries = fan_out(s, OutboxEvent(**values))
        returned = {d.endpoint_id: (d.seq, d.next_attempt_at is None) for d in deliveries}
        assert all(d in s and d not in s.new for d in deliveries)
        event_id = values["id"]
    with db.transaction(write=False) as s:
        stored = {
            d.endpoint_id: (d.seq, d.next_attempt_at is None)
            for d in s.scalars(
                select(WebhookDelivery).where(
                    WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.event_id == event_id
                )
            )
        }
    assert returned == stored
    return stored


def test_each_endpoint_gets_its_lanes_position_and_parking(db: Database) -> None:
    tenant_id, (a, b, c) = _tenant_with_endpoints(db, 3)
    lane = f"mem_{new_id().hex}"
    assert _emit(db, tenant_id, lane) == {a: (1, False), b: (1, False), c: (1, False)}
    # Endpoint a's first delivery went out; b's and c's are still pending.
    with db.transaction() as s:
        s.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.endpoint_id == a)
            .values(status=SUCCEEDED)
        )
    assert _emit(db, tenant_id, lane) == {a: (2, False), b: (2, True), c: (2, True)}
    # Another resource is another lane; no resource, no lane.
    other = f"mem_{new_id().hex}"
    assert _emit(db, tenant_id, other) == {a: (1, False), b: (1, False), c: (1, False)}
    assert _emit(db, tenant_id, None) == {a: (1, False), b: (1, False), c: (1, False)}
    assert _emit(db, tenant_id, None) == {a: (1, False), b: (1, False), c: (1, False)}


def test_one_endpoint(db: Database) -> None:
    tenant_id, (a,) = _tenant_with_endpoints(db, 1)
    lane = f"mem_{new_id().hex}"
    assert _emit(db, tenant_id, lane) == {a: (1, False)}
    assert _emit(db, tenant_id, lane) == {a: (2, True)}
    assert _emit(db, tenant_id, lane) == {a: (3, True)}
