"""The document's shapes, camelCase as it writes them. One module per group may add
its own; shared pieces live here.

Inputs are :class:`punchcard.kit.schema.InputSchema` (camelCase, unknown fields
refused, JSON types strict, NUL refused: a 400 naming the field); outputs are
:class:`Wire`. Times render as the native face's (UTC ISO-8601 with ``Z``), ids as its
prefixed ids (``mem_…``, ``rwd_…``, ``txn_…``, ``tier_…``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, StrictInt

from punchcard.api.common import ids
from punchcard.api.common.wire import Wire
from punchcard.kit.schema import InputSchema, UtcTime
from punchcard.members.service import full_name
from punchcard.members.views import MemberProfile, MemberRow
from punchcard.models import PointsEntry, Reward
from punchcard.rewards.schemas import RewardStatus, RewardType
from punchcard.rewards.service import Redemption as CoreRedemption

# Advocates -------------------------------------------------------------------------

NAME_MAX = 201  # first name (100) + space + last name (100): members.service.split_name


class AdvocateTier(Wire):
    id: str
    name: str


class Advocate(Wire):
    """A member, as the document shows an advocate. ``name`` is the first and last
    name joined by a space; ``points`` the spendable balance."""

    id: str
    email: str | None
    name: str | None
    tier: AdvocateTier | None
    points: int
    pending_points: int
    lifetime_points: int
    status: str
    referral_code: str | None
    metadata: dict[str, Any]
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of_row(cls, row: MemberRow) -> Advocate:
        """A member read on its own (``members.service.read_row``)."""
        tier = (
            AdvocateTier(id=ids.render("tier", row.tier_id), name=row.tier_name or "")
            if row.tier_id is not None
            else None
        )
        return cls(
            id=ids.render("mem", row.id),
            email=row.email,
            name=full_name(row.first_name, row.last_name),
            tier=tier,
            points=row.points_balance,
            pending_points=row.pending_points,
            lifetime_points=row.lifetime_points,
            status=row.status,
            referral_code=row.referral_code,
            metadata=dict(row.metadata_ or {}),
            created_at=row.enrolled_at,
            updated_at=row.updated_at,
        )

    @classmethod
    def of_profile(cls, profile: MemberProfile) -> Advocate:
        """A member of a page (``members.service.list_members``: the same fields)."""
        m, t = profile.member, profile.tier
        return cls(
            id=ids.render("mem", m.id),
            email=m.email,
            name=full_name(m.first_name, m.last_name),
            tier=AdvocateTier(id=ids.render("tier", t.id), name=t.name) if t else None,
            points=m.points_balance,
            pending_points=m.pending_points,
            lifetime_points=m.lifetime_points,
            status=m.status,
            referral_code=m.referral_code,
            metadata=dict(m.metadata_ or {}),
            created_at=m.enrolled_at,
            updated_at=m.updated_at,
        )


class AdvocateOne(Wire):
    advocate: Advocate


class AdvocateList(Wire):
    advocates: list[Advocate]
    total: int
    page: int


class AdvocateCreate(InputSchema):
    """A new advocate: ``email`` is required; ``name`` is split onto first name (its
    first word) and last name (the rest)."""

    email: str = Field(max_length=320, description="Stored lower-cased; unique")
    name: str | None = Field(
        default=None, max_length=NAME_MAX, description="First word: first name; rest: last name"
    )
    metadata: dict[str, Any] | None = None


class AdvocateUpdate(InputSchema):
    """Absent fields are left alone; ``null`` clears (``tier: null``: back to the tier
    the advocate's points earn)."""

    name: str | None = Field(default=None, max_length=NAME_MAX)
    tier: str | None = Field(
        default=None,
        max_length=100,
        description="A tier id (`tier_…`), key or name: set by hand, kept until cleared",
    )
    metadata: dict[str, Any] | None = Field(default=None, description="Replaces the stored object")


class PointsType(StrEnum):
    award = "award"
    deduct = "deduct"


class PointsChange(InputSchema):
    amount: StrictInt = Field(ge=1, le=10**12, description="A positive number of points")
    description: str | None = Field(default=None, max_length=500)
    type: PointsType = Field(default=PointsType.award, description="award (default) or deduct")


class Transaction(Wire):
    """A ledger entry; ``amount`` is signed as the ledger keeps it (a deduct is negative)."""

    id: str
    advocate_id: str
    type: str
    amount: int
    balance_after: int
    status: str
    description: str | None
    created_at: UtcTime

    @classmethod
    def of(cls, e: PointsEntry) -> Transaction:
        return cls(
            id=ids.render("txn", e.id),
            advocate_id=ids.render("mem", e.member_id),
            type=e.type,
            amount=e.amount,
            balance_after=e.balance_after,
            status=e.status,
            description=e.description,
            created_at=e.created_at,
        )


class PointsChanged(Wire):
    transaction: Transaction
    new_balance: int


# Rewards ---------------------------------------------------------------------------


class AdvocateReward(Wire):
    """A reward (the core's redemption option). ``stock`` null: unlimited."""

    id: str
    name: str
    description: str | None
    points_cost: int
    type: RewardType
    stock: int | None
    status: RewardStatus
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, r: Reward) -> AdvocateReward:
        return cls(
            id=ids.render("rwd", r.id),
            name=r.name,
            description=r.description,
            points_cost=r.points_cost,
            type=RewardType(r.type),
            stock=r.stock,
            status=RewardStatus.active if r.is_active else RewardStatus.inactive,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


class RewardOne(Wire):
    reward: AdvocateReward


class RewardList(Wire):
    rewards: list[AdvocateReward]
    total: int
    page: int


class RewardCreate(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    points_cost: StrictInt = Field(ge=1, le=10**12)
    type: RewardType = Field(default=RewardType.custom, description="What the reward is")
    stock: StrictInt | None = Field(default=None, ge=0, le=10**9, description="null: unlimited")


class RedeemBody(InputSchema):
    advocate_id: str = Field(max_length=100, description="The advocate's id (`mem_…`)")


class Redemption(Wire):
    """One redemption: its id is the ledger entry that spent the points."""

    id: str
    reward_id: str
    advocate_id: str
    points_spent: int
    coupon_code: str | None
    new_balance: int
    created_at: UtcTime

    @classmethod
    def of(cls, done: CoreRedemption) -> Redemption:
        return cls(
            id=ids.render("txn", done.entry.id),
            reward_id=ids.render("rwd", done.reward.id),
            advocate_id=ids.render("mem", done.member.id),
            points_spent=-done.entry.amount,
            coupon_code=done.coupon.code if done.coupon is not None else None,
            new_balance=done.member.points_balance,
            created_at=done.entry.created_at,
        )


class RedemptionOne(Wire):
    redemption: Redemption
