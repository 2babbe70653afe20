"""The document's Referrals group: ``/referrals``, ``/referrals/:code/stats``,
``/referrals/track``, ``/referrals/convert``. A referral is a referral code (every
member's own, and affiliate codes); scope ``ambassador``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import Field

from punchcard.ambassador import referrals
from punchcard.ambassador.referrals import Conversion
from punchcard.ambassador.repository import CodeActivity
from punchcard.api.advocate.auth import AmbassadorRead, AmbassadorWrite
from punchcard.api.advocate.paging import PageParams, page_number
from punchcard.api.common import ids
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.common.wire import Wire, WireInput

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Referrals"])


class Referral(Wire):
    code: str
    advocate_id: str = Field(description="The advocate who owns the code")
    kind: Literal["member", "affiliate"] = Field(
        description="`member`: the advocate's own code (every advocate has one); "
        "`affiliate`: issued to an ambassador"
    )
    url: str = Field(description="The referral link")
    clicks: int
    unique_visitors: int
    conversions: int
    revenue: float
    created_at: datetime

    @classmethod
    def of(cls, r: CodeActivity, public_url: str) -> Referral:
        return cls(
            code=r.code.code,
            advocate_id=ids.render("mem", r.code.member_id),
            kind="affiliate" if r.code.kind == "affiliate" else "member",
            url=f"{public_url.rstrip('/')}/r/{r.code.code}",
            clicks=r.clicks,
            unique_visitors=r.unique_visitors,
            conversions=r.conversions,
            revenue=float(r.revenue),
            created_at=r.code.created_at,
        )


class ReferralList(Wire):
    referrals: list[Referral]
    total: int
    page: int


class ReferralStats(Wire):
    clicks: int = Field(description="Every click, repeats included")
    unique_visitors: int = Field(description="Distinct visitor ids among the clicks")
    conversions: int
    revenue: float


class TrackBody(WireInput):
    code: str = Field(min_length=1, max_length=64)
    visitor_id: str = Field(min_length=1, max_length=128)


class Tracked(Wire):
    tracked: Literal[True] = True


class ConvertBody(WireInput):
    code: str = Field(min_length=1, max_length=64)
    order_id: str = Field(
        min_length=1,
        max_length=128,
        description="Your order id (the order's externalOrderId; an `ord_…` id works too). "
        "An order not yet sent to Punchcard is recorded and paid when it arrives.",
    )
    order_value: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)] | None = Field(
        default=None, description="The revenue; default the order's total net of refunds"
    )


class ConversionOut(Wire):
    id: str
    code: str
    advocate_id: str = Field(description="The referrer")
    referred_advocate_id: str | None
    order_id: str | None
    order_value: float
    status: Literal["pending", "converted"] = Field(
        description="`pending`: the order is not in Punchcard yet (paid when it arrives)"
    )
    points: int = Field(description="Points the referrer earned for it")
    created_at: datetime

    @classmethod
    def of(cls, c: Conversion) -> ConversionOut:
        e = c.event
        return cls(
            id=ids.render("ref", e.id),
            code=c.code.code,
            advocate_id=ids.render("mem", c.code.member_id),
            referred_advocate_id=ids.render_optional("mem", e.referred_member_id),
            order_id=e.order_ref,
            order_value=float(e.revenue),
            status="pending" if e.order_ref is not None and e.order_id is None else "converted",
            points=e.points,
            created_at=e.created_at,
        )


class Converted(Wire):
    conversion: ConversionOut
    points_awarded: int = Field(description="Points this call awarded (0 on a repeat)")


@router.get("/referrals", response_model=ReferralList)
def list_referrals(
    p: AmbassadorRead, session: DbSession, request: Request, page: PageParams
) -> ReferralList:
    """List all referral codes, with clicks, conversions and revenue (most converting first)."""
    rows, total, _ = referrals.stats(session, p, page=page)
    url = request.app.state.settings.public_url
    return ReferralList(
        referrals=[Referral.of(r, url) for r in rows], total=total, page=page_number(page)
    )


@router.get("/referrals/{code}/stats", response_model=ReferralStats)
def referral_stats(p: AmbassadorRead, session: DbSession, code: str) -> ReferralStats:
    """Get referral statistics (404: unknown code)."""
    s = referrals.code_stats(session, p, code=code)
    return ReferralStats(
        clicks=s.clicks,
        unique_visitors=s.unique_visitors,
        conversions=s.conversions,
        revenue=float(s.revenue),
    )


@router.post("/referrals/track", response_model=Tracked)
def track(p: AmbassadorWrite, session: DbSession, body: TrackBody) -> Tracked:
    """Track a referral click by visitor (404: unknown code)."""
    referrals.record_click(
        session, p, data=referrals.Click(code=body.code, visitor_id=body.visitor_id)
    )
    return Tracked()


@router.post("/referrals/convert", response_model=Converted)
def convert(p: AmbassadorWrite, session: DbSession, body: ConvertBody) -> Converted:
    """Track a conversion, once per order id; the referrer earns the `referral` activity's
    points (400 `SELF_REFERRAL`: the order is the code owner's own; 404: unknown code)."""
    conversion = referrals.convert(
        session,
        p,
        data=referrals.ConversionInput(
            code=body.code, order_ref=ids.ref("ord", body.order_id), revenue=body.order_value
        ),
    )
    return Converted(
        conversion=ConversionOut.of(conversion),
        points_awarded=conversion.event.points if conversion.created else 0,
    )
