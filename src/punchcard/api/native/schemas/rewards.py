"""Reward (redemption option) wire models: the bodies of ``/rewards`` and the renderings
of rewards (``rwd_``/``tier_``/``pool_`` ids); ShopSocially builds the bodies to reuse
their validation."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import Field, StrictInt

from punchcard.api.common import ids
from punchcard.api.native.schemas.coupons import CodeGeneration, CouponRead
from punchcard.kit.money import money_str
from punchcard.kit.schema import KEY_PATTERN, InputSchema, Schema, UtcTime
from punchcard.models import Reward
from punchcard.rewards.schemas import RewardType


class RewardCreate(InputSchema):
    key: str | None = Field(default=None, pattern=KEY_PATTERN, description="Your id for the option")
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    terms: str | None = Field(default=None, max_length=5000)
    instructions: str | None = Field(default=None, max_length=5000)
    points_cost: StrictInt = Field(ge=1, le=10**12)
    monetary_value: Decimal | None = Field(default=None, ge=0, le=Decimal("9999999999"))
    type: RewardType = Field(default=RewardType.custom, description="What the reward is")
    is_active: bool = True
    tier_ids: list[str] = Field(default_factory=list, max_length=100)
    stock: StrictInt | None = Field(default=None, ge=0, le=10**9)
    codes: list[str] | None = Field(default=None, max_length=10_000)
    generate: CodeGeneration | None = None
    codes_expire_at: datetime | None = None


class RewardUpdate(InputSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    terms: str | None = Field(default=None, max_length=5000)
    instructions: str | None = Field(default=None, max_length=5000)
    points_cost: StrictInt | None = Field(default=None, ge=1, le=10**12)
    monetary_value: Decimal | None = Field(default=None, ge=0, le=Decimal("9999999999"))
    type: RewardType | None = None
    is_active: bool | None = None
    tier_ids: list[str] | None = Field(default=None, max_length=100)
    stock: StrictInt | None = Field(default=None, ge=0, le=10**9)
    add_codes: list[str] | None = Field(default=None, max_length=10_000)


class RewardRead(Schema):
    id: str
    key: str
    name: str
    description: str | None
    terms: str | None
    instructions: str | None
    points_cost: int
    monetary_value: str | None
    type: RewardType
    is_active: bool
    tier_ids: list[str]
    stock: int | None
    pool_id: str | None
    available_codes: int | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, r: Reward, available_codes: int | None = None) -> RewardRead:
        return cls(
            id=ids.render("rwd", r.id),
            key=r.key,
            name=r.name,
            description=r.description,
            terms=r.terms,
            instructions=r.instructions,
            points_cost=r.points_cost,
            monetary_value=money_str(r.monetary_value),
            type=RewardType(r.type),
            is_active=r.is_active,
            tier_ids=[ids.render("tier", uuid.UUID(str(t))) for t in r.tier_ids],
            stock=r.stock,
            pool_id=ids.render_optional("pool", r.pool_id),
            available_codes=available_codes if r.pool_id is not None else None,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


class RewardList(Schema):
    rewards: list[RewardRead]
    total: int
    limit: int
    offset: int


class RewardRedeem(InputSchema):
    member_id: str


class RewardRedeemed(Schema):
    transaction_id: str
    reward: RewardRead
    coupon: CouponRead | None
    points: int
    balance: int
