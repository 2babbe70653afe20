"""Member mail (``punchcard.notifications``): each tenant's settings and templates, and
one row per mail a member was sent (or is being sent).

``member_mails`` has the unique key ``(tenant_id, member_id, kind, event_key)``: a mail
is claimed by inserting its row before it is sent, so "once per event" holds however
many workers race for it (the loser's insert does nothing).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class MemberMailSettings(Base):
    """A tenant's member-mail settings; no row means the defaults. A template left
    NULL is the built-in default (so improving a default reaches every tenant that
    never edited it)."""

    __tablename__ = "member_mail_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    expiry_enabled: Mapped[bool] = mapped_column(default=True)
    # Remind this many days before the (tenant-local) day the points expire.
    expiry_days_ahead: Mapped[int] = mapped_column(default=7)
    expiry_subject: Mapped[str | None] = mapped_column(Text)
    expiry_body: Mapped[str | None] = mapped_column(Text)
    tier_enabled: Mapped[bool] = mapped_column(default=True)
    tier_subject: Mapped[str | None] = mapped_column(Text)
    tier_body: Mapped[str | None] = mapped_column(Text)
    # The tier.changed events before this were already looked at (the job's cursor).
    tier_scan_from: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MemberMail(TenantOwned, Base):
    """One mail to one member for one event: claimed (``sending``), then ``sent`` or
    ``failed`` (retried a few times). No address or text is kept: an erased member's
    row says nothing about them."""

    __tablename__ = "member_mails"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_id", "kind", "event_key"),
        tenant_fk("member_id", "members"),
        # The tier scan's "was this event mailed?" (an anti-join on the event id).
        Index("ix_member_mails_event", "tenant_id", "event_id"),
        # The retry scan, across tenants.
        Index("ix_member_mails_retry", "status", "next_attempt_at"),
    )

    member_id: Mapped[uuid.UUID]
    # points_expiring | tier_changed
    kind: Mapped[str] = mapped_column(String(32))
    # points_expiring: the tenant-local expiry day (ISO); tier_changed: the event id.
    event_key: Mapped[str] = mapped_column(String(64))
    # tier_changed: the outbox event; points_expiring: NULL.
    event_id: Mapped[uuid.UUID | None]
    # points_expiring: the UTC bounds of the local day the reminder covers.
    covers_from: Mapped[datetime | None]
    covers_until: Mapped[datetime | None]
    # sending | sent | failed | given_up
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
