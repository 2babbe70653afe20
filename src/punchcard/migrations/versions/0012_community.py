"""community: rooms, posts, comments on posts, likes on both

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 00:32:45.354549

Posts and comments carry a moderation status (visible | hidden | deleted) with who and
when, and cached like/comment counts; one like per member per post
(``uq_post_likes_tenant_id_post_id_member_id``) and per comment.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_rooms")),
    )
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.create_index("ix_rooms_created", ["tenant_id", "created_at"], unique=False)

    op.create_table(
        "posts",
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("moderated_by_key_id", sa.Uuid(), nullable=True),
        sa.Column("moderated_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_posts_tenant_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "room_id"],
            ["rooms.tenant_id", "rooms.id"],
            name=op.f("fk_posts_tenant_id_room_id_rooms"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_posts")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_created", ["tenant_id", "created_at"], unique=False)
        batch_op.create_index("ix_posts_member", ["tenant_id", "member_id"], unique=False)
        batch_op.create_index("ix_posts_room", ["tenant_id", "room_id", "created_at"], unique=False)

    op.create_table(
        "post_comments",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("like_count", sa.Integer(), nullable=False),
        sa.Column("moderated_by_key_id", sa.Uuid(), nullable=True),
        sa.Column("moderated_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_post_comments_tenant_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "post_id"],
            ["posts.tenant_id", "posts.id"],
            name=op.f("fk_post_comments_tenant_id_post_id_posts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_post_comments")),
    )
    with op.batch_alter_table("post_comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_post_comments_post", ["tenant_id", "post_id", "created_at"], unique=False
        )

    op.create_table(
        "post_likes",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_post_likes_tenant_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "post_id"],
            ["posts.tenant_id", "posts.id"],
            name=op.f("fk_post_likes_tenant_id_post_id_posts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_post_likes")),
        sa.UniqueConstraint(
            "tenant_id",
            "post_id",
            "member_id",
            name=op.f("uq_post_likes_tenant_id_post_id_member_id"),
        ),
    )
    op.create_table(
        "post_comment_likes",
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "comment_id"],
            ["post_comments.tenant_id", "post_comments.id"],
            name=op.f("fk_post_comment_likes_tenant_id_comment_id_post_comments"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_post_comment_likes_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_post_comment_likes")),
        sa.UniqueConstraint(
            "tenant_id",
            "comment_id",
            "member_id",
            name=op.f("uq_post_comment_likes_tenant_id_comment_id_member_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("post_comment_likes")
    op.drop_table("post_likes")
    with op.batch_alter_table("post_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_post_comments_post")

    op.drop_table("post_comments")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_room")
        batch_op.drop_index("ix_posts_member")
        batch_op.drop_index("ix_posts_created")

    op.drop_table("posts")
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_index("ix_rooms_created")

    op.drop_table("rooms")
