"""SSO: the customer mappings of the advocate face's ``/sso`` group and the
signatures ``recognize`` has accepted (replay protection)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class SsoMapping(TenantOwned, Base):
    """Your system's customer ``external_customer_id`` is the member ``member_id``.
    One mapping per external customer; a member may have several."""

    __tablename__ = "sso_mappings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_customer_id"),
        Index("ix_sso_mappings_member", "tenant_id", "member_id"),
        # Lists page oldest first.
        Index("ix_sso_mappings_created", "tenant_id", "created_at", "id"),
        tenant_fk("member_id", "members", ondelete="CASCADE"),
    )

    member_id: Mapped[uuid.UUID]
    external_customer_id: Mapped[str] = mapped_column(String(255))
    external_email: Mapped[str | None] = mapped_column(String(320))
    external_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class SsoSignature(Base):
    """A signature ``recognize`` accepted: its primary key refuses it a second time.

    Kept past the ±300 s window (``sso.jobs.forget_signatures`` deletes rows whose
    timestamp is an hour old, when the window refuses them anyway)."""

    __tablename__ = "sso_signatures"
    __table_args__ = (Index("ix_sso_signatures_signed_at", "signed_at"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The timestamp the signature covers, and when it was accepted.
    signed_at: Mapped[datetime]
    used_at: Mapped[datetime]
