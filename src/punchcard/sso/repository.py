"""SQL for SSO mappings and accepted signatures."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Page
from punchcard.models import SsoMapping, SsoSignature


class MappingRepository(TenantRepository[SsoMapping]):
    model = SsoMapping

    def by_external_id(self, external_customer_id: str) -> SsoMapping | None:
        stmt = self.scoped().where(SsoMapping.external_customer_id == external_customer_id)
        return self.session.scalars(stmt).first()

    def insert(self, mapping: SsoMapping) -> bool:
        """Add ``mapping`` in a savepoint; False (and nothing written) when its external
        customer id is already mapped, by this transaction or a concurrent one that
        committed first (the unique key decides, so a race cannot map it twice)."""
        mapping.tenant_id = self.tenant_id
        savepoint = self.session.begin_nested()
        try:
            self.session.add(mapping)
            self.session.flush()
        except IntegrityError:
            savepoint.rollback()
            return False
        savepoint.commit()
        return True

    def list_page(self, page: Page) -> list[SsoMapping]:
        """A page of mappings, oldest first: one statement."""
        stmt = (
            self.scoped()
            .order_by(SsoMapping.created_at, SsoMapping.id)
            .limit(page.limit)
            .offset(page.offset)
        )
        return list(self.session.scalars(stmt))

    def page_with_total(self, page: Page) -> tuple[list[SsoMapping], int]:
        """A page of mappings, oldest first, and their number: two statements."""
        return self.page(self.scoped(), page, SsoMapping.created_at, SsoMapping.id)


class SignatureRepository:
    """Accepted signatures (``sso_signatures``: keyed by tenant and signature)."""

    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def claim(self, signature: str, *, signed_at: datetime, at: datetime) -> bool:
        """Record ``signature`` as used; False when it was used before (its row exists,
        or a concurrent request's row committed first: the primary key decides)."""
        savepoint = self.session.begin_nested()
        try:
            self.session.add(
                SsoSignature(
                    tenant_id=self.tenant_id, signature=signature, signed_at=signed_at, used_at=at
                )
            )
            self.session.flush()
        except IntegrityError:
            savepoint.rollback()
            return False
        savepoint.commit()
        return True


def forget_signed_before(session: Session, before: datetime, *, limit: int) -> int:
    """Delete up to ``limit`` accepted signatures whose timestamp is before ``before``
    (every tenant: a maintenance job); the number deleted."""
    keys = session.execute(
        select(SsoSignature.tenant_id, SsoSignature.signature)
        .where(SsoSignature.signed_at < before)
        .limit(limit)
    ).all()
    if keys:
        session.execute(
            delete(SsoSignature).where(
                tuple_(SsoSignature.tenant_id, SsoSignature.signature).in_([tuple(k) for k in keys])
            )
        )
    return len(keys)
