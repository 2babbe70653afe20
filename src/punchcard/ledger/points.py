"""Member points use cases for the faces: statement, manual award/deduct, summary."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from punchcard.db.repository import pinned_get
from punchcard.db.uow import now
from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.calendar import by_local_day
from punchcard.kit.paging import Page
from punchcard.ledger import service as ledger
from punchcard.ledger.repository import LedgerRepository
from punchcard.ledger.schemas import ENTRY_TYPES, STATUSES
from punchcard.members import service as members
from punchcard.models import Member, PointsEntry, Tenant
from punchcard.stores import service as stores
from punchcard.tenants.snapshot import snapshot


@dataclass(frozen=True)
class Statement:
    member: Member
    balance: int
    schedule: list[tuple[str, int]]
    entries: list[PointsEntry]
    total: int


def statement(
    session: Session,
    principal: Principal,
    *,
    member_id: uuid.UUID,
    page: Page,
    since: datetime | None = None,
    until: datetime | None = None,
    type_: str | None = None,
    status: str | None = None,
) -> Statement:
    if type_ is not None and type_ not in ENTRY_TYPES:
        raise ValidationFailed(f"type must be one of {', '.join(ENTRY_TYPES)}", field="type")
    if status is not None and status not in STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(STATUSES)}", field="status")
    member = members.get(session, principal, member_id=member_id)
    repo = LedgerRepository(session, principal.tenant_id)
    entries, total = repo.transactions(
        page,
        member_id=member.id,
        since=since,
        until=until,
        types=[type_] if type_ else None,
        statuses=[status] if status else None,
    )
    return Statement(
        member, ledger.available(session, member), schedule(session, member), entries, total
    )


def schedule(session: Session, member: Member) -> list[tuple[str, int]]:
    """Upcoming expiries grouped by date (the tenant's local date)."""
    tenant = pinned_get(session, Tenant, member.tenant_id)
    rows = LedgerRepository(session, member.tenant_id).expiration_schedule(member.id)
    return by_local_day(rows, tenant.timezone if tenant else "UTC", after=now(session))


@dataclass(frozen=True)
class PointsChange:
    """A manual award (positive ``amount``) or deduction (negative). ``store_id`` is a
    store id or a store code."""

    amount: int
    description: str | None = None
    store_id: uuid.UUID | str | None = None
    activity_id: uuid.UUID | None = None
    expires_at: datetime | None = None


def change(
    session: Session, principal: Principal, *, member_id: uuid.UUID, data: PointsChange
) -> PointsEntry:
    """A manual award (positive) or deduction (negative) of exactly ``amount`` points."""
    if data.amount == 0:
        raise ValidationFailed("amount must be a non-zero integer", field="amount")
    if data.expires_at is not None and data.amount < 0:
        raise ValidationFailed("expiresAt applies to awards only", field="expiresAt")
    store = stores.resolve(session, principal, data.store_id)
    activity_id = None
    if data.activity_id is not None:
        activity = snapshot(session, principal.tenant_id).activity(data.activity_id)
        if activity is None:
            raise ValidationFailed("Unknown activity", field="activityId")
        activity_id = activity.id
    if data.expires_at is not None and data.expires_at <= now(session):
        raise ValidationFailed("expiresAt must be in the future", field="expiresAt")
    member = members.lock(session, principal, member_id=member_id)
    refs = ledger.Refs(
        description=data.description,
        activity_id=activity_id,
        store_id=store.id if store else None,
    )
    if data.amount > 0:
        return ledger.credit(
            session, member, amount=data.amount, refs=refs, expires_at=data.expires_at
        )
    return ledger.debit(session, member, amount=-data.amount, refs=refs, type_="deduct")
