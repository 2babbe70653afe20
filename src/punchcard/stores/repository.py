"""Store SQL."""

from __future__ import annotations

from sqlalchemy import select

from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Page
from punchcard.models import Store


class StoreRepository(TenantRepository[Store]):
    model = Store

    def get_by_code(self, code: str) -> Store | None:
        return self.session.scalars(self.scoped().where(Store.code == code)).first()

    def list(self, page: Page, *, status: str | None = None) -> tuple[list[Store], int]:
        stmt = self.scoped(select(Store))
        if status:
            stmt = stmt.where(Store.status == status)
        return self.page(stmt, page, Store.created_at, Store.id)
