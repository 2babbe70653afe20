"""tenants.point_value (the liability of a point) and tenants.storefront_origins (CORS
of the member-facing API)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 04:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("point_value", sa.Numeric(12, 6), nullable=False, server_default="0.01")
        )
        batch_op.add_column(
            sa.Column("storefront_origins", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("storefront_origins")
        batch_op.drop_column("point_value")
