"""Member wire models: the bodies of ``/members`` and ``/members/batch`` and the
rendering of a member (``mem_``/``tier_`` ids). ``MemberRead.of`` is the one rendering of
a member on the native face: its handlers and its ``member.*`` webhook bodies use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field, field_validator

from punchcard.api.common import ids
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.members.schemas import BatchStatus, CaptureSource, MemberStatus
from punchcard.members.views import MemberProfile, MemberRow
from punchcard.models import Member, Tier

# Two wire models share a class name with another domain's (TierRef, BatchError); FastAPI
# then names their OpenAPI components by module, so they keep the module they were
# defined in before moving here and the published document does not change.
_OPENAPI_MODULE = "punchcard.members.schemas"


def _no_nul(value: Any) -> Any:
    # PostgreSQL text cannot hold NUL; refuse it as bad input rather than fail later.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Members ---------------------------------------------------------------------------


class MemberCreate(InputSchema):
    """A new member. At least one of ``email``, ``phone`` or ``externalId`` is required."""

    email: str | None = Field(default=None, max_length=320, description="Stored lower-cased")
    phone: str | None = Field(
        default=None,
        max_length=64,
        description="Stored in E.164 (`+12125550100`); a number without its country code is "
        "read in the tenant's country (settings `phoneCountry`)",
    )
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    external_id: str | None = Field(
        default=None, min_length=1, max_length=128, description="Your system's customer id"
    )
    store_id: str | None = Field(default=None, description="Enrolling store: `st_…` id or code")
    source: CaptureSource = Field(default=CaptureSource.api, description="Where they enrolled")
    metadata: dict[str, Any] | None = None
    referred_by: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="The referral code the member joined through (a friend's link or code): "
        "their first order converts it and pays the friend's `referral` activity; "
        "unknown → 404",
    )

    _nul = field_validator("*")(_no_nul)


class MemberUpdate(InputSchema):
    """Absent fields are left alone; `null` clears (not all of email, phone, externalId)."""

    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    external_id: str | None = Field(default=None, min_length=1, max_length=128)
    status: MemberStatus | None = None
    metadata: dict[str, Any] | None = Field(default=None, description="Replaces the stored object")

    _nul = field_validator("*")(_no_nul)


class TierRef(Schema):
    __module__ = _OPENAPI_MODULE

    id: str
    name: str


class MemberRead(Schema):
    id: str
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    external_id: str | None
    status: MemberStatus
    tier: TierRef | None
    points_balance: int = Field(description="Spendable points (read-only; the ledger owns it)")
    pending_points: int
    lifetime_points: int
    tags: list[str] = Field(description="Tag keys")
    enrolled_at: UtcTime
    last_activity_at: UtcTime | None
    metadata: dict[str, Any]
    referral_code: str | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(
        cls, member: Member, *, tags: Sequence[str] = (), tier: Tier | None = None
    ) -> MemberRead:
        """Render ``member``; ``tags`` are its tag keys, ``tier`` its current tier row."""
        return cls(
            id=ids.render("mem", member.id),
            email=member.email,
            phone=member.phone,
            first_name=member.first_name,
            last_name=member.last_name,
            external_id=member.external_id,
            status=MemberStatus(member.status),
            tier=TierRef(id=ids.render("tier", tier.id), name=tier.name) if tier else None,
            points_balance=member.points_balance,
            pending_points=member.pending_points,
            lifetime_points=member.lifetime_points,
            tags=list(tags),
            enrolled_at=member.enrolled_at,
            last_activity_at=member.last_activity_at,
            metadata=dict(member.metadata_ or {}),
            referral_code=member.referral_code,
            created_at=member.created_at,
            updated_at=member.updated_at,
        )

    @classmethod
    def of_profile(cls, profile: MemberProfile) -> MemberRead:
        return cls.of(profile.member, tags=profile.tags, tier=profile.tier)

    @classmethod
    def of_row(cls, row: MemberRow) -> MemberRead:
        """Render a member read on its own (``members.views.member_row``): the same
        fields as :meth:`of`."""
        tier_id, tier_name = row.tier_id, row.tier_name  # name: NULL when no tier joined
        return cls(
            id=ids.render("mem", row.id),
            email=row.email,
            phone=row.phone,
            first_name=row.first_name,
            last_name=row.last_name,
            external_id=row.external_id,
            status=MemberStatus(row.status),
            tier=TierRef(id=ids.render("tier", tier_id), name=tier_name)
            if tier_id is not None and tier_name is not None
            else None,
            points_balance=row.points_balance,
            pending_points=row.pending_points,
            lifetime_points=row.lifetime_points,
            tags=row.tags,
            enrolled_at=row.enrolled_at,
            last_activity_at=row.last_activity_at,
            metadata=dict(row.metadata_ or {}),
            referral_code=row.referral_code,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def payload(self) -> dict[str, Any]:
        """The webhook event payload: the member exactly as the native face shows it."""
        return self.model_dump(mode="json", by_alias=True)


class MemberList(Schema):
    members: list[MemberRead]
    total: int
    limit: int
    offset: int


class MemberBatch(InputSchema):
    members: list[Any] = Field(
        min_length=1,
        max_length=500,
        description="1..500 members, each shaped like `POST /members`; upserted by "
        "externalId, then email",
    )


class BatchError(Schema):
    __module__ = _OPENAPI_MODULE

    code: str
    message: str
    field: str | None = None
    existing_id: str | None = Field(default=None, description="Set on DUPLICATE_MEMBER")


class BatchRow(Schema):
    index: int
    status: BatchStatus
    id: str | None = None
    error: BatchError | None = None


class MemberBatchResult(Schema):
    results: list[BatchRow]
    created: int
    updated: int
    failed: int
