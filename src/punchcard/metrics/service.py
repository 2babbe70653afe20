"""The overview's figures over a period of the tenant's local days, in a constant
number of aggregate statements (seven, whatever the members or the days).

Definitions (each one recomputed from raw rows by ``tests/metrics``):

- A journal entry *takes effect* when it is neither pending nor rejected (statuses
  ``pending``, ``pending_deduction``, ``rejected``, ``auto_rejected`` do not), at its
  decision time (``decided_at``, else ``created_at``).
- **issued**: effective credits (amount > 0); **redeemed**, **expired**, **clawed
  back**, **deducted**: effective debits of type ``redeem``, ``expire``, ``clawback``,
  and any other (``deduct``, a negative ``adjust``), as positive numbers.
- **outstanding** at the end of the period: the sum of every effective entry up to
  then (what ``members.points_balance`` adds up to; a clawback debt counts negative);
  **liability** = outstanding x ``tenant.point_value``, in the tenant's currency.
- **breakage** = expired / issued; **redemption rate** = redeemed / issued (the period's
  flows; None when nothing was issued).
- **active members**: members with a journal entry created in the period (expiries
  excepted: the clock, not the member, writes them), an order placed, or a capture
  (check-in, sign-up capture); **new members**: enrolled in the period.
- **members by tier**: now (a member's tier is a state, not a history).
- **orders**, **GMV**: orders placed in the period (every order belongs to a member)
  and their totals; **refunds**: refunds made in the period; **net GMV** = GMV - refunds.
- **referral clicks / conversions / revenue**: referral events created in the period.
- **reward redemptions**: effective ``redeem`` entries carrying a reward (points spent
  on a redemption option); **coupon redemptions**: coupons used (marked redeemed at the
  register) in the period, by ``redeemed_at``.

Local days: each timestamp is put in an integer bucket ``floor((epoch + shift) /
grain)`` in SQL (``_bucket``, one expression per dialect), where ``shift`` is the
tenant's UTC offset at the start of the period and ``grain`` the greatest common
divisor of a day and every change of offset within the period: a whole local day
(one row per day) when the offset does not move, an hour across a DST change (half
an hour for Lord Howe), so no bucket straddles a local midnight. Python then folds the
buckets into local days (or weeks, months). The SQL stays the same on SQLite and
PostgreSQL and returns at most one row per bucket and kind.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Integer,
    Numeric,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from punchcard.db.uow import dialect
from punchcard.errors import ValidationFailed
from punchcard.kit.calendar import local_days
from punchcard.models import (
    Capture,
    Coupon,
    Member,
    Order,
    PointsEntry,
    ReferralEvent,
    Refund,
)
from punchcard.tenants.snapshot import snapshot

Interval = Literal["day", "week", "month"]
INTERVALS: tuple[str, ...] = ("day", "week", "month")
MAX_DAYS = 731
NOT_EFFECTIVE = ("pending", "pending_deduction", "rejected", "auto_rejected")
CENT = Decimal("0.01")
DAY = 86_400


@dataclass(frozen=True)
class Bucket:
    """One day (or week, month) of the period: its first local day and its flows."""

    start: date
    issued: int = 0
    redeemed: int = 0
    expired: int = 0
    clawed_back: int = 0
    deducted: int = 0
    new_members: int = 0
    orders: int = 0
    gmv: Decimal = Decimal("0.00")
    refunds: Decimal = Decimal("0.00")
    referral_clicks: int = 0
    referral_conversions: int = 0
    referral_revenue: Decimal = Decimal("0.00")
    reward_redemptions: int = 0
    coupon_redemptions: int = 0

    def __add__(self, other: Bucket) -> Bucket:
        return Bucket(
            start=min(self.start, other.start),
            **{f: getattr(self, f) + getattr(other, f) for f in _SUMMED},
        )


_SUMMED = tuple(f for f in Bucket.__dataclass_fields__ if f != "start")


@dataclass(frozen=True)
class TierCount:
    tier_id: uuid.UUID | None
    name: str
    members: int


@dataclass(frozen=True)
class Overview:
    """The figures of ``[start, end]`` (local days, both included)."""

    start: date
    end: date
    interval: str
    timezone: str
    currency: str
    point_value: Decimal
    series: list[Bucket]
    totals: Bucket
    outstanding_points: int
    liability: Decimal
    active_members: int
    total_members: int
    members_by_tier: list[TierCount] = field(default_factory=list)

    @property
    def breakage(self) -> Decimal | None:
        return _ratio(self.totals.expired, self.totals.issued)

    @property
    def redemption_rate(self) -> Decimal | None:
        return _ratio(self.totals.redeemed, self.totals.issued)

    @property
    def net_gmv(self) -> Decimal:
        return self.totals.gmv - self.totals.refunds


def _ratio(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def check_period(start: date, end: date) -> None:
    """Refuse a period that ends before it starts or spans more than two years."""
    if end < start:
        raise ValidationFailed("The period ends before it starts", field="end")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(f"The period may span at most {MAX_DAYS} days", field="end")


@dataclass(frozen=True)
class Grid:
    """How timestamps fall into SQL buckets for one period in one timezone."""

    tz: ZoneInfo
    shift: int  # seconds added to the epoch
    grain: int  # seconds per bucket

    def local_day(self, bucket: int) -> date:
        instant = datetime.fromtimestamp(bucket * self.grain - self.shift, UTC)
        return instant.astimezone(self.tz).date()


def grid(first: date, last: date, tz_name: str) -> Grid:
    """The bucketing of ``first..last``: the offset at the start as the shift, and a
    grain no local midnight of any offset the period sees falls inside."""
    tz = ZoneInfo(tz_name or "UTC")
    window = local_days(first, last, tz_name or "UTC")
    offsets = set()
    at = window.start - timedelta(days=1)
    while at <= window.end + timedelta(days=1):
        offsets.add(_offset(at, tz))
        at += timedelta(hours=1)
    shift = _offset(window.start, tz)
    grain = DAY
    for offset in offsets:
        grain = math.gcd(grain, abs(offset - shift))
    return Grid(tz, shift, grain)


def _offset(at: datetime, tz: ZoneInfo) -> int:
    offset = at.astimezone(tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _bucket(session: Session, column: Any, g: Grid) -> Any:
    """``floor((epoch(column) + shift) / grain)`` as an integer, on either database."""
    if dialect(session) == "postgresql":
        epoch = func.extract("epoch", column)
        return cast(func.floor((epoch + g.shift) / g.grain), BigInteger)
    # SQLite keeps UTC wall time as text (``UTCDateTime``): strftime('%s') is its epoch.
    seconds = cast(func.strftime("%s", column), Integer)
    return (seconds + literal(g.shift, Integer)) // literal(g.grain, Integer)


def _money(value: Any) -> Decimal:
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)


def _fold_key(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def overview(
    session: Session,
    tenant_id: uuid.UUID,
    *,
    start: date,
    end: date,
    interval: str = "day",
) -> Overview:
    """The tenant's figures over the local days ``start`` through ``end``."""
    if interval not in INTERVALS:
        raise ValidationFailed(f"interval must be one of {', '.join(INTERVALS)}", field="interval")
    check_period(start, end)
    config = snapshot(session, tenant_id)
    settings = config.settings
    tz_name = settings.timezone or "UTC"
    window = local_days(start, end, tz_name)
    g = grid(start, end, tz_name)
    since, until = window.start, window.end

    # Days of the period, each filled in place by the statements below.
    days: dict[date, dict[str, Any]] = {}
    day = start
    while day <= end:
        days[day] = {}
        day += timedelta(days=1)

    def add(bucket: int, name: str, value: Any) -> None:
        local = g.local_day(int(bucket))
        slot = days.get(local)
        if slot is None:  # a bucket is never outside the period; a guard all the same
            return
        slot[name] = slot.get(name, 0) + value

    # 1. The journal: flows in the period by bucket and kind, and everything before it.
    e = PointsEntry
    effective_at = func.coalesce(e.decided_at, e.created_at)
    kind = case((e.amount > 0, literal("issued")), else_=e.type)
    in_period = effective_at >= since
    rows = session.execute(
        select(
            case((in_period, _bucket(session, effective_at, g)), else_=None).label("bucket"),
            kind.label("kind"),
            func.sum(e.amount),
            func.sum(case(((e.type == "redeem") & e.reward_id.is_not(None), 1), else_=0)),
        )
        .where(
            e.tenant_id == tenant_id,
            e.status.not_in(NOT_EFFECTIVE),
            effective_at < until,
        )
        .group_by("bucket", "kind")
    ).all()
    outstanding = 0
    debit_names = {"redeem": "redeemed", "expire": "expired", "clawback": "clawed_back"}
    for bucket, what, amount, rewards in rows:
        amount = int(amount or 0)
        outstanding += amount
        if bucket is None:
            continue
        if rewards:
            add(bucket, "reward_redemptions", int(rewards))
        if what == "issued":
            add(bucket, "issued", amount)
        else:
            add(bucket, debit_names.get(what, "deducted"), -amount)

    # 2. Members: new ones by bucket, and everyone enrolled by the end.
    m = Member
    rows = session.execute(
        select(
            case((m.enrolled_at >= since, _bucket(session, m.enrolled_at, g)), else_=None).label(
                "bucket"
            ),
            func.count(),
        )
        .where(m.tenant_id == tenant_id, m.enrolled_at < until)
        .group_by("bucket")
    ).all()
    total_members = 0
    for bucket, count in rows:
        total_members += int(count)
        if bucket is not None:
            add(bucket, "new_members", int(count))

    # 3. Orders placed in the period.
    o = Order
    for bucket, count, total in session.execute(
        select(_bucket(session, o.placed_at, g).label("bucket"), func.count(), func.sum(o.total))
        .where(o.tenant_id == tenant_id, o.placed_at >= since, o.placed_at < until)
        .group_by("bucket")
    ):
        add(bucket, "orders", int(count))
        add(bucket, "gmv", _money(total))

    # 4. Refunds made in the period.
    r = Refund
    for bucket, amount in session.execute(
        select(_bucket(session, r.created_at, g).label("bucket"), func.sum(r.amount))
        .where(r.tenant_id == tenant_id, r.created_at >= since, r.created_at < until)
        .group_by("bucket")
    ):
        add(bucket, "refunds", _money(amount))

    # 5. Referral clicks and conversions, and coupons used (one UNION ALL statement).
    ev = ReferralEvent
    cp = Coupon
    events = union_all(
        select(
            _bucket(session, ev.created_at, g).label("bucket"),
            ev.type.label("type"),
            func.count().label("n"),
            func.sum(ev.revenue).label("revenue"),
        )
        .where(ev.tenant_id == tenant_id, ev.created_at >= since, ev.created_at < until)
        .group_by("bucket", ev.type),
        select(
            _bucket(session, cp.redeemed_at, g).label("bucket"),
            literal_column("'coupon_used'").label("type"),
            func.count().label("n"),
            cast(null(), Numeric(18, 2)).label("revenue"),
        )
        .where(
            cp.tenant_id == tenant_id,
            cp.status == "redeemed",
            cp.redeemed_at >= since,
            cp.redeemed_at < until,
        )
        .group_by("bucket"),
    )
    for bucket, type_, count, revenue in session.execute(events):
        if type_ == "click":
            add(bucket, "referral_clicks", int(count))
        elif type_ == "conversion":
            add(bucket, "referral_conversions", int(count))
            add(bucket, "referral_revenue", _money(revenue))
        elif type_ == "coupon_used":
            add(bucket, "coupon_redemptions", int(count))

    # 6. Active members: one distinct count over the three kinds of activity.
    c = Capture
    acts = union(
        select(e.member_id).where(
            e.tenant_id == tenant_id,
            e.type != "expire",
            e.created_at >= since,
            e.created_at < until,
        ),
        select(o.member_id).where(
            o.tenant_id == tenant_id, o.placed_at >= since, o.placed_at < until
        ),
        select(c.member_id).where(
            c.tenant_id == tenant_id, c.created_at >= since, c.created_at < until
        ),
    ).subquery()
    active = int(session.execute(select(func.count()).select_from(acts)).scalar_one())

    # 7. Members by tier, now.
    counts = {
        tier_id: int(n)
        for tier_id, n in session.execute(
            select(m.tier_id, func.count()).where(m.tenant_id == tenant_id).group_by(m.tier_id)
        )
    }
    by_tier = [TierCount(t.id, t.name, counts.pop(t.id, 0)) for t in config.tiers if t.is_active]
    for tier in config.tiers:  # members left in a tier since made inactive
        if tier.id in counts:
            by_tier.append(TierCount(tier.id, tier.name, counts.pop(tier.id)))
    no_tier = sum(counts.values())
    if no_tier:
        by_tier.append(TierCount(None, "No tier", no_tier))

    series = _series(days, interval)
    totals = Bucket(start=start)
    for b in series:
        totals = totals + b
    totals = replace(totals, start=start)
    return Overview(
        start=start,
        end=end,
        interval=interval,
        timezone=tz_name,
        currency=settings.currency,
        point_value=settings.point_value,
        series=series,
        totals=totals,
        outstanding_points=outstanding,
        liability=(Decimal(outstanding) * settings.point_value).quantize(CENT),
        active_members=active,
        total_members=total_members,
        members_by_tier=by_tier,
    )


def _series(days: dict[date, dict[str, Any]], interval: str) -> list[Bucket]:
    folded: dict[date, Bucket] = {}
    for day, values in days.items():
        key = _fold_key(day, interval)
        bucket = Bucket(start=day, **values)
        folded[key] = folded[key] + bucket if key in folded else bucket
    return list(folded.values())
