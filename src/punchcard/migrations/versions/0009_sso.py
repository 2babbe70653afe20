"""sso: customer mappings and accepted recognize signatures (replay protection)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sso_mappings",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("external_customer_id", sa.String(length=255), nullable=False),
        sa.Column("external_email", sa.String(length=320), nullable=True),
        sa.Column("external_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_sso_mappings_tenant_id_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sso_mappings")),
        sa.UniqueConstraint(
            "tenant_id",
            "external_customer_id",
            name=op.f("uq_sso_mappings_tenant_id_external_customer_id"),
        ),
    )
    with op.batch_alter_table("sso_mappings", schema=None) as batch_op:
        batch_op.create_index("ix_sso_mappings_member", ["tenant_id", "member_id"], unique=False)
        batch_op.create_index(
            "ix_sso_mappings_created", ["tenant_id", "created_at", "id"], unique=False
        )
    op.create_table(
        "sso_signatures",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_sso_signatures_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "signature", name=op.f("pk_sso_signatures")),
    )
    with op.batch_alter_table("sso_signatures", schema=None) as batch_op:
        batch_op.create_index("ix_sso_signatures_signed_at", ["signed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sso_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_sso_signatures_signed_at")
    op.drop_table("sso_signatures")
    with op.batch_alter_table("sso_mappings", schema=None) as batch_op:
        batch_op.drop_index("ix_sso_mappings_created")
        batch_op.drop_index("ix_sso_mappings_member")
    op.drop_table("sso_mappings")
