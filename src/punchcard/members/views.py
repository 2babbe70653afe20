"""Member profiles: what any face shows of a member, loaded for a whole page at once.

A profile is the member row with what rendering it needs beyond its own columns: tag
keys, current and lifetime tier, and, when asked for, the points picture (spendable
balance, expiration schedule, last award). Whatever the number of members, loading
costs a fixed number of queries (one per kind of thing, never one per member), so a
page of 100 costs what a page of 10 costs. Faces render profiles; they never read rows
per member themselves.

The points queries read the ledger's tables directly (not ``punchcard.ledger``, which
depends on ``members``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from punchcard.db.prepared import Prepared
from punchcard.db.repository import TenantRepository, pinned_get
from punchcard.db.uow import now
from punchcard.identity.principal import Principal
from punchcard.kit.calendar import by_local_day
from punchcard.members.repository import MemberRepository
from punchcard.members.visibility import may_see
from punchcard.models import Activity, Member, MemberTag, PointsEntry, PointsLot, Tag, Tenant, Tier

# The partial index on open lots is used only for a query that states its predicate
# with a literal (see ledger/repository.py).
_OPEN = PointsLot.remaining > literal_column("0")


@dataclass(frozen=True)
class LastAward:
    """A member's most recent ``award`` entry, with the activity it was for (if any)."""

    entry: PointsEntry
    activity: Activity | None


@dataclass(frozen=True)
class ProfilePoints:
    """A member's points as a reader sees them right now."""

    available: int  # the cache less lots past expiry that no write has removed yet
    pending: int
    lifetime: int
    redeemed: int
    expired: int
    deducted: int
    schedule: list[tuple[str, int]]  # (tenant-local ISO day, points expiring that day)
    last_award: LastAward | None


@dataclass(frozen=True)
class MemberProfile:
    member: Member
    tags: list[str]
    tier: Tier | None
    lifetime_tier: Tier | None
    points: ProfilePoints | None  # loaded with ``points=True``

    @property
    def id(self) -> uuid.UUID:
        return self.member.id

    @property
    def referral_code(self) -> str | None:
        return self.member.referral_code


class MemberRow(NamedTuple):
    """One member as a face shows it on its own (``GET /members/{id}``): its columns,
    its current tier's id and name, and its tag keys (in key order), read in one
    statement (:func:`member_row`) with no ORM object."""

    id: uuid.UUID
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    external_id: str | None
    status: str
    tier_id: uuid.UUID | None
    tier_name: str | None
    points_balance: int
    pending_points: int
    lifetime_points: int
    tags: list[str]
    enrolled_at: datetime
    last_activity_at: datetime | None
    metadata_: dict[str, Any] | None
    referral_code: str | None
    created_at: datetime
    updated_at: datetime


def _member_row_statement(dialect_name: str) -> Select[Any]:
    m, t = Member.__table__, Tier.__table__
    mt, g = MemberTag.__table__, Tag.__table__
    tagged = mt.join(g, (g.c.tenant_id == mt.c.tenant_id) & (g.c.id == mt.c.tag_id))
    keys: Any
    if dialect_name == "postgresql":
        keys = func.array_agg(aggregate_order_by(g.c.key, g.c.key))
    else:  # SQLite: a JSON array, put in key order once read (BINARY: code points)
        keys = func.json_group_array(g.c.key)
    tags = (
        select(keys)
        .select_from(tagged)
        .where(mt.c.tenant_id == m.c.tenant_id, mt.c.member_id == m.c.id)
        .scalar_subquery()
    )
    return (
        select(
            m.c.id,
            m.c.email,
            m.c.phone,
            m.c.first_name,
            m.c.last_name,
            m.c.external_id,
            m.c.status,
            m.c.tier_id,
            t.c.name,
            m.c.points_balance,
            m.c.pending_points,
            m.c.lifetime_points,
            tags,
            m.c.enrolled_at,
            m.c.last_activity_at,
            m.c.metadata,
            m.c.referral_code,
            m.c.created_at,
            m.c.updated_at,
        )
        .select_from(m.outerjoin(t, (t.c.tenant_id == m.c.tenant_id) & (t.c.id == m.c.tier_id)))
        .where(m.c.tenant_id == bindparam("tenant_id"), m.c.id == bindparam("id"))
    )


_MEMBER_ROW = Prepared(_member_row_statement)


def member_row(session: Session, principal: Principal, member_id: uuid.UUID) -> MemberRow | None:
    """The tenant's member ``member_id`` as :class:`MemberRow`, in one statement run on
    the session's driver connection (``db.prepared``); None if there is none, or the
    caller may not see it (``may_see``)."""
    if not may_see(principal, member_id):
        return None
    found = _MEMBER_ROW.first(session, {"tenant_id": principal.tenant_id, "id": member_id})
    return _member_row_of(found)


async def member_row_on_loop(
    session: Session, principal: Principal, member_id: uuid.UUID
) -> MemberRow | None:
    """:func:`member_row` on the event loop: on PostgreSQL its statement runs on the
    loop's own async connections, with no thread hand-off (``Prepared.first_on_loop``);
    the same row, the same answer for a member the caller may not see."""
    if not may_see(principal, member_id):
        return None
    params = {"tenant_id": principal.tenant_id, "id": member_id}
    return _member_row_of(await _MEMBER_ROW.first_on_loop(session, params))


def _member_row_of(found: tuple[Any, ...] | None) -> MemberRow | None:
    if found is None:
        return None
    row = list(found)
    keys = row[12]
    if keys is None:
        row[12] = []
    elif isinstance(keys, str):  # SQLite's JSON array
        row[12] = sorted(json.loads(keys))
    return MemberRow(*row)


class ProfileRepository(TenantRepository[PointsLot]):
    """The ledger reads a page of profiles needs, each one query for all members."""

    model = PointsLot

    def members(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Member]:
        stmt = self.scoped(select(Member), Member).where(Member.id.in_(list(ids)))
        return {m.id: m for m in self.session.scalars(stmt)}

    def due_points(self, member_ids: list[uuid.UUID], at: datetime) -> dict[uuid.UUID, int]:
        """Points left in lots already past expiry, by member."""
        stmt = (
            self.scoped(select(PointsLot.member_id, func.sum(PointsLot.remaining)), PointsLot)
            .where(
                PointsLot.member_id.in_(member_ids),
                _OPEN,
                PointsLot.expires_at.is_not(None),
                PointsLot.expires_at <= at,
            )
            .group_by(PointsLot.member_id)
        )
        return {m: int(n) for m, n in self.session.execute(stmt)}

    def expiring(self, member_ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, datetime, int]]:
        """Open lots with an expiry: (member, expires at, points left)."""
        stmt = (
            self.scoped(
                select(PointsLot.member_id, PointsLot.expires_at, PointsLot.remaining), PointsLot
            )
            .where(PointsLot.member_id.in_(member_ids), _OPEN, PointsLot.expires_at.is_not(None))
            .order_by(PointsLot.expires_at)
        )
        return [(m, e, int(r)) for m, e, r in self.session.execute(stmt)]

    def last_awards(self, member_ids: list[uuid.UUID]) -> dict[uuid.UUID, PointsEntry]:
        """Each member's newest ``award`` entry. Two queries: per member, the newest
        award's id (a backward walk of the member's journal index that stops at the
        first award, as for one member), then those entries by primary key."""
        newest = (
            select(PointsEntry.id)
            .where(
                PointsEntry.tenant_id == Member.tenant_id,
                PointsEntry.member_id == Member.id,
                PointsEntry.type == "award",
            )
            .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc())
            .limit(1)
            .correlate(Member)
            .scalar_subquery()
        )
        stmt = self.scoped(select(newest), Member).where(Member.id.in_(member_ids))
        ids = [i for i in self.session.scalars(stmt) if i is not None]
        if not ids:
            return {}
        entries = self.scoped(select(PointsEntry), PointsEntry).where(PointsEntry.id.in_(ids))
        return {e.member_id: e for e in self.session.scalars(entries)}

    def activities(self, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Activity]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        stmt = self.scoped(select(Activity), Activity).where(Activity.id.in_(wanted))
        return {a.id: a for a in self.session.scalars(stmt)}


def profiles(
    session: Session, principal: Principal, member_ids: Sequence[uuid.UUID], *, points: bool = True
) -> list[MemberProfile]:
    """Profiles of the tenant's members among ``member_ids``, in that order. Ids of
    another tenant, of no member, or of a member the caller may not see (a member
    principal sees only itself) are left out."""
    wanted = [i for i in member_ids if may_see(principal, i)]
    found = ProfileRepository(session, principal.tenant_id).members(wanted)
    rows = [found[i] for i in wanted if i in found]
    return profiles_of(session, principal, rows, points=points)


def profiles_of(
    session: Session, principal: Principal, members: Sequence[Member], *, points: bool = True
) -> list[MemberProfile]:
    """Profiles of member rows already loaded (a page a service returned)."""
    if not members:
        return []
    repo = MemberRepository(session, principal.tenant_id)
    ids = [m.id for m in members]
    tags = repo.tag_keys_for(ids)
    tiers = repo.tiers_by_id([m.tier_id for m in members] + [m.lifetime_tier_id for m in members])
    pts = _points(session, principal, members) if points else {}
    return [
        MemberProfile(
            member=m,
            tags=tags[m.id],
            tier=tiers.get(m.tier_id) if m.tier_id else None,
            lifetime_tier=tiers.get(m.lifetime_tier_id) if m.lifetime_tier_id else None,
            points=pts.get(m.id),
        )
        for m in members
    ]


def profile(session: Session, principal: Principal, member: Member) -> MemberProfile:
    return profiles_of(session, principal, [member])[0]


def _points(
    session: Session, principal: Principal, members: Sequence[Member]
) -> dict[uuid.UUID, ProfilePoints]:
    repo = ProfileRepository(session, principal.tenant_id)
    ids = [m.id for m in members]
    at = now(session)
    due = repo.due_points(ids, at)
    tenant = pinned_get(session, Tenant, principal.tenant_id)
    tz_name = tenant.timezone if tenant and tenant.timezone else "UTC"
    lots: dict[uuid.UUID, list[tuple[datetime, int]]] = {i: [] for i in ids}
    for member_id, expires_at, left in repo.expiring(ids):
        lots[member_id].append((expires_at, left))
    awards = repo.last_awards(ids)
    activities = repo.activities(e.activity_id for e in awards.values())
    out = {}
    for m in members:
        award = awards.get(m.id)
        out[m.id] = ProfilePoints(
            available=m.points_balance - due.get(m.id, 0),
            pending=m.pending_points,
            lifetime=m.lifetime_points,
            redeemed=m.points_redeemed,
            expired=m.points_expired,
            deducted=m.points_deducted,
            schedule=by_local_day(lots[m.id], tz_name, after=at),
            last_award=LastAward(
                award, activities.get(award.activity_id) if award.activity_id else None
            )
            if award is not None
            else None,
        )
    return out
