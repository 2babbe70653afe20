"""Tier SQL: the tenant's levels, and the journal sums that place a member on them.

Every query starts from ``scoped()`` (or, on the hot paths, a cached statement bound to
this repository's tenant), so another tenant's tier is indistinguishable from a
missing one. ``RolloverQueue`` is the one installation-wide reader: the period rollover
job must find the tenants it has work in before any tenant is known.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from punchcard.db.repository import TenantRepository, cached_statement
from punchcard.kit.paging import Page
from punchcard.models import Member, PointsEntry, Tenant, Tier

# What period points count, by the time each entry was decided: approved credits (also
# once spent or lapsed) net of clawbacks that took effect. A clawback withdrawn with the
# pending award it reversed (rejected) never took effect, so it does not count.
CREDIT_TYPES = ("award", "adjust")
CREDITED = ("approved", "auto_approved", "exhausted", "expired")


class TierRepository(TenantRepository[Tier]):
    model = Tier

    def active(self) -> list[Tier]:
        """The tenant's active tiers, lowest first (read on every approved change: a
        reused statement, bound to this tenant)."""
        stmt = cached_statement(
            "tiers.active",
            lambda: (
                select(Tier)
                .where(Tier.tenant_id == bindparam("tenant_id"), Tier.is_active.is_(True))
                .order_by(Tier.position, Tier.min_points)
            ),
        )
        return list(self.session.scalars(stmt, {"tenant_id": self.tenant_id}))

    def by_id(self, tier_id: uuid.UUID | None) -> Tier | None:
        """The tier, from the session's identity map when it is loaded already (the
        primary key holds the tenant, so this is scoped as ``scoped()`` is)."""
        if tier_id is None:
            return None
        return self.session.get(Tier, (self.tenant_id, tier_id))

    def get_by_key(self, key: str) -> Tier | None:
        return self.session.scalars(self.scoped().where(Tier.key == key)).first()

    def get_by_name(self, name: str) -> Tier | None:
        """The tier named ``name`` (case-insensitive); of several, the lowest-positioned."""
        stmt = (
            self.scoped()
            .where(func.lower(Tier.name) == name.lower())
            .order_by(Tier.position, Tier.min_points, Tier.id)
        )
        return self.session.scalars(stmt).first()

    def key_taken(self, key: str) -> bool:
        stmt = self.scoped(select(Tier.id)).where(Tier.key == key)
        return self.session.scalars(stmt).first() is not None

    def list_page(self, page: Page, *, type_: str | None = None) -> tuple[list[Tier], int]:
        stmt = self.scoped()
        if type_ is not None:
            stmt = stmt.where(Tier.type == type_)
        return self.page(stmt, page, Tier.position, Tier.min_points, Tier.id)

    def other_defaults(self, tier: Tier) -> list[Tier]:
        """Default tiers of the tenant other than ``tier``."""
        stmt = self.scoped().where(Tier.id != tier.id, Tier.is_default.is_(True))
        return list(self.session.scalars(stmt))

    def period_points(self, member_id: uuid.UUID, start: datetime, end: datetime) -> int:
        """Points the member earned in ``[start, end)``, summed from the journal."""
        E = PointsEntry
        credited = E.type.in_(CREDIT_TYPES) & E.status.in_(CREDITED) & (E.amount > 0)
        applied = (E.type == "clawback") & (E.status == "deducted")
        stmt = self.scoped(select(func.coalesce(func.sum(E.amount), 0)), E).where(
            E.member_id == member_id,
            E.decided_at >= start,
            E.decided_at < end,
            credited | applied,
        )
        return int(self.session.scalar(stmt) or 0)

    def member_ids(self, *, after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
        """A page of the tenant's member ids in id order (the rollover walks them)."""
        stmt: Select[tuple[uuid.UUID]] = self.scoped(select(Member.id), Member)
        if after is not None:
            stmt = stmt.where(Member.id > after)
        return list(self.session.scalars(stmt.order_by(Member.id).limit(limit)))


class RolloverQueue:
    """Installation-wide: the tenants that have active period tiers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def tenants(self, tenant_ids: Sequence[uuid.UUID] | None = None) -> list[Tenant]:
        with_period = select(Tier.tenant_id).where(Tier.type == "period", Tier.is_active.is_(True))
        stmt = select(Tenant).where(Tenant.id.in_(with_period))
        if tenant_ids is not None:
            stmt = stmt.where(Tenant.id.in_(tenant_ids))
        return list(self.session.scalars(stmt))
