"""Coupon wire models: the bodies of ``/coupons/*`` and the renderings of pools and
coupons (``pool_``/``cpn_``/``mem_`` ids)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, StrictInt, model_validator

from punchcard.api.common import ids
from punchcard.coupons.schemas import DiscountType
from punchcard.kit.money import money_str
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import Coupon, CouponPool


class CodeGeneration(InputSchema):
    count: StrictInt = Field(ge=1, le=10_000)
    prefix: str = Field(default="", max_length=16, pattern=r"^[A-Za-z0-9_-]*$")
    length: StrictInt = Field(default=10, ge=6, le=32)


class PoolCreate(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    discount_type: DiscountType
    discount_value: Decimal = Field(ge=0, le=Decimal("99999999"))
    points_cost: StrictInt | None = Field(default=None, ge=1, le=10**12)
    expires_at: UtcTime | None = None
    codes: list[str] | None = Field(default=None, max_length=10_000)
    generate: CodeGeneration | None = None

    @model_validator(mode="after")
    def _codes_or_generate(self) -> PoolCreate:
        if self.codes is not None and self.generate is not None:
            raise ValueError("give either codes or generate, not both")
        if self.discount_type == DiscountType.percent and self.discount_value > 100:
            raise ValueError("a percent discount is at most 100")
        return self


class PoolRead(Schema):
    id: str
    name: str
    discount_type: str
    discount_value: str
    points_cost: int | None
    total_codes: int
    available_codes: int
    issued_codes: int
    redeemed_codes: int
    expires_at: UtcTime | None
    created_at: UtcTime

    @classmethod
    def of(cls, pool: CouponPool, counts: dict[str, int]) -> PoolRead:
        return cls(
            id=ids.render("pool", pool.id),
            name=pool.name,
            discount_type=pool.discount_type,
            discount_value=money_str(pool.discount_value) or "0.00",
            points_cost=pool.points_cost,
            total_codes=sum(counts.values()),
            available_codes=counts.get("available", 0),
            issued_codes=counts.get("issued", 0),
            redeemed_codes=counts.get("redeemed", 0),
            expires_at=pool.expires_at,
            created_at=pool.created_at,
        )


class PoolList(Schema):
    pools: list[PoolRead]
    total: int
    limit: int
    offset: int


class CouponRead(Schema):
    id: str
    code: str
    pool_id: str
    member_id: str | None
    status: str
    issued_at: UtcTime | None
    redeemed_at: UtcTime | None
    expires_at: UtcTime | None

    @classmethod
    def of(cls, c: Coupon) -> CouponRead:
        return cls(
            id=ids.render("cpn", c.id),
            code=c.code,
            pool_id=ids.render("pool", c.pool_id),
            member_id=ids.render_optional("mem", c.member_id),
            status=c.status,
            issued_at=c.issued_at,
            redeemed_at=c.redeemed_at,
            expires_at=c.expires_at,
        )


class CouponList(Schema):
    coupons: list[CouponRead]
    total: int
    limit: int
    offset: int


class IssueRequest(InputSchema):
    pool_id: str
    member_id: str
    quantity: StrictInt = Field(default=1, ge=1, le=100)


class IssueResult(Schema):
    coupons: list[CouponRead]


class RedeemRequest(InputSchema):
    store_id: str | None = None


class RedeemForPoints(InputSchema):
    pool_id: str


class RedeemForPointsResult(Schema):
    coupon: CouponRead
    transaction_id: str
    balance: int
