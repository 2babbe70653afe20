"""Helpers for the community core tests: principals, members, rows and events."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from punchcard.community import service
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.models import OutboxEvent
from tests.factories import Tenant
from tests.tracking.factories import make_member, member_uuid


def key(t: Tenant) -> Principal:
    """An API key's principal (every scope)."""
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES), api_key_id=uuid.uuid4())


def member(t: Tenant, **kw: Any) -> uuid.UUID:
    return member_uuid(make_member(t, **kw))


def room(t: Tenant, name: str = "General") -> uuid.UUID:
    with t.db.transaction() as s:
        return service.create_room(s, key(t), name=name).id


def post(t: Tenant, room_id: uuid.UUID, author: uuid.UUID, content: str = "Hello") -> uuid.UUID:
    with t.db.transaction() as s:
        return service.create_post(s, key(t), room_id=room_id, member_id=author, content=content).id


def comment(t: Tenant, post_id: uuid.UUID, author: uuid.UUID, content: str = "Nice") -> uuid.UUID:
    with t.db.transaction() as s:
        return service.comment(s, key(t), post_id=post_id, member_id=author, content=content).id


def events(t: Tenant, type_: str) -> list[dict[str, Any]]:
    """The payloads of the tenant's events of ``type_``, oldest first."""
    with t.db.transaction(write=False) as s:
        stmt = (
            select(OutboxEvent.payload)
            .where(OutboxEvent.tenant_id == t.id, OutboxEvent.type == type_)
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
        )
        return [dict(p) for p in s.scalars(stmt)]


def count(t: Tenant, model: Any, **where: Any) -> int:
    with t.db.transaction(write=False) as s:
        stmt = select(func.count()).select_from(model).where(model.tenant_id == t.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return int(s.scalar(stmt) or 0)


def ban(t: Tenant, member_id: uuid.UUID) -> None:
    r = t.api.patch(f"/members/mem_{member_id.hex}", json={"status": "banned"})
    assert r.status_code == 200, r.text
