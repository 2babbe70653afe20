"""Referral and ambassador wire models: the bodies of ``/referrals/*`` and
``/ambassador/*`` and their renderings (``ref_``/``mem_``/``ord_`` ids); a conversion's
(:class:`ConversionRead`) is also the ``referral.converted`` webhook body."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_serializer

from punchcard.ambassador.referrals import Conversion
from punchcard.ambassador.repository import CodeActivity
from punchcard.ambassador.schemas import CodeKind
from punchcard.ambassador.service import Ranked, Report
from punchcard.api.common import ids
from punchcard.kit.money import money_str, to_money
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import ReferralCode, ReferralEvent


def _revenue(value: Any) -> Decimal | None:
    if value is None:
        return None
    amount = to_money(value)
    if amount < 0:
        raise ValueError("must not be negative")
    return amount


Revenue = Annotated[Decimal | None, BeforeValidator(_revenue)]


# Referrals -----------------------------------------------------------------------


class ClickCreate(InputSchema):
    code: str = Field(min_length=1, max_length=64, description="The referral code clicked")
    visitor_id: str | None = Field(default=None, max_length=128)
    url: str | None = Field(default=None, max_length=2048, description="The landing page")


class ClickRead(Schema):
    id: str
    code: str
    visitor_id: str | None
    created_at: UtcTime

    @classmethod
    def of(cls, e: ReferralEvent, code: ReferralCode) -> ClickRead:
        return cls(
            id=ids.render("ref", e.id),
            code=code.code,
            visitor_id=e.visitor_id,
            created_at=e.created_at,
        )


class ConversionCreate(InputSchema):
    code: str = Field(min_length=1, max_length=64)
    member_id: str | None = Field(
        default=None, description="`mem_…` id of the referred member (default: the order's)"
    )
    order_id: str | None = Field(
        default=None, max_length=128, description="`ord_…` id or your externalOrderId"
    )
    revenue: Revenue = Field(
        default=None,
        description='Decimal string, e.g. "240.50"; default: the order\'s total net of refunds',
    )


class CodeStats(Schema):
    code: str
    member_id: str
    kind: CodeKind
    clicks: int = Field(description="Every click, repeats included")
    unique_visitors: int = Field(description="Distinct visitor ids among the clicks")
    conversions: int
    revenue: str

    @classmethod
    def of(cls, r: CodeActivity) -> CodeStats:
        return cls(
            code=r.code.code,
            member_id=ids.render("mem", r.code.member_id),
            kind=CodeKind(r.code.kind),
            clicks=r.clicks,
            unique_visitors=r.unique_visitors,
            conversions=r.conversions,
            revenue=money(r.revenue),
        )


class CodeStatsList(Schema):
    codes: list[CodeStats]
    total: int
    limit: int
    offset: int
    currency: str


# Ambassador ------------------------------------------------------------------------


class IssueCode(InputSchema):
    code: str | None = Field(
        default=None,
        description="The code to issue (`[A-Za-z0-9_-]{3,32}`); generated when left out",
    )


class IssuedCode(Schema):
    member_id: str
    code: str
    referral_url: str


class CandidateMember(Schema):
    id: str
    email: str | None
    first_name: str | None
    last_name: str | None


class Candidate(Schema):
    rank: int
    member: CandidateMember
    score: float = Field(description="0..100, see `scoring`")
    spend: str = Field(description="Net spend in the window (decimal string)")
    orders: int
    referrals: int = Field(description="Referral conversions of the member's codes")
    engagement: int = Field(description="Tracking events of the member")
    is_ambassador: bool = Field(description="Already holds an affiliate code")


class CandidateList(Schema):
    candidates: list[Candidate]
    total: int
    limit: int
    offset: int
    from_: date = Field(alias="from")
    to: date
    currency: str
    scoring: str = Field(description="The score's formula")

    @field_serializer("from_", "to")
    def _dates(self, value: date) -> str:
        return value.isoformat()

    @classmethod
    def of(cls, ranked: Ranked, *, limit: int, offset: int, scoring: str) -> CandidateList:
        return cls(
            candidates=[
                Candidate(
                    rank=offset + i + 1,
                    member=CandidateMember(
                        id=ids.render("mem", m.id),
                        email=m.email,
                        first_name=m.first_name,
                        last_name=m.last_name,
                    ),
                    score=round(row.score, 2),
                    spend=money(row.spend),
                    orders=row.orders,
                    referrals=row.referrals,
                    engagement=row.engagement,
                    is_ambassador=is_ambassador,
                )
                for i, (row, m, is_ambassador) in enumerate(ranked.rows)
            ],
            total=ranked.total,
            limit=limit,
            offset=offset,
            from_=ranked.window.first,
            to=ranked.window.last,
            currency=ranked.currency,
            scoring=scoring,
        )


class Metrics(Schema):
    from_: date = Field(alias="from")
    to: date
    ambassadors: int = Field(
        description="Members holding an affiliate code at the end of the window"
    )
    codes_issued: int = Field(description="Affiliate codes issued in the window")
    clicks: int
    conversions: int
    revenue: str
    currency: str
    points_cost: int = Field(description="Points awarded for affiliate conversions")
    points_cost_value: str = Field(
        description="pointsCost in currency: pointsCost / the tenant's pointsPerCurrencyUnit"
    )
    roi: float | None = Field(description="revenue / pointsCostValue; null when pointsCost is 0")

    @field_serializer("from_", "to")
    def _dates(self, value: date) -> str:
        return value.isoformat()

    @classmethod
    def of(cls, r: Report) -> Metrics:
        return cls(
            from_=r.window.first,
            to=r.window.last,
            ambassadors=r.totals.ambassadors,
            codes_issued=r.totals.codes_issued,
            clicks=r.totals.clicks,
            conversions=r.totals.conversions,
            revenue=money(r.totals.revenue),
            currency=r.currency,
            points_cost=r.totals.points,
            points_cost_value=money(r.points_value),
            roi=r.roi,
        )


def money(value: Decimal | None) -> str:
    return money_str(value if value is not None else Decimal(0)) or "0.00"


class ConversionRead(Schema):
    """A referral conversion (``ref_`` id)."""

    id: str
    code: str
    referrer_id: str = Field(description="The member who owns the code")
    referred_member_id: str | None
    order_id: str | None
    external_order_id: str | None = Field(
        description="The order's externalOrderId; set while the order is not ingested yet"
    )
    pending: bool = Field(description="The order is not ingested yet: paid when it arrives")
    revenue: str
    currency: str
    points: int = Field(description="Points awarded to the referrer for this conversion")
    created_at: UtcTime

    @classmethod
    def of(cls, c: Conversion) -> ConversionRead:
        e = c.event
        return cls(
            id=ids.render("ref", e.id),
            code=c.code.code,
            referrer_id=ids.render("mem", c.code.member_id),
            referred_member_id=ids.render_optional("mem", e.referred_member_id),
            order_id=ids.render_optional("ord", e.order_id),
            external_order_id=e.order_ref,
            pending=e.order_ref is not None and e.order_id is None,
            revenue=money(e.revenue),
            currency=c.currency,
            points=e.points,
            created_at=e.created_at,
        )
