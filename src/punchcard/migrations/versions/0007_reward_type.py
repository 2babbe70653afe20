"""rewards.type: what a reward is (the advocate face's ``type``)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 21:30:00

``discount | product | gift_card | experience | custom`` (``rewards.schemas.RewardType``);
existing rewards are ``custom``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("type", sa.String(length=24), server_default="custom", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.drop_column("type")
