"""magic links: one-time sign-in links of custom-auth brands (token hash, returnTo, state)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 00:32:36.157374
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "magic_links",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("return_to", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=256), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_magic_links_tenant_id_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_magic_links")),
        sa.UniqueConstraint(
            "tenant_id", "token_hash", name=op.f("uq_magic_links_tenant_id_token_hash")
        ),
    )
    with op.batch_alter_table("magic_links", schema=None) as batch_op:
        batch_op.create_index("ix_magic_links_member", ["tenant_id", "member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("magic_links", schema=None) as batch_op:
        batch_op.drop_index("ix_magic_links_member")

    op.drop_table("magic_links")
