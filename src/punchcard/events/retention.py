"""Retention: the outbox and the webhook delivery log do not grow for ever.

The worker's ``events.prune`` job (``worker/jobs.py``, hourly) deletes, per tenant,
what is older than ``PUNCHCARD_RETENTION_DAYS``:

1. attempts made before the cutoff, of deliveries that are finished (``succeeded`` or
   ``failed``): a pending delivery keeps its whole log;
2. finished deliveries last changed before the cutoff (a replayed one counts from its
   replay);
3. outbox events created before the cutoff that no delivery refers to any more; an
   event whose delivery is still pending is kept with it.

Each step works in batches of ``BATCH`` rows, one short transaction each (SQLite's
write lock is held briefly, and the job can stop anywhere and start again). On
PostgreSQL each batch locks the rows it will delete with ``FOR UPDATE SKIP LOCKED``,
so workers on several nodes running the job at once (a slot taken over after its
lease ran out) split the rows instead of waiting for each other; a delivery being
replayed is either locked by us (the replay waits, then finds it gone) or changed
before we look (then it is pending, or recent, and kept).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, exists, select
from sqlalchemy.orm import Session

from punchcard.db.uow import Database, dialect
from punchcard.events.repository import FAILED, SUCCEEDED
from punchcard.models import OutboxEvent, Tenant, WebhookAttempt, WebhookDelivery

log = logging.getLogger("punchcard.events.retention")

BATCH = 500
FINISHED = (SUCCEEDED, FAILED)


@dataclass(frozen=True)
class Pruned:
    attempts: int = 0
    deliveries: int = 0
    events: int = 0


def prune(db: Database, at: datetime, *, keep: timedelta, batch: int = BATCH) -> Pruned:
    """Delete what is older than ``at - keep`` (see the module); the numbers deleted.
    Idempotent: a second run finds nothing more."""
    cutoff = at - keep
    with db.transaction(write=False) as session:
        tenants = list(session.scalars(select(Tenant.id).order_by(Tenant.id)))
    attempts = deliveries = events = 0
    for tenant in tenants:
        attempts += _in_batches(db, _attempts, tenant, cutoff, batch)
        deliveries += _in_batches(db, _deliveries, tenant, cutoff, batch)
        events += _in_batches(db, _events, tenant, cutoff, batch)
    pruned = Pruned(attempts, deliveries, events)
    if attempts or deliveries or events:
        log.info("pruned before %s: %s", cutoff.isoformat(), pruned)
    return pruned


Step = Callable[[Session, uuid.UUID, datetime, int], int]


def _in_batches(db: Database, step: Step, tenant: uuid.UUID, cutoff: datetime, batch: int) -> int:
    total = 0
    while True:
        with db.transaction() as session:
            n = step(session, tenant, cutoff, batch)
        total += n
        if n < batch:
            return total


Pruneable = type[WebhookAttempt] | type[WebhookDelivery] | type[OutboxEvent]


def _delete(session: Session, model: Pruneable, tenant: uuid.UUID, ids: Sequence[uuid.UUID]) -> int:
    if ids:
        session.execute(delete(model).where(model.tenant_id == tenant, model.id.in_(ids)))
    return len(ids)


def _attempts(session: Session, tenant: uuid.UUID, cutoff: datetime, batch: int) -> int:
    A, D = WebhookAttempt, WebhookDelivery
    finished = select(D.id).where(D.tenant_id == tenant, D.status.in_(FINISHED))
    stmt = (
        select(A.id)
        .where(A.tenant_id == tenant, A.attempted_at < cutoff, A.delivery_id.in_(finished))
        .limit(batch)
    )
    ids = list(session.scalars(_locked(session, stmt, A)))
    return _delete(session, A, tenant, ids)


def _deliveries(session: Session, tenant: uuid.UUID, cutoff: datetime, batch: int) -> int:
    A, D = WebhookAttempt, WebhookDelivery
    stmt = (
        select(D.id)
        .where(D.tenant_id == tenant, D.status.in_(FINISHED), D.updated_at < cutoff)
        .limit(batch)
    )
    ids = list(session.scalars(_locked(session, stmt, D)))
    if ids:  # their attempts first (newer ones, if any: the delivery goes as a whole)
        session.execute(delete(A).where(A.tenant_id == tenant, A.delivery_id.in_(ids)))
    return _delete(session, D, tenant, ids)


def _events(session: Session, tenant: uuid.UUID, cutoff: datetime, batch: int) -> int:
    E, D = OutboxEvent, WebhookDelivery
    delivered = exists().where(D.tenant_id == E.tenant_id, D.event_id == E.id)
    stmt = select(E.id).where(E.tenant_id == tenant, E.created_at < cutoff, ~delivered).limit(batch)
    ids = list(session.scalars(_locked(session, stmt, E)))
    return _delete(session, E, tenant, ids)


def _locked(session: Session, stmt: Select[Any], model: type) -> Select[Any]:
    """PostgreSQL: lock the selected rows of ``model`` only, skipping those another
    worker holds; SQLite: as it is (the transaction holds the database's write lock)."""
    if dialect(session) == "postgresql":
        return stmt.with_for_update(skip_locked=True, of=model)
    return stmt
