"""The tenant's ledger: list, read, and decide pending transactions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from punchcard.errors import TransactionNotFound, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.paging import Page
from punchcard.ledger import service as ledger
from punchcard.ledger.repository import LedgerRepository
from punchcard.ledger.schemas import ENTRY_TYPES, STATUSES
from punchcard.members import service as members
from punchcard.members.visibility import member_filter
from punchcard.models import PointsEntry

DECISIONS = ("approved", "rejected")


def list_transactions(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    since: datetime | None = None,
    until: datetime | None = None,
    statuses: list[str] | None = None,
    types: list[str] | None = None,
    member_id: uuid.UUID | None = None,
) -> tuple[list[PointsEntry], int]:
    """Newest first."""
    for s in statuses or []:
        if s not in STATUSES:
            raise ValidationFailed(f"status must be among {', '.join(STATUSES)}", field="status")
    for t in types or []:
        if t not in ENTRY_TYPES:
            raise ValidationFailed(f"type must be among {', '.join(ENTRY_TYPES)}", field="type")
    member_id = member_filter(principal, member_id)
    member_uuid = None
    if member_id is not None:
        member_uuid = members.get(session, principal, member_id=member_id, field="memberId").id
    return LedgerRepository(session, principal.tenant_id).transactions(
        page, member_id=member_uuid, since=since, until=until, types=types, statuses=statuses
    )


def get_transaction(
    session: Session,
    principal: Principal,
    *,
    transaction_id: uuid.UUID,
    field: str = "transactionId",
) -> PointsEntry:
    entry = LedgerRepository(session, principal.tenant_id).get(transaction_id)
    if entry is None:
        raise TransactionNotFound(field=field)
    return entry


def decide(
    session: Session, principal: Principal, *, transaction_id: uuid.UUID, status: str
) -> PointsEntry:
    """Approve or reject a pending credit."""
    if status not in DECISIONS:
        raise ValidationFailed("status must be approved or rejected", field="status")
    found = get_transaction(session, principal, transaction_id=transaction_id, field="id")
    member = members.lock(session, principal, member_id=found.member_id)
    # Re-read under the member lock: a concurrent decision may have just committed.
    session.refresh(found)
    if found.status != "pending" or found.amount <= 0:
        raise ValidationFailed(
            f"Only a pending credit can be decided; this one is {found.status}", field="status"
        )
    if status == "approved":
        return ledger.approve(session, member, found)
    return ledger.reject(session, member, found)
