"""testimonials and feedback boards (ideas, votes)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 21:30:00

Testimonials (content, rating 1..5, a member, moderation status with who decided and
when) and feedback boards with their ideas and one vote per member per idea
(``uq_feedback_votes_tenant_id_idea_id_member_id``); ``feedback_ideas.vote_count``
caches the idea's votes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=op.f(f"fk_{table}_tenant_id_{column}_{target}"),
    )


def upgrade() -> None:
    op.create_table(
        "testimonials",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("moderated_by_key_id", sa.Uuid(), nullable=True),
        sa.Column("moderated_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _tenant_fk("testimonials", "member_id", "members"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_testimonials")),
    )
    with op.batch_alter_table("testimonials", schema=None) as batch_op:
        batch_op.create_index(
            "ix_testimonials_status", ["tenant_id", "status", "created_at"], unique=False
        )
        batch_op.create_index("ix_testimonials_member", ["tenant_id", "member_id"], unique=False)

    op.create_table(
        "feedback_boards",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feedback_boards")),
    )
    with op.batch_alter_table("feedback_boards", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_boards_created", ["tenant_id", "created_at"], unique=False
        )

    op.create_table(
        "feedback_ideas",
        sa.Column("board_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("vote_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _tenant_fk("feedback_ideas", "board_id", "feedback_boards"),
        _tenant_fk("feedback_ideas", "member_id", "members"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feedback_ideas")),
    )
    with op.batch_alter_table("feedback_ideas", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_ideas_votes", ["tenant_id", "board_id", "vote_count"], unique=False
        )
        batch_op.create_index(
            "ix_feedback_ideas_created", ["tenant_id", "board_id", "created_at"], unique=False
        )

    op.create_table(
        "feedback_votes",
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _tenant_fk("feedback_votes", "idea_id", "feedback_ideas"),
        _tenant_fk("feedback_votes", "member_id", "members"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feedback_votes")),
        sa.UniqueConstraint(
            "tenant_id",
            "idea_id",
            "member_id",
            name=op.f("uq_feedback_votes_tenant_id_idea_id_member_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("feedback_votes")
    with op.batch_alter_table("feedback_ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_ideas_created")
        batch_op.drop_index("ix_feedback_ideas_votes")
    op.drop_table("feedback_ideas")
    with op.batch_alter_table("feedback_boards", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_boards_created")
    op.drop_table("feedback_boards")
    with op.batch_alter_table("testimonials", schema=None) as batch_op:
        batch_op.drop_index("ix_testimonials_member")
        batch_op.drop_index("ix_testimonials_status")
    op.drop_table("testimonials")
