"""referrals that pay: conversions by order id, the code a member joined through

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 21:40:00

``referral_events.order_ref`` is the converted order's externalOrderId, unique per
tenant (one conversion per order, whatever the concurrency), known before the order is
ingested (``order_id`` NULL until it arrives); it is filled here for the conversions
that already name an order. ``points_entry_id`` / ``points_clawed_back``: the
referrer's award for the conversion and what refunds of the order took back.
``members.referred_by_code_id``: the referral code the member joined through, which
their first order converts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("referred_by_code_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_ref", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("points_entry_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("points_clawed_back", sa.BigInteger(), server_default="0", nullable=False)
        )
    # Existing conversions of an order: at most one per order was written (the order
    # row was locked while it was checked), so the unique key below holds.
    op.execute(
        "UPDATE referral_events SET order_ref = ("
        " SELECT o.external_order_id FROM orders o"
        " WHERE o.tenant_id = referral_events.tenant_id AND o.id = referral_events.order_id)"
        " WHERE type = 'conversion' AND order_id IS NOT NULL"
    )
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_referral_events_tenant_id_order_ref"), ["tenant_id", "order_ref"]
        )
        batch_op.create_index(
            "ix_referral_events_referred", ["tenant_id", "referred_member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_events_referred")
        batch_op.drop_constraint(
            batch_op.f("uq_referral_events_tenant_id_order_ref"), type_="unique"
        )
        batch_op.drop_column("points_clawed_back")
        batch_op.drop_column("points_entry_id")
        batch_op.drop_column("order_ref")
    # Not a batch: SQLite would rebuild ``members``, which other tables' foreign keys
    # point at (its DROP TABLE fails once they hold rows); both databases drop a column.
    op.execute("ALTER TABLE members DROP COLUMN referred_by_code_id")
