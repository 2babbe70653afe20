"""Reading the audit log: a tenant's records, newest first, filtered by who made the
call (one user or one API key) and by path prefix (the dashboard's audit page)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from punchcard.kit.paging import Page
from punchcard.models import ApiKey, AuditRecord, User


@dataclass(frozen=True)
class Filters:
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    path_prefix: str | None = None


@dataclass(frozen=True)
class Callers:
    """Who can appear in a tenant's log: its users' emails and its keys' names."""

    users: dict[uuid.UUID, str] = field(default_factory=dict)
    keys: dict[uuid.UUID, str] = field(default_factory=dict)


def records(
    session: Session, tenant_id: uuid.UUID, *, page: Page, filters: Filters = Filters()
) -> tuple[list[AuditRecord], int]:
    """One page of the tenant's audit records, newest first, and how many match."""
    stmt = select(AuditRecord).where(AuditRecord.tenant_id == tenant_id)
    if filters.user_id is not None:
        stmt = stmt.where(AuditRecord.user_id == filters.user_id)
    if filters.api_key_id is not None:
        stmt = stmt.where(AuditRecord.api_key_id == filters.api_key_id)
    if filters.path_prefix:
        # autoescape: a `%` or `_` in the prefix is that character, not a wildcard.
        stmt = stmt.where(AuditRecord.path.startswith(filters.path_prefix, autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(AuditRecord.created_at.desc(), AuditRecord.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    return list(rows), int(total)


def callers(session: Session, tenant_id: uuid.UUID) -> Callers:
    """The tenant's users (by email) and API keys (by name), to name a record's caller."""
    users = session.execute(select(User.id, User.email).where(User.tenant_id == tenant_id))
    keys = session.execute(
        select(ApiKey.id, ApiKey.name).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.name)
    )
    return Callers(users={r[0]: r[1] for r in users}, keys={r[0]: r[1] for r in keys})
