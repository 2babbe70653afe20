"""member groups with badges, and memberships

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 00:32:05.460918

``member_groups`` (a name and the brand's badge object, stored as given) and
``member_group_memberships`` (tenant, member, group), whose foreign keys cascade: a
deleted group (or member) takes its memberships with it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_groups",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("brand_member_badge", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_member_groups")),
    )
    with op.batch_alter_table("member_groups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_groups_tenant_id_created_at", ["tenant_id", "created_at"], unique=False
        )

    op.create_table(
        "member_group_memberships",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "group_id"],
            ["member_groups.tenant_id", "member_groups.id"],
            name=op.f("fk_member_group_memberships_tenant_id_group_id_member_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_member_group_memberships_tenant_id_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "member_id", "group_id", name=op.f("pk_member_group_memberships")
        ),
    )
    with op.batch_alter_table("member_group_memberships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_group_memberships_tenant_id_group_id",
            ["tenant_id", "group_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("member_group_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_member_group_memberships_tenant_id_group_id")

    op.drop_table("member_group_memberships")
    with op.batch_alter_table("member_groups", schema=None) as batch_op:
        batch_op.drop_index("ix_member_groups_tenant_id_created_at")

    op.drop_table("member_groups")
