"""Store SQL."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import or_, select

from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Page
from punchcard.models import Store


class StoreRepository(TenantRepository[Store]):
    model = Store

    def get_by_code(self, code: str) -> Store | None:
        return self.session.scalars(self.scoped().where(Store.code == code)).first()

    def by_ids_or_codes(self, ids: Collection[uuid.UUID], codes: Collection[str]) -> list[Store]:
        """Every store with one of these ids or codes, in one query (batches)."""
        if not ids and not codes:
            return []
        conds = []
        if ids:
            conds.append(Store.id.in_(list(ids)))
        if codes:
            conds.append(Store.code.in_(list(codes)))
        return list(self.session.scalars(self.scoped().where(or_(*conds))))

    def list(self, page: Page, *, status: str | None = None) -> tuple[list[Store], int]:
        stmt = self.scoped(select(Store))
        if status:
            stmt = stmt.where(Store.status == status)
        return self.page(stmt, page, Store.created_at, Store.id)
