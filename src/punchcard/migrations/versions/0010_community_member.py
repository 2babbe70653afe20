"""community member fields: customAuthSub, isEmailVerified, profile picture, joined at

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("custom_auth_sub", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("is_email_verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("profile_picture_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_members_tenant_id_custom_auth_sub"), ["tenant_id", "custom_auth_sub"]
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_members_tenant_id_custom_auth_sub"), type_="unique")
        batch_op.drop_column("joined_at")
        batch_op.drop_column("profile_picture_url")
        batch_op.drop_column("is_email_verified")
        batch_op.drop_column("custom_auth_sub")
