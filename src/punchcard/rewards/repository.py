"""Reward SQL."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Page
from punchcard.models import Reward


class RewardRepository(TenantRepository[Reward]):
    model = Reward

    def get_by_key(self, key: str) -> Reward | None:
        return self.session.scalars(self.scoped().where(Reward.key == key)).first()

    def list(
        self, page: Page, *, active: bool | None = None, type_: str | None = None
    ) -> tuple[list[Reward], int]:
        stmt = self.scoped()
        if active is not None:
            stmt = stmt.where(Reward.is_active.is_(active))
        if type_ is not None:
            stmt = stmt.where(Reward.type == type_)
        return self.page(stmt, page, Reward.created_at, Reward.id)

    def take_stock(self, reward_id: uuid.UUID) -> bool:
        """Decrement stock if any is left: a guarded UPDATE, so concurrent redeemers
        can never take the same last unit."""
        result = self.session.execute(
            update(Reward)
            .where(Reward.tenant_id == self.tenant_id, Reward.id == reward_id, Reward.stock > 0)
            .values(stock=Reward.stock - 1)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1
