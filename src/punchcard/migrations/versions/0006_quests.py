"""quests: quests, their tasks, task completions and quest completions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 21:18:21.870386
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quests",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reward_points", sa.BigInteger(), nullable=True),
        sa.Column("reward_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "reward_id"],
            ["rewards.tenant_id", "rewards.id"],
            name=op.f("fk_quests_tenant_id_reward_id_rewards"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_quests")),
    )
    with op.batch_alter_table("quests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quests_status", ["tenant_id", "status", "created_at"], unique=False
        )

    op.create_table(
        "quest_completions",
        sa.Column("quest_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("reward_points", sa.BigInteger(), nullable=True),
        sa.Column("entry_id", sa.Uuid(), nullable=True),
        sa.Column("reward_id", sa.Uuid(), nullable=True),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_quest_completions_tenant_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "quest_id"],
            ["quests.tenant_id", "quests.id"],
            name=op.f("fk_quest_completions_tenant_id_quest_id_quests"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_quest_completions")),
        sa.UniqueConstraint(
            "tenant_id",
            "quest_id",
            "member_id",
            name=op.f("uq_quest_completions_tenant_id_quest_id_member_id"),
        ),
    )
    op.create_table(
        "quest_tasks",
        sa.Column("quest_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "quest_id"],
            ["quests.tenant_id", "quests.id"],
            name=op.f("fk_quest_tasks_tenant_id_quest_id_quests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_quest_tasks")),
        sa.UniqueConstraint(
            "tenant_id",
            "quest_id",
            "position",
            name=op.f("uq_quest_tasks_tenant_id_quest_id_position"),
        ),
    )
    op.create_table(
        "quest_task_completions",
        sa.Column("quest_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_quest_task_completions_tenant_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "quest_id"],
            ["quests.tenant_id", "quests.id"],
            name=op.f("fk_quest_task_completions_tenant_id_quest_id_quests"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "task_id"],
            ["quest_tasks.tenant_id", "quest_tasks.id"],
            name=op.f("fk_quest_task_completions_tenant_id_task_id_quest_tasks"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_quest_task_completions")),
        sa.UniqueConstraint(
            "tenant_id",
            "task_id",
            "member_id",
            name=op.f("uq_quest_task_completions_tenant_id_task_id_member_id"),
        ),
    )
    with op.batch_alter_table("quest_task_completions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quest_task_completions_member", ["tenant_id", "member_id", "quest_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quest_task_completions", schema=None) as batch_op:
        batch_op.drop_index("ix_quest_task_completions_member")

    op.drop_table("quest_task_completions")
    op.drop_table("quest_tasks")
    op.drop_table("quest_completions")
    with op.batch_alter_table("quests", schema=None) as batch_op:
        batch_op.drop_index("ix_quests_status")

    op.drop_table("quests")
