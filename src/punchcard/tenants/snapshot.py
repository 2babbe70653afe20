"""The tenant snapshot: what the write paths read of a tenant's configuration, kept
once per process and checked against ``tenants.config_version``.

An award reads the tenant's settings (points expiry, tier period and timezone, points
per currency unit), its tiers, the webhook endpoints its events fan out to and its
earning rules. They change rarely and are read on every write, so each process keeps
one immutable copy per tenant (a :class:`TenantSnapshot`) in its ``Database``'s cache
(``session.info["snapshots"]``) and uses it while its version is the database's:

- **The version is read inside a statement the request runs anyway**: the member lock
  (``members.repository.lock_by_id``) selects it beside the row and ``remember``\\ s it
  for the transaction. A path that locks no member reads it with one small query the
  first time it asks (``snapshot``). So a change committed by any process is seen by
  this one on its next transaction, and an award reads no configuration row.
- **Every write to a snapshotted table bumps the version in the same transaction**,
  through :func:`bump`, the one statement that writes ``config_version``. ORM changes
  are bumped by a ``before_flush`` hook (:func:`_bump_on_flush`), for the columns the
  snapshot holds (``WATCHED``): the worker's bookkeeping on an endpoint row does not
  bump. A Core statement on those tables calls ``bump`` before it runs. The test suite
  fails on a write that was not bumped (``tests/conftest.py``).
- **A transaction that changed the configuration sees its own change**: after its bump
  it reads a private snapshot, loaded in the transaction and never shared.

A bump adds a random step rather than 1: in a SQLite group-commit batch a request can
see (and cache) the version another request of the batch wrote; if the batch then
rolls back, a later change must not reuse that number for other contents (the chance
is 2^-32 per bump). The check is equality, never order.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import chain
from types import MappingProxyType
from typing import Any

from sqlalchemy import Table, bindparam, event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

from punchcard.db.repository import cached_statement
from punchcard.db.uow import SnapshotCache
from punchcard.errors import NotFound
from punchcard.models import Activity, Tenant, Tier, WebhookEndpoint
from punchcard.tenants.schemas import SETTINGS

# session.info keys. SNAPSHOTS: the Database's cache (set by ``Database._info``). The
# others live for one transaction: VERSIONS, {tenant: config_version} as read in it;
# RESOLVED, {tenant: the snapshot it uses}; OWN, the tenants whose configuration it
# changed (their snapshot is private to it).
SNAPSHOTS = "snapshots"
VERSIONS = "config_versions"
RESOLVED = "config_resolved"
OWN = "config_own"

_TENANTS: Table = Tenant.__table__  # type: ignore[assignment]
_TIERS: Table = Tier.__table__  # type: ignore[assignment]
_ENDPOINTS: Table = WebhookEndpoint.__table__  # type: ignore[assignment]
_ACTIVITIES: Table = Activity.__table__  # type: ignore[assignment]
_STEP = 2**32


@dataclass(frozen=True, slots=True)
class TenantSettings:
    """The tenant row's settings (``tenants.schemas.SETTINGS``; a test keeps them equal)."""

    id: uuid.UUID
    timezone: str
    currency: str
    points_per_currency_unit: Decimal
    points_expiry_days: int | None
    tier_period: str
    plan: str
    custom_auth_enabled: bool
    portal_url: str | None
    max_points_per_award: int
    country: str | None
    point_value: Decimal
    storefront_origins: list[str]


@dataclass(frozen=True, slots=True)
class TierRule:
    """A tier, column for column (``models.Tier``; a test keeps them equal)."""

    tenant_id: uuid.UUID
    id: uuid.UUID
    key: str
    name: str
    description: str | None
    type: str
    position: int
    min_points: int
    multiplier: Decimal
    is_active: bool
    is_default: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ActivityRule:
    """An earning rule, column for column (``models.Activity``; a test keeps them equal)."""

    tenant_id: uuid.UUID
    id: uuid.UUID
    key: str
    name: str
    description: str | None
    kind: str
    points: int
    multiplier: Decimal
    max_award_frequency: int | None
    frequency_period: str | None
    approval: str
    is_active: bool
    expiry_days: int | None
    system_key: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Route:
    """An enabled webhook endpoint, as fan-out needs it: its id and its event types."""

    id: uuid.UUID
    event_types: frozenset[str]


@dataclass(frozen=True)
class TenantSnapshot:
    """One tenant's configuration at ``version``. Immutable: shared by every thread."""

    version: int
    settings: TenantSettings
    tiers: tuple[TierRule, ...]  # every tier, lowest first
    endpoints: tuple[Route, ...]  # the enabled ones, by id
    activities: tuple[ActivityRule, ...]
    active_tiers: tuple[TierRule, ...] = field(init=False)
    _tiers: Mapping[uuid.UUID, TierRule] = field(init=False, repr=False)
    _activities: Mapping[uuid.UUID, ActivityRule] = field(init=False, repr=False)
    _activity_keys: Mapping[str, ActivityRule] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "active_tiers", tuple(t for t in self.tiers if t.is_active))
        put(self, "_tiers", MappingProxyType({t.id: t for t in self.tiers}))
        put(self, "_activities", MappingProxyType({a.id: a for a in self.activities}))
        put(self, "_activity_keys", MappingProxyType({a.key: a for a in self.activities}))

    def tier(self, tier_id: uuid.UUID | None) -> TierRule | None:
        """A tier by id, active or not."""
        return self._tiers.get(tier_id) if tier_id is not None else None

    def activity(self, activity_id: uuid.UUID) -> ActivityRule | None:
        return self._activities.get(activity_id)

    def activity_by_key(self, key: str) -> ActivityRule | None:
        return self._activity_keys.get(key)

    def system_activity(self, system_key: str) -> ActivityRule | None:
        """A built-in rule (``purchase``: the one orders earn through)."""
        return next((a for a in self.activities if a.system_key == system_key), None)


# What a change must touch for the snapshot to go stale: per table, the columns the
# snapshot holds (None: every column; an insert or a delete always counts). The
# webhook worker's own updates of an endpoint row (its disabled record) and the tier
# rollover's bookkeeping on the tenant row are not among them.
WATCHED: Mapping[str, frozenset[str] | None] = MappingProxyType(
    {
        _TENANTS.name: frozenset(SETTINGS),
        _TIERS.name: None,
        _ACTIVITIES.name: None,
        _ENDPOINTS.name: frozenset({"enabled", "event_types"}),
    }
)
_MODELS: tuple[type[Any], ...] = (Tenant, Tier, Activity, WebhookEndpoint)


# The snapshot ----------------------------------------------------------------------


def snapshot(session: Session, tenant_id: uuid.UUID) -> TenantSnapshot:
    """The tenant's configuration as this transaction sees it: the process's copy when
    its version is the one this transaction read (no statement at all after the member
    lock), else loaded in this transaction and, unless the transaction changed that
    configuration itself, shared with the rest of the process."""
    _flush_pending(session)
    info = session.info
    resolved: dict[uuid.UUID, TenantSnapshot] = info.setdefault(RESOLVED, {})
    found = resolved.get(tenant_id)
    if found is not None:
        return found
    if tenant_id in info.get(OWN, ()):
        found = resolved[tenant_id] = _load(session, tenant_id)
        return found
    versions: dict[uuid.UUID, int] = info.setdefault(VERSIONS, {})
    version = versions.get(tenant_id)
    if version is None:
        version = versions[tenant_id] = _read_version(session, tenant_id)
    cache: SnapshotCache | None = info.get(SNAPSHOTS)
    found = cache.get(tenant_id) if cache is not None else None
    if found is None or found.version != version:
        found = _load(session, tenant_id)
        if cache is not None:
            cache.put(tenant_id, found)
    resolved[tenant_id] = found
    return found


def remember(session: Session, tenant_id: uuid.UUID, version: int | None) -> None:
    """Note the tenant's ``config_version`` as a statement of this transaction read it
    (the member lock), so ``snapshot`` need not read it again."""
    if version is not None:
        session.info.setdefault(VERSIONS, {}).setdefault(tenant_id, version)


def bump(session: Session, tenant_id: uuid.UUID) -> None:
    """Mark the tenant's configuration changed, in this transaction: the one statement
    that writes ``config_version``. Every write to a snapshotted table calls it (ORM
    changes through the flush hook), before the write; this transaction then reads a
    snapshot of its own."""
    stmt = cached_statement(
        "tenants.bump",
        lambda: (
            update(_TENANTS)
            .where(_TENANTS.c.id == bindparam("tenant_id"))
            .values(config_version=_TENANTS.c.config_version + bindparam("step"))
        ),
    )
    session.execute(stmt, {"tenant_id": tenant_id, "step": secrets.randbelow(_STEP) + 1})
    session.info.setdefault(OWN, set()).add(tenant_id)
    session.info.get(RESOLVED, {}).pop(tenant_id, None)


def _read_version(session: Session, tenant_id: uuid.UUID) -> int:
    stmt = cached_statement(
        "tenants.config_version",
        lambda: select(_TENANTS.c.config_version).where(_TENANTS.c.id == bindparam("tenant_id")),
    )
    version = session.execute(stmt, {"tenant_id": tenant_id}).scalar()
    if version is None:
        raise NotFound("Tenant not found")
    return int(version)


def _load(session: Session, tenant_id: uuid.UUID) -> TenantSnapshot:
    """Read the configuration (Core statements: no ORM rows, no autoflush). The tenant
    row first: its version is the snapshot's, and what is read after it is at least as
    new (under READ COMMITTED possibly newer, which only makes the copy look older than
    it is and be loaded again)."""
    t = _TENANTS
    row = session.execute(
        select(t.c.config_version, t.c.id, *(t.c[name] for name in SETTINGS)).where(
            t.c.id == tenant_id
        )
    ).first()
    if row is None:
        raise NotFound("Tenant not found")
    version, *values = row
    settings = TenantSettings(**dict(zip(("id", *SETTINGS), values, strict=True)))
    tiers = session.execute(
        select(_TIERS)
        .where(_TIERS.c.tenant_id == tenant_id)
        .order_by(_TIERS.c.position, _TIERS.c.min_points, _TIERS.c.id)
    )
    endpoints = session.execute(
        select(_ENDPOINTS.c.id, _ENDPOINTS.c.event_types)
        .where(_ENDPOINTS.c.tenant_id == tenant_id, _ENDPOINTS.c.enabled.is_(True))
        .order_by(_ENDPOINTS.c.id)
    )
    activities = session.execute(
        select(_ACTIVITIES).where(_ACTIVITIES.c.tenant_id == tenant_id).order_by(_ACTIVITIES.c.id)
    )
    return TenantSnapshot(
        version=int(version),
        settings=settings,
        tiers=tuple(TierRule(**r._mapping) for r in tiers),
        endpoints=tuple(Route(r.id, frozenset(r.event_types or ())) for r in endpoints),
        activities=tuple(ActivityRule(**r._mapping) for r in activities),
    )


def _flush_pending(session: Session) -> None:
    """Flush pending changes to snapshotted rows first (which bumps): the query the
    snapshot replaces would have autoflushed them into this transaction's view."""
    pending = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(obj, _MODELS) for obj in pending):
        session.flush()


# The bump on flush ------------------------------------------------------------------


def _changed_tenants(session: Session) -> set[uuid.UUID]:
    """The tenants whose snapshotted columns this flush writes."""
    tenants: set[uuid.UUID] = set()
    for obj in chain(session.new, session.deleted):
        if isinstance(obj, _MODELS) and not isinstance(obj, Tenant):
            tenants.add(obj.tenant_id)
    for obj in session.dirty:
        if isinstance(obj, _MODELS) and _touched(obj, WATCHED[obj.__table__.name]):
            tenants.add(obj.id if isinstance(obj, Tenant) else obj.tenant_id)
    return tenants


def _touched(obj: object, columns: Iterable[str] | None) -> bool:
    state = instance_state(obj)
    names = columns if columns is not None else (a.key for a in state.mapper.column_attrs)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, flush_context: object, instances: object) -> None:
    for tenant_id in _changed_tenants(session):
        if tenant_id is not None:
            bump(session, tenant_id)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    """What a transaction read or changed is its own: forget it when it ends."""
    if transaction.parent is None:
        for key in (VERSIONS, RESOLVED, OWN):
            session.info.pop(key, None)
