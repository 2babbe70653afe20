"""stored references as UUIDs: rewards.tier_ids

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 19:50:00

``rewards.tier_ids`` held the native face's spelling of each tier id
(``tier_<32 hex>``); the core now stores the canonical UUID string
(``xxxxxxxx-xxxx-...``), whatever face wrote it. The downgrade spells them back.

Other columns holding an id as text stay as they are, on purpose:
``outbox_events.resource_id`` and ``webhook_deliveries.resource_id`` are delivery lane
keys (compared for equality, never parsed, and shown as written in the delivery log),
and ``points_entries.reference`` / ``orders.external_order_id`` are the caller's own
references, not ids of ours.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_rewards = sa.table(
    "rewards",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("tier_ids", sa.JSON()),
)


def _canonical(value: Any) -> Any:
    """``tier_<hex>`` (or any spelling of a UUID) as the canonical UUID string; anything
    else is left as it is (it was never a valid reference)."""
    text = str(value)
    body = text.removeprefix("tier_")
    try:
        return str(uuid.UUID(body)) if len(body) in (32, 36) else value
    except ValueError:
        return value


def _prefixed(value: Any) -> Any:
    """The canonical UUID string back as ``tier_<hex>``."""
    try:
        return f"tier_{uuid.UUID(str(value)).hex}"
    except ValueError:
        return value


def _convert(spell: Callable[[Any], Any]) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_rewards.c.tenant_id, _rewards.c.id, _rewards.c.tier_ids))
    for tenant_id, reward_id, tier_ids in rows.all():
        if not tier_ids:
            continue
        converted = [spell(t) for t in tier_ids]
        if converted == tier_ids:
            continue
        conn.execute(
            _rewards.update()
            .where(_rewards.c.tenant_id == tenant_id, _rewards.c.id == reward_id)
            .values(tier_ids=converted)
        )


def upgrade() -> None:
    _convert(_canonical)


def downgrade() -> None:
    _convert(_prefixed)
