"""Repository base: every query is scoped to one tenant through one helper."""

from __future__ import annotations

import uuid
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from punchcard.db.dialect import for_update
from punchcard.kit.paging import Page
from punchcard.models.base import TenantOwned

M = TypeVar("M", bound=TenantOwned)


class TenantRepository(Generic[M]):
    """SQL for one table family, always inside one tenant."""

    model: type[M]

    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def scoped(
        self, stmt: Select[Any] | None = None, model: type[Any] | None = None
    ) -> Select[Any]:
        """Add the tenant condition. The only way repositories start a query."""
        target = model or self.model
        base = stmt if stmt is not None else select(target)
        return base.where(target.tenant_id == self.tenant_id)

    def get(self, id_: uuid.UUID | None, *, lock: bool = False) -> M | None:
        if id_ is None:
            return None
        stmt = self.scoped().where(self.model.id == id_)
        if lock:
            stmt = for_update(self.session, stmt)
        return self.session.scalars(stmt).first()

    def add(self, obj: M) -> M:
        obj.tenant_id = self.tenant_id
        self.session.add(obj)
        self.session.flush()
        return obj

    def page(self, stmt: Select[Any], page: Page, *order_by: Any) -> tuple[list[Any], int]:
        """One page of ``stmt`` and the total count of rows it matches."""
        total = self.session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        )
        rows = self.session.scalars(stmt.order_by(*order_by).limit(page.limit).offset(page.offset))
        return list(rows), int(total or 0)
