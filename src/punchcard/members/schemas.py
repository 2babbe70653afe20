"""Member, tag and capture schemas (native rendering).

``MemberRead.of`` is the one rendering of a member: the native face, webhook payloads
and the other faces' translators start from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from punchcard.kit.ids import render
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import Member, Tier

TAG_KEY_PATTERN = r"^[a-z0-9_-]{1,64}$"


class MemberStatus(StrEnum):
    active = "active"
    inactive = "inactive"
    banned = "banned"


class CaptureSource(StrEnum):
    qr = "qr"
    portal = "portal"
    web = "web"
    pos = "pos"
    checkin = "checkin"
    api = "api"


class TagSource(StrEnum):
    manual = "manual"
    rule = "rule"


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
        default=None, max_length=64, description="Normalised to a leading `+` and digits"
    )
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    external_id: str | None = Field(
        default=None, min_length=1, max_length=128, description="Your system's customer id"
    )
    store_id: str | None = Field(default=None, description="Enrolling store: `st_…` id or code")
    source: CaptureSource = Field(default=CaptureSource.api, description="Where they enrolled")
    metadata: dict[str, Any] | None = None

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
            id=render("mem", member.id) or "",
            email=member.email,
            phone=member.phone,
            first_name=member.first_name,
            last_name=member.last_name,
            external_id=member.external_id,
            status=MemberStatus(member.status),
            tier=TierRef(id=render("tier", tier.id) or "", name=tier.name) if tier else None,
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


class BatchStatus(StrEnum):
    created = "created"
    updated = "updated"
    error = "error"


class BatchError(Schema):
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
