"""Magic links: one-time sign-in links a brand with custom auth creates for a member
(``magiclinks``). The token is stored only as its SHA-256, like every token."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class MagicLink(TenantOwned, Base):
    """A link for ``member_id``: usable once (``consumed_at``) until ``expires_at``.
    ``return_to`` and ``state`` are where the portal sends the member after signing in."""

    __tablename__ = "magic_links"
    __table_args__ = (
        # The consuming POST finds its link by (tenant from the partner id, token hash).
        UniqueConstraint("tenant_id", "token_hash"),
        Index("ix_magic_links_member", "tenant_id", "member_id"),
        tenant_fk("member_id", "members", ondelete="CASCADE"),
    )

    member_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(64))
    return_to: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
