"""Wire model of ``GET /metrics``: exactly what ``metrics.wire.as_json`` renders."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from punchcard.kit.schema import Schema

_MONEY = 'Decimal string in the tenant\'s currency, two places (`"12.50"`)'


class MetricsBucket(Schema):
    start: date = Field(description="The bucket's first local day (a Monday for weeks)")
    points_issued: int = Field(description="Effective credits")
    points_redeemed: int = Field(description="Effective `redeem` debits, positive")
    points_expired: int = Field(description="Effective `expire` debits, positive")
    points_clawed_back: int = Field(description="Effective `clawback` debits, positive")
    points_deducted: int = Field(description="Any other debit (`deduct`, negative `adjust`)")
    new_members: int = Field(description="Members enrolled")
    orders: int = Field(description="Orders placed (every order belongs to a member)")
    gmv: str = Field(description=f"Order totals. {_MONEY}")
    refunds: str = Field(description=f"Refunds made. {_MONEY}")
    referral_clicks: int
    referral_conversions: int
    referral_revenue: str = Field(description=f"Converted referrals' revenue. {_MONEY}")
    reward_redemptions: int = Field(description="Rewards bought with points")
    coupon_redemptions: int = Field(description="Coupons used at the register")


class TierMembers(Schema):
    tier_id: str | None = Field(description="`tier_…`, null for members without a tier")
    name: str
    members: int


class MetricsRead(Schema):
    start: date = Field(alias="from", description="First local day, inclusive")
    end: date = Field(alias="to", description="Last local day, inclusive")
    interval: str = Field(description="`day`, `week` or `month`")
    timezone: str = Field(description="The tenant's timezone: days are its local days")
    currency: str
    point_value: str = Field(description="What one point is worth (`tenant.point_value`)")
    totals: MetricsBucket = Field(description="The period's flows")
    series: list[MetricsBucket] = Field(description="The flows per day, week or month")
    outstanding_points: int = Field(description="Unspent points at the end of the period")
    liability: str = Field(description=f"outstandingPoints x pointValue. {_MONEY}")
    breakage: str | None = Field(
        description="pointsExpired / pointsIssued, four places; null when nothing was issued"
    )
    redemption_rate: str | None = Field(
        description="pointsRedeemed / pointsIssued, four places; null when nothing was issued"
    )
    net_gmv: str = Field(description=f"gmv - refunds. {_MONEY}")
    active_members: int = Field(
        description="Members with a journal entry (expiries excepted), an order or a capture"
    )
    total_members: int = Field(description="Members enrolled by the end of the period")
    members_by_tier: list[TierMembers] = Field(description="Now (a tier is a state)")
