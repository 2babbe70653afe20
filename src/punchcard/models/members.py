"""Members, their tags, their groups and capture records."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class Member(TenantOwned, Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        UniqueConstraint("tenant_id", "phone"),
        UniqueConstraint("tenant_id", "external_id"),
        UniqueConstraint("tenant_id", "referral_code"),
        UniqueConstraint("tenant_id", "custom_auth_sub"),
        Index("ix_members_tenant_status", "tenant_id", "status"),
        tenant_fk("tier_id", "tiers"),
        tenant_fk("lifetime_tier_id", "tiers"),
        tenant_fk("period_tier_id", "tiers"),
    )

    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="active")
    source: Mapped[str | None] = mapped_column(String(16))
    store_id: Mapped[uuid.UUID | None]
    referral_code: Mapped[str | None] = mapped_column(String(64))
    # The referral code (``referral_codes.id``) the member joined through, if any: their
    # first order converts it (``ambassador.referrals``). No foreign key: referral codes
    # already point at members, and a code is never deleted.
    referred_by_code_id: Mapped[uuid.UUID | None]
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata")
    # The community (AddGlow's members): the brand's own sign-in id for the member
    # (``customAuthSub``, unique per tenant), whether the brand vouched for the email,
    # a profile picture, and when the member first joined the community (a consumed
    # magic link or a first post: ``members.service.join``, which emits ``user.joined``
    # exactly once).
    custom_auth_sub: Mapped[str | None] = mapped_column(String(255))
    is_email_verified: Mapped[bool] = mapped_column(default=False, server_default=false())
    profile_picture_url: Mapped[str | None] = mapped_column(String(2048))
    joined_at: Mapped[datetime | None]
    # When the member's personal data was erased on request (``privacy.service.erase``):
    # the row stays, anonymised, so the ledger and orders still add up.
    erased_at: Mapped[datetime | None]
    # The tier shown (the better of the two below, or a manually set one), the tier
    # held for the current period, and the lifetime tier.
    tier_id: Mapped[uuid.UUID | None]
    period_tier_id: Mapped[uuid.UUID | None]
    lifetime_tier_id: Mapped[uuid.UUID | None]
    tier_manual: Mapped[bool] = mapped_column(default=False)
    # Ledger cache, updated in the same transaction as the journal; `punchcard verify`
    # proves it equals what the journal says.
    points_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_points: Mapped[int] = mapped_column(BigInteger, default=0)
    lifetime_points: Mapped[int] = mapped_column(BigInteger, default=0)
    # Points owed after a clawback took more than was left; paid off by later credits.
    points_debt: Mapped[int] = mapped_column(BigInteger, default=0)
    # Totals by kind of debit taken effect (redeem; expire; deduct and clawback), so
    # that showing them never sums the journal.
    points_redeemed: Mapped[int] = mapped_column(BigInteger, default=0)
    points_expired: Mapped[int] = mapped_column(BigInteger, default=0)
    points_deducted: Mapped[int] = mapped_column(BigInteger, default=0)
    # Points earned in the tier period [period_start, period_end) (tiers.service), kept
    # current by the ledger so that evaluating a period tier never sums the journal.
    # NULL bounds: not counted yet; the next evaluation sums the journal once.
    period_points: Mapped[int] = mapped_column(BigInteger, default=0)
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    # No open lot of the member expires before this (NULL: none expires at all), so a
    # change skips the expiry check while it lies in the future. A lower bound, kept by
    # the ledger (a new lot lowers it, an expiry run recomputes it) and proved by
    # `punchcard verify`.
    next_expiry_at: Mapped[datetime | None]
    enrolled_at: Mapped[datetime]
    last_activity_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Tag(TenantOwned, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class MemberTag(Base):
    __tablename__ = "member_tags"
    __table_args__ = (
        tenant_fk("member_id", "members", ondelete="CASCADE"),
        tenant_fk("tag_id", "tags", ondelete="CASCADE"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tag_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    added_at: Mapped[datetime]


class MemberGroup(TenantOwned, Base):
    """A member group (AddGlow's): a name and the brand's badge for its members, an
    object stored as given (label, colour, icon URL, ...) and returned as it was."""

    __tablename__ = "member_groups"
    __table_args__ = (Index("ix_member_groups_tenant_id_created_at", "tenant_id", "created_at"),)

    name: Mapped[str] = mapped_column(String(200))
    brand_member_badge: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MemberGroupMembership(Base):
    """A member in a group. Deleting the group (or the member) removes it."""

    __tablename__ = "member_group_memberships"
    __table_args__ = (
        tenant_fk("member_id", "members", ondelete="CASCADE"),
        tenant_fk("group_id", "member_groups", ondelete="CASCADE"),
        # Listing a group's members (``GET /members?group_id=``).
        Index("ix_member_group_memberships_tenant_id_group_id", "tenant_id", "group_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class Capture(TenantOwned, Base):
    __tablename__ = "captures"
    __table_args__ = (
        # A check-in by one member at one store on one day is one capture.
        UniqueConstraint("tenant_id", "dedup_key"),
        Index("ix_captures_tenant_created", "tenant_id", "created_at"),
        tenant_fk("member_id", "members"),
    )

    member_id: Mapped[uuid.UUID]
    source: Mapped[str] = mapped_column(String(16))
    store_id: Mapped[uuid.UUID | None]
    is_new_member: Mapped[bool] = mapped_column(default=False)
    day: Mapped[date] = mapped_column(Date)
    dedup_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
