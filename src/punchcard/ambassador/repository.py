"""Referral and ambassador SQL."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Float,
    Numeric,
    Select,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    union,
)
from sqlalchemy.sql.elements import ColumnElement

from punchcard.db.repository import TenantRepository, by_id_or_key, cached_statement
from punchcard.kit.paging import Page
from punchcard.models import Member, Order, ReferralCode, ReferralEvent, TrackingEvent
from punchcard.tracking.period import Window

# Orders that count as spend: money the merchant kept (refunds are netted out).
SPEND_STATUSES = ("paid", "partially_refunded")

METRICS = ("spend", "orders", "referrals", "engagement")


@dataclass(frozen=True)
class CodeActivity:
    code: ReferralCode
    clicks: int
    conversions: int
    revenue: Decimal
    unique_visitors: int = 0


def _counts() -> tuple[Any, Any, Any, Any]:
    """Clicks (all), unique visitors (distinct visitor ids of the clicks: a click
    without one counts as a click only), conversions and their revenue."""
    ev = ReferralEvent
    is_click = ev.type == "click"
    is_conv = ev.type == "conversion"
    return (
        func.sum(case((is_click, 1), else_=0)).label("clicks"),
        func.count(case((is_click, ev.visitor_id), else_=None).distinct()).label("visitors"),
        func.sum(case((is_conv, 1), else_=0)).label("conversions"),
        func.sum(case((is_conv, ev.revenue), else_=0)).label("revenue"),
    )


@dataclass(frozen=True)
class CandidateRow:
    member_id: uuid.UUID
    score: float
    spend: Decimal
    orders: int
    referrals: int
    engagement: int


@dataclass(frozen=True)
class ProgramTotals:
    ambassadors: int
    codes_issued: int
    clicks: int
    conversions: int
    revenue: Decimal
    points: int


class ReferralCodeRepository(TenantRepository[ReferralCode]):
    model = ReferralCode

    def find(self, code: str) -> ReferralCode | None:
        """The code as typed, else its case-insensitive match (people retype codes)."""
        exact = self.session.scalars(self.scoped().where(ReferralCode.code == code)).first()
        if exact is not None:
            return exact
        stmt = self.scoped().where(func.lower(ReferralCode.code) == code.lower())
        return self.session.scalars(stmt.order_by(ReferralCode.created_at).limit(1)).first()

    def taken(self, code: str) -> bool:
        """Whether ``code`` is in use, ignoring case, as a referral code or a member's own."""
        lowered = code.lower()
        in_codes = self.scoped(select(ReferralCode.id)).where(
            func.lower(ReferralCode.code) == lowered
        )
        in_members = self.scoped(select(Member.id), Member).where(
            func.lower(Member.referral_code) == lowered
        )
        return self.session.execute(in_codes.limit(1)).first() is not None or (
            self.session.execute(in_members.limit(1)).first() is not None
        )

    def affiliate_holders(self, member_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        wanted = set(member_ids)
        if not wanted:
            return set()
        stmt = self.scoped(select(ReferralCode.member_id)).where(
            ReferralCode.kind == "affiliate", ReferralCode.member_id.in_(wanted)
        )
        return set(self.session.scalars(stmt))

    def activity(
        self,
        page: Page,
        *,
        window: Window | None = None,
        kind: str | None = None,
        member_id: uuid.UUID | None = None,
    ) -> tuple[list[CodeActivity], int]:
        """Codes with their clicks, conversions and revenue, most converting first."""
        ev = ReferralEvent
        agg = select(ev.code_id.label("code_id"), *_counts()).where(ev.tenant_id == self.tenant_id)
        if window is not None:
            agg = agg.where(ev.created_at >= window.start, ev.created_at < window.end)
        counts = agg.group_by(ev.code_id).subquery()
        clicks = func.coalesce(counts.c.clicks, 0)
        conversions = func.coalesce(counts.c.conversions, 0)
        revenue = func.coalesce(counts.c.revenue, 0)
        visitors = func.coalesce(counts.c.visitors, 0)
        stmt = self.scoped(select(ReferralCode, clicks, conversions, revenue, visitors)).outerjoin(
            counts, counts.c.code_id == ReferralCode.id
        )
        filtered = self.scoped()
        if kind:
            stmt = stmt.where(ReferralCode.kind == kind)
            filtered = filtered.where(ReferralCode.kind == kind)
        if member_id is not None:
            stmt = stmt.where(ReferralCode.member_id == member_id)
            filtered = filtered.where(ReferralCode.member_id == member_id)
        total = self.session.scalar(select(func.count()).select_from(filtered.subquery()))
        rows = self.session.execute(
            stmt.order_by(conversions.desc(), clicks.desc(), ReferralCode.code)
            .limit(page.limit)
            .offset(page.offset)
        )
        return [
            CodeActivity(row[0], int(row[1]), int(row[2]), Decimal(str(row[3])), int(row[4]))
            for row in rows
        ], int(total or 0)


def _hits(referred: bool) -> Select[tuple[ReferralEvent]]:
    ev = ReferralEvent
    cond: ColumnElement[bool] = ev.order_ref == bindparam("ref")
    if referred:
        cond = cond | ((ev.referred_member_id == bindparam("member")) & (ev.type == "conversion"))
    return select(ev).where(ev.tenant_id == bindparam("t_id"), cond)


class ReferralEventRepository(TenantRepository[ReferralEvent]):
    model = ReferralEvent

    def order(self, ref: uuid.UUID | str) -> Order | None:
        """The order by id (a UUID) or externalOrderId (a string). Not locked: one
        conversion per order is the unique ``order_ref`` key's job (and the order's
        member is locked before the referrer's by ``convert``)."""
        return by_id_or_key(
            ref,
            lambda id_: self._order(Order.id == id_),
            lambda external: self._order(Order.external_order_id == external),
        )

    def _order(self, cond: ColumnElement[bool]) -> Order | None:
        return self.session.scalars(self.scoped(select(Order), Order).where(cond)).first()

    def conversion_for_ref(self, order_ref: str) -> ReferralEvent | None:
        """The conversion of the order with this externalOrderId (pending or linked)."""
        stmt = self.scoped().where(ReferralEvent.order_ref == order_ref)
        return self.session.scalars(stmt.execution_options(populate_existing=True)).first()

    def hits(self, order_ref: str, referred_member_id: uuid.UUID | None) -> list[ReferralEvent]:
        """What an order arriving may convert, in one indexed lookup: the conversion
        recorded for its externalOrderId, and (for a member who joined through a code)
        any conversion the member already brought. On every order placed: a statement
        built once (``cached_statement``)."""
        referred = referred_member_id is not None
        stmt = cached_statement(("referrals.hits", referred), lambda: _hits(referred))
        params: dict[str, Any] = {"t_id": self.tenant_id, "ref": order_ref}
        if referred:
            params["member"] = referred_member_id
        return list(self.session.scalars(stmt, params))

    def batch_hits(
        self, order_refs: Collection[str], referred: Collection[uuid.UUID]
    ) -> tuple[set[str], set[uuid.UUID]]:
        """``hits`` for a batch of orders: the order refs converted or pending, and which
        of the ``referred`` members already brought a conversion."""
        ev = ReferralEvent
        cond: ColumnElement[bool] = ev.order_ref.in_(list(order_refs))
        if referred:
            cond = cond | ((ev.referred_member_id.in_(list(referred))) & (ev.type == "conversion"))
        rows = self.session.execute(
            self.scoped(select(ev.order_ref, ev.referred_member_id)).where(cond)
        ).all()
        refs = {r[0] for r in rows if r[0] in order_refs}
        return refs, {r[1] for r in rows if r[1] is not None}

    def code_activity(self, code: ReferralCode) -> tuple[int, int, int, Decimal]:
        """One code's clicks, unique visitors, conversions and revenue (all time)."""
        ev = ReferralEvent
        row = self.session.execute(
            select(*_counts()).where(ev.tenant_id == self.tenant_id, ev.code_id == code.id)
        ).one()
        return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), Decimal(str(row[3] or 0))

    def code_of(self, event: ReferralEvent) -> ReferralCode:
        stmt = self.scoped(select(ReferralCode), ReferralCode).where(
            ReferralCode.id == event.code_id
        )
        return self.session.scalars(stmt).one()


class AmbassadorRepository(TenantRepository[ReferralCode]):
    """The program-wide aggregates: candidate ranking and ROI."""

    model = ReferralCode

    def _in(self, column: Any, window: Window) -> list[ColumnElement[bool]]:
        return [column >= window.start, column < window.end]

    def members(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Member]:
        wanted = set(ids)
        if not wanted:
            return {}
        stmt = self.scoped(select(Member), Member).where(Member.id.in_(wanted))
        return {m.id: m for m in self.session.scalars(stmt)}

    def candidates(
        self, window: Window, page: Page, *, weights: dict[str, float]
    ) -> tuple[list[CandidateRow], int]:
        """Active members with any activity in the window, best score first.

        Each metric's percentile is ``cume_dist()`` over the ranked members (the share
        at or below the member's value), 0 for a member with none of it; the score is
        the ``weights``-weighted sum of percentiles, times 100. Ties go to the bigger
        spender, then to the older member id, so pages never overlap.
        """
        t = self.tenant_id
        spend_sum = func.sum(Order.total - Order.refunded_amount)
        orders = (
            select(
                Order.member_id.label("member_id"),
                spend_sum.label("spend"),
                func.count().label("orders"),
            )
            .where(Order.tenant_id == t, Order.status.in_(SPEND_STATUSES))
            .where(*self._in(Order.placed_at, window))
            .group_by(Order.member_id)
            .subquery()
        )
        referrals = (
            select(ReferralCode.member_id.label("member_id"), func.count().label("referrals"))
            .join(
                ReferralEvent,
                (ReferralEvent.tenant_id == ReferralCode.tenant_id)
                & (ReferralEvent.code_id == ReferralCode.id),
            )
            .where(ReferralCode.tenant_id == t, ReferralEvent.type == "conversion")
            .where(*self._in(ReferralEvent.created_at, window))
            .group_by(ReferralCode.member_id)
            .subquery()
        )
        engagement = (
            select(TrackingEvent.member_id.label("member_id"), func.count().label("engagement"))
            .where(TrackingEvent.tenant_id == t, TrackingEvent.member_id.is_not(None))
            .where(*self._in(TrackingEvent.occurred_at, window))
            .group_by(TrackingEvent.member_id)
            .subquery()
        )
        ids = union(
            select(orders.c.member_id),
            select(referrals.c.member_id),
            select(engagement.c.member_id),
        ).subquery()
        metrics = (
            select(
                Member.id.label("member_id"),
                cast(func.coalesce(orders.c.spend, 0), Numeric(18, 2)).label("spend"),
                func.coalesce(orders.c.orders, 0).label("orders"),
                func.coalesce(referrals.c.referrals, 0).label("referrals"),
                func.coalesce(engagement.c.engagement, 0).label("engagement"),
            )
            .select_from(ids)
            .join(Member, (Member.tenant_id == t) & (Member.id == ids.c.member_id))
            .outerjoin(orders, orders.c.member_id == Member.id)
            .outerjoin(referrals, referrals.c.member_id == Member.id)
            .outerjoin(engagement, engagement.c.member_id == Member.id)
            .where(Member.status == "active")
            .subquery()
        )

        def pct(column: Any) -> Any:
            dist = cast(func.cume_dist().over(order_by=column), Float)
            return case((column > 0, dist), else_=literal(0.0, Float))

        score = sum(
            (literal(weights[name] * 100, Float) * pct(metrics.c[name]) for name in METRICS),
            start=literal(0.0, Float),
        ).label("score")
        scored = select(metrics, score).subquery()
        total = self.session.scalar(select(func.count()).select_from(metrics))
        stmt = (
            select(scored)
            .order_by(scored.c.score.desc(), scored.c.spend.desc(), scored.c.member_id)
            .limit(page.limit)
            .offset(page.offset)
        )
        rows = [
            CandidateRow(
                member_id=row.member_id,
                score=float(row.score),
                spend=Decimal(str(row.spend)),
                orders=int(row.orders),
                referrals=int(row.referrals),
                engagement=int(row.engagement),
            )
            for row in self.session.execute(stmt)
        ]
        return rows, int(total or 0)

    def program(self, window: Window) -> ProgramTotals:
        """Affiliate codes only: the ambassador program, not members' own codes."""
        affiliate = self.scoped(select(ReferralCode.id)).where(ReferralCode.kind == "affiliate")
        ambassadors = self.session.scalar(
            self.scoped(select(func.count(ReferralCode.member_id.distinct()))).where(
                ReferralCode.kind == "affiliate", ReferralCode.created_at < window.end
            )
        )
        issued = self.session.scalar(
            self.scoped(select(func.count())).where(
                ReferralCode.kind == "affiliate", *self._in(ReferralCode.created_at, window)
            )
        )
        ev = ReferralEvent
        conv = ev.type == "conversion"
        clicks, conversions, revenue, points = self.session.execute(
            select(
                func.coalesce(func.sum(case((ev.type == "click", 1), else_=0)), 0),
                func.coalesce(func.sum(case((conv, 1), else_=0)), 0),
                func.coalesce(func.sum(case((conv, ev.revenue), else_=0)), 0),
                func.coalesce(func.sum(case((conv, ev.points), else_=0)), 0),
            ).where(
                ev.tenant_id == self.tenant_id,
                ev.code_id.in_(affiliate.scalar_subquery()),
                *self._in(ev.created_at, window),
            )
        ).one()
        return ProgramTotals(
            ambassadors=int(ambassadors or 0),
            codes_issued=int(issued or 0),
            clicks=int(clicks),
            conversions=int(conversions),
            revenue=Decimal(str(revenue)),
            points=int(points),
        )


__all__ = [
    "AmbassadorRepository",
    "CandidateRow",
    "CodeActivity",
    "ProgramTotals",
    "ReferralCodeRepository",
    "ReferralEventRepository",
]
