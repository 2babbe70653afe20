"""Core objects rendered in ShopSocially's words and formats.

Times are ``DD-Mon-YYYY HH:MM:SS`` in UTC (the document's examples are UTC); calendar
days (coupon expiry, expiration schedule) are the tenant's local days. Ids: users and
transactions carry Punchcard's ids (``mem_…``, ``txn_…``, the same strings the native
face shows); activities and redemption options are addressed by the merchant's own key
(``made_a_purchase``), their internal id is ``id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from punchcard.api.shopsocially.params import MONTHS
from punchcard.api.shopsocially.schemas import (
    ActivityOut,
    Expiration,
    LevelOut,
    Number,
    TransactionOut,
    UserOut,
    UserRef,
)
from punchcard.identity.principal import Principal
from punchcard.kit import calendar
from punchcard.kit.clock import as_utc
from punchcard.kit.ids import render
from punchcard.ledger import statuses
from punchcard.ledger.views import EntryView, entries_of
from punchcard.members.views import LastAward, MemberProfile, profiles_of
from punchcard.models import Activity, Member, PointsEntry, Tenant, Tier
from punchcard.tenants import service as tenants

R = TypeVar("R")

# The journal's entry types in ShopSocially's vocabulary (a return is a deduction).
TYPES = {"clawback": "deduct"}
# Where the face keeps the user attributes ShopSocially has and Punchcard's member has
# not: in the member's metadata, visible to every face.
GENDER, IMAGE, LANGUAGE = "gender", "profileImageUrl", "language"


def stamp(value: datetime | None) -> str:
    """``DD-Mon-YYYY HH:MM:SS`` (UTC), or ``""``."""
    if value is None:
        return ""
    v = as_utc(value)
    return f"{v.day:02d}-{MONTHS[v.month - 1]}-{v.year:04d} {v:%H:%M:%S}"


def day(value: date) -> str:
    """A calendar day as ``DD-Mon-YYYY``."""
    return f"{value.day:02d}-{MONTHS[value.month - 1]}-{value.year:04d}"


def number(value: Decimal | None) -> Number:
    """A JSON number: ``2`` for 2.0000, ``2.5`` for 2.5000."""
    if value is None:
        return 0
    return int(value) if value == value.to_integral_value() else float(value)


def money(value: Decimal | None) -> str:
    """A monetary value as text: ``"50"`` or ``"12.50"``."""
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


class View:
    """What one response needs beyond the objects a service returned: the tenant and
    the rows an entry refers to. Looked up by primary key, which leads with the
    tenant id (so never across tenants), and cached for the response."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.tenant: Tenant = tenants.read_settings(session, principal)
        self.tz = ZoneInfo(self.tenant.timezone or "UTC")

    @property
    def partner_id(self) -> str:
        return self.tenant.partner_id

    def row(self, model: type[R], id_: uuid.UUID | None) -> R | None:
        if id_ is None:
            return None
        return self.session.get(model, (self.principal.tenant_id, id_))

    # Users -------------------------------------------------------------------------

    def user_ref(self, member: Member | None) -> dict[str, str]:
        if member is None:
            return {"user_id": "", "user_email": "", "user_first_name": "", "user_last_name": ""}
        return UserRef(
            user_id=render("mem", member.id) or "",
            user_email=member.email or "",
            user_first_name=member.first_name or "",
            user_last_name=member.last_name or "",
        ).model_dump()

    def user(self, profile: MemberProfile) -> UserOut:
        member, points = profile.member, profile.points
        assert points is not None, "load the profile with its points"
        meta = member.metadata_ or {}
        level, level_name = _level(profile.tier)
        lifetime, lifetime_name = _level(profile.lifetime_tier)
        return UserOut(
            user_id=render("mem", member.id) or "",
            user_email=member.email or "",
            first_name=member.first_name or "",
            last_name=member.last_name or "",
            gender=str(meta.get(GENDER) or "unknown"),
            profile_image_url=str(meta.get(IMAGE) or ""),
            dashboard_url=self.tenant.portal_url or "",
            available_points=points.available,
            redeemed_points=points.redeemed,
            loyalty_level_id=level,
            loyalty_level_name=level_name,
            loyalty_level=level,
            loyalty_lifetime_level_id=lifetime,
            loyalty_life_time_level_name=lifetime_name,
            expiration_schedule=[
                Expiration(expiration_date=f"{_iso_day(d)} 23:59:59", points=n)
                for d, n in points.schedule
            ],
            last_award_transaction=_last_award(points.last_award),
            last_activity_date=stamp(member.last_activity_at),
            user_language=str(meta.get(LANGUAGE) or ""),
            user_status=member.status,
            merchant_uid=member.external_id or "",
        )

    def users(self, members: Sequence[Member]) -> list[UserOut]:
        """A page of users, loaded in a fixed number of queries (``members.views``)."""
        return [self.user(p) for p in profiles_of(self.session, self.principal, members)]

    # Transactions ------------------------------------------------------------------

    def transaction(self, entry: PointsEntry) -> TransactionOut:
        return self.transactions([entry])[0]

    def transactions(self, entries: Sequence[PointsEntry]) -> list[TransactionOut]:
        """A page of transactions, loaded in a fixed number of queries (``ledger.views``)."""
        return [self._transaction(v) for v in entries_of(self.session, self.principal, entries)]

    def _transaction(self, view: EntryView) -> TransactionOut:
        entry, activity, reward, order = view.entry, view.activity, view.reward, view.order
        points = abs(entry.amount)
        kind = transaction_type(entry)
        return TransactionOut(
            **self.user_ref(view.member),
            id=render("txn", entry.id) or "",
            transaction_type=kind,
            points=points,
            points_status=entry.status,
            activity_id=activity.key if activity else None,
            activity_name=activity.name if activity else None,
            redemption_id=reward.key if reward else None,
            redemption_name=reward.name if reward else None,
            redemption_value=money(reward.monetary_value) if reward else None,
            coupon_code=view.coupon.code if view.coupon else None,
            order_id=entry.reference or (order.external_order_id if order else None),
            # An activity's award is described by its activity; other entries by why.
            reason=None if activity is not None and entry.amount > 0 else entry.description,
            points_used=view.used,
            available_points=view.remaining,
            points_expired=view.expired,
            points_deducted=points if kind == "deduct" else 0,
            points_expiration_date=stamp(entry.expires_at),
            qualified_points=entry.amount > 0,
            approved_by=None,
            approved_time="" if kind == "redeem" else stamp(view.approved_at),
            auto_approval_date=stamp(view.auto_approval_at),
            created_time=stamp(entry.created_at),
            updated_time=stamp(statuses.updated_at(entry)),
            merchant_id=self.partner_id,
            partner_id=self.partner_id,
        )

    # Configuration -----------------------------------------------------------------

    def activity(self, a: Activity) -> ActivityOut:
        return ActivityOut(
            activity_id=a.key,
            activity_name=a.name,
            activity_description=a.description or "",
            activity_type=a.kind,
            id=render("act", a.id) or "",
            is_active=a.is_active,
            # ShopSocially's own activities; here, the built-in rule orders earn through.
            ss_internal=a.system_key is not None,
            approval_method=a.approval,
            points_per_activity=a.points,
            bonus_multiplier=number(a.multiplier),
            bonus_multiper=str(number(a.multiplier)),
            max_award_frequency=a.max_award_frequency,
            max_award_frequency_interval=a.frequency_period,
            points_expiration_period=a.expiry_days or 0,
            qualified_points=True,
            terms_and_conditions="",
            loyalty_activity_img="",
            points_earning_url=None,
            merchant_id=self.partner_id,
            created_time=stamp(a.created_at),
            updated_time=stamp(a.updated_at),
        )

    def level(self, t: Tier) -> LevelOut:
        return LevelOut(
            level_id=level_key(t),
            level_name=t.name,
            level_description=t.description or "",
            level_type=t.type,
            level_position=t.position,
            level_minimum_points=t.min_points,
            level_bonus_multiplier=number(t.multiplier),
            is_active=t.is_active,
            is_default=t.is_default,
            id=render("tier", t.id) or "",
            merchant_id=self.partner_id,
            created_time=stamp(t.created_at),
            updated_time=stamp(t.updated_at),
        )

    def expiry_day(self, expires_at: datetime | None) -> str:
        """A coupon expiry stored as the first instant after the last valid day,
        shown as that last valid day (``DD-Mon-YYYY``)."""
        if expires_at is None:
            return ""
        return day(calendar.last_valid_day(expires_at, self.tenant.timezone))


def transaction_type(entry: PointsEntry) -> str:
    if entry.type == "adjust":
        return "award" if entry.amount > 0 else "deduct"
    return TYPES.get(entry.type, entry.type)


def _level(tier: Tier | None) -> tuple[str, str]:
    """``(level_id, level_name)`` of a tier, or ``("", "")``."""
    return (level_key(tier), tier.name) if tier is not None else ("", "")


def _last_award(award: LastAward | None) -> dict[str, Any]:
    if award is None:
        return {}
    entry, activity = award.entry, award.activity
    name = activity.name if activity else entry.description or "Points awarded"
    return {"date": stamp(entry.created_at), "points": entry.amount, "name": name}


def level_key(tier: Tier) -> str:
    """A level's ``level_id``: the merchant's key for it."""
    return tier.key


def _iso_day(iso: str) -> str:
    year, month, dd = (int(x) for x in iso.split("-"))
    return f"{dd:02d}-{MONTHS[month - 1]}-{year:04d}"
