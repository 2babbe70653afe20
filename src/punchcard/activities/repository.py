"""Activity SQL."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select

from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Page
from punchcard.models import Activity, PointsEntry

NOT_COUNTED = ("rejected", "auto_rejected")


class ActivityRepository(TenantRepository[Activity]):
    model = Activity

    def get_by_key(self, key: str) -> Activity | None:
        return self.session.scalars(self.scoped().where(Activity.key == key)).first()

    def list(self, page: Page, *, active: bool | None = None) -> tuple[list[Activity], int]:
        stmt = self.scoped()
        if active is not None:
            stmt = stmt.where(Activity.is_active.is_(active))
        return self.page(stmt, page, Activity.created_at, Activity.id)

    def awards_since(
        self, member_id: uuid.UUID, activity_id: uuid.UUID, since: datetime | None
    ) -> int:
        """Awards of this activity to this member (not rejected) since ``since``."""
        stmt = self.scoped(select(func.count()), PointsEntry).where(
            PointsEntry.member_id == member_id,
            PointsEntry.activity_id == activity_id,
            PointsEntry.type == "award",
            PointsEntry.status.not_in(NOT_COUNTED),
        )
        if since is not None:
            stmt = stmt.where(PointsEntry.created_at >= since)
        return int(self.session.scalar(stmt) or 0)
