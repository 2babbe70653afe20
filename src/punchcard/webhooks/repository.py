"""Webhook SQL: endpoints, deliveries and attempts inside one tenant, and the
cross-tenant delivery queue the worker claims from."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, or_, select, tuple_, update
from sqlalchemy.orm import Session, aliased

from punchcard.db.dialect import for_update
from punchcard.db.repository import TenantRepository
from punchcard.events.repository import FAILED, PENDING, SUCCEEDED
from punchcard.kit.paging import Page
from punchcard.models import (
    OutboxEvent,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from punchcard.tenants.snapshot import bump

__all__ = ["FAILED", "PENDING", "SUCCEEDED", "DeliveryQueue", "WebhookRepository"]


class WebhookRepository(TenantRepository[WebhookEndpoint]):
    model = WebhookEndpoint

    def list_page(self, page: Page) -> tuple[list[WebhookEndpoint], int]:
        return self.page(self.scoped(), page, WebhookEndpoint.created_at, WebhookEndpoint.id)

    def disable(self, endpoint: WebhookEndpoint, *, reason: str, at: datetime) -> bool:
        """Turn an enabled endpoint off; False when it already was off.

        A conditional UPDATE rather than ``SELECT … FOR UPDATE``: the UPDATE's row lock
        (FOR NO KEY UPDATE) does not conflict with the key-share locks that concurrent
        event transactions take on the endpoint when they insert its deliveries, so a
        worker disabling an endpoint never deadlocks with them. Of two workers racing to
        disable it, exactly one sees a changed row.
        """
        E = WebhookEndpoint
        # A Core statement on a snapshotted table: it bumps the version itself (the flush
        # hook never sees it). A bump for a row already off only costs a reload.
        bump(self.session, self.tenant_id)
        result = self.session.execute(
            update(E)
            .where(E.tenant_id == self.tenant_id, E.id == endpoint.id, E.enabled.is_(True))
            .values(enabled=False, disabled_reason=reason, disabled_at=at, updated_at=at)
        )
        self.session.expire(endpoint)
        return bool(getattr(result, "rowcount", 0))

    def delete(self, endpoint: WebhookEndpoint) -> None:
        # Deliveries and attempts go with it (ON DELETE CASCADE).
        self.session.delete(endpoint)
        self.session.flush()

    def next_in_lane(self, delivery: WebhookDelivery) -> WebhookDelivery | None:
        """The lane's other pending delivery that goes next: one already due, retrying
        or in flight if there is one (then nothing is to be released), else the first
        one parked. One query, on the lane index."""
        D = WebhookDelivery
        stmt = (
            self.scoped(select(D), D)
            .where(
                D.endpoint_id == delivery.endpoint_id,
                D.resource_id == delivery.resource_id,
                D.status == PENDING,
                D.id != delivery.id,
            )
            .order_by(D.next_attempt_at.is_(None), D.seq, D.id)
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def deliveries(
        self, endpoint_id: uuid.UUID, page: Page, *, status: str | None = None
    ) -> tuple[list[WebhookDelivery], int]:
        D = WebhookDelivery
        stmt = self.scoped(select(D), D).where(D.endpoint_id == endpoint_id)
        if status is not None:
            stmt = stmt.where(D.status == status)
        return self.page(stmt, page, D.created_at.desc(), D.id.desc())

    def delivery(
        self, endpoint_id: uuid.UUID, delivery_id: uuid.UUID | None, *, lock: bool = False
    ) -> WebhookDelivery | None:
        if delivery_id is None:
            return None
        D = WebhookDelivery
        stmt = self.scoped(select(D), D).where(D.endpoint_id == endpoint_id, D.id == delivery_id)
        if lock:
            stmt = for_update(self.session, stmt)
        return self.session.scalars(stmt).first()

    def delivery_by_id(
        self, delivery_id: uuid.UUID, *, lock: bool = False
    ) -> WebhookDelivery | None:
        D = WebhookDelivery
        stmt = self.scoped(select(D), D).where(D.id == delivery_id)
        if lock:
            stmt = for_update(self.session, stmt)
        return self.session.scalars(stmt).first()

    def attempts(self, delivery_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[WebhookAttempt]]:
        result: dict[uuid.UUID, list[WebhookAttempt]] = {d: [] for d in delivery_ids}
        if not delivery_ids:
            return result
        A = WebhookAttempt
        stmt = (
            self.scoped(select(A), A)
            .where(A.delivery_id.in_(delivery_ids))
            .order_by(A.attempted_at, A.number, A.id)
        )
        for attempt in self.session.scalars(stmt):
            result[attempt.delivery_id].append(attempt)
        return result

    def add_attempt(self, attempt: WebhookAttempt) -> WebhookAttempt:
        attempt.tenant_id = self.tenant_id
        self.session.add(attempt)
        return attempt

    def event(self, event_id: uuid.UUID) -> OutboxEvent | None:
        stmt = self.scoped(select(OutboxEvent), OutboxEvent).where(OutboxEvent.id == event_id)
        return self.session.scalars(stmt).first()

    def admin_emails(self) -> list[str]:
        """Who is told when an endpoint is disabled: the tenant's owners and admins."""
        stmt = self.scoped(select(User.email), User).where(User.role.in_(("owner", "admin")))
        return list(self.session.scalars(stmt.order_by(User.email)))


class DeliveryQueue:
    """The worker's view: due deliveries of every tenant (or of one, when a worker is
    dedicated to it), claimed with a lease."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(
        self,
        *,
        now: datetime,
        limit: int,
        lease_until: datetime,
        token: uuid.UUID,
        event_types: Sequence[str],
        tenant_id: uuid.UUID | None = None,
    ) -> list[WebhookDelivery]:
        D, E = WebhookDelivery, WebhookEndpoint
        enabled = exists().where(
            E.tenant_id == D.tenant_id, E.id == D.endpoint_id, E.enabled.is_(True)
        )
        # Parked deliveries (waiting behind an earlier one of their resource) have no
        # next_attempt_at, so the index range on (status, next_attempt_at) skips them:
        # the cost of a claim does not grow with a backlog.
        stmt = (
            select(D)
            .where(
                D.status == PENDING,
                D.next_attempt_at <= now,
                or_(D.locked_until.is_(None), D.locked_until <= now),
                D.event_type.in_(event_types),
                enabled,
            )
            .order_by(D.next_attempt_at, D.id)
            .limit(limit)
        )
        if tenant_id is not None:
            stmt = stmt.where(D.tenant_id == tenant_id)
        # PostgreSQL: rows another worker is claiming right now are skipped, not waited
        # for. SQLite: the claim runs in a BEGIN IMMEDIATE transaction, one writer at a time.
        rows = list(self.session.scalars(for_update(self.session, stmt, skip_locked=True)))
        for row in rows:
            row.locked_until = lease_until
            row.lock_token = token
        self.session.flush()
        return rows

    def stranded(self, *, limit: int, tenant_id: uuid.UUID | None = None) -> list[WebhookDelivery]:
        """Parked deliveries whose lane has nothing ahead of them any more.

        Normally the delivery ahead releases the next one when it finishes. On
        PostgreSQL an event committed at the very moment its predecessor finished can
        miss that hand-over (each saw the other's row before it was committed); this
        finds such deliveries so the worker can release them.
        """
        D = WebhookDelivery
        ahead = aliased(WebhookDelivery)
        blocking = exists().where(
            ahead.tenant_id == D.tenant_id,
            ahead.endpoint_id == D.endpoint_id,
            ahead.resource_id == D.resource_id,
            ahead.status == PENDING,
            or_(
                ahead.next_attempt_at.is_not(None),
                ahead.seq < D.seq,
                and_(ahead.seq == D.seq, ahead.id < D.id),
            ),
        )
        stmt = select(D).where(D.status == PENDING, D.next_attempt_at.is_(None), ~blocking)
        if tenant_id is not None:
            stmt = stmt.where(D.tenant_id == tenant_id)
        stmt = for_update(self.session, stmt.limit(limit), skip_locked=True)
        return list(self.session.scalars(stmt))

    def load(
        self, rows: Sequence[WebhookDelivery]
    ) -> tuple[
        dict[tuple[uuid.UUID, uuid.UUID], WebhookEndpoint],
        dict[tuple[uuid.UUID, uuid.UUID], OutboxEvent],
    ]:
        """The endpoints and events of claimed deliveries, in one query each, keyed by
        (tenant_id, id) so that no row is ever matched across tenants."""
        if not rows:
            return {}, {}
        E, Ev = WebhookEndpoint, OutboxEvent
        endpoint_keys = {(r.tenant_id, r.endpoint_id) for r in rows}
        event_keys = {(r.tenant_id, r.event_id) for r in rows}
        endpoints = self.session.scalars(
            select(E).where(tuple_(E.tenant_id, E.id).in_(list(endpoint_keys)))
        )
        events = self.session.scalars(
            select(Ev).where(tuple_(Ev.tenant_id, Ev.id).in_(list(event_keys)))
        )
        return (
            {(e.tenant_id, e.id): e for e in endpoints},
            {(e.tenant_id, e.id): e for e in events},
        )
