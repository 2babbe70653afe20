"""hot path: tenants.config_version and members.next_expiry_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 22:00:00

``tenants.config_version`` is the version of what each process keeps in its tenant
snapshot (settings, tiers, webhook endpoints, activities), bumped in the same
transaction as any change to them. ``members.next_expiry_at`` is a lower bound on the
expiry of the member's open lots (NULL: none expires), so a change skips the expiry
check while it lies in the future; it is filled here from the lots.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("config_version", sa.BigInteger(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_expiry_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE members SET next_expiry_at = ("
        " SELECT MIN(l.expires_at) FROM points_lots l"
        " WHERE l.tenant_id = members.tenant_id AND l.member_id = members.id"
        " AND l.remaining > 0 AND l.expires_at IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("next_expiry_at")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("config_version")
