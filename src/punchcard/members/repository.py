"""Member SQL."""

from __future__ import annotations

import uuid

from punchcard.db.dialect import for_update
from punchcard.db.repository import TenantRepository
from punchcard.models import Member


class MemberRepository(TenantRepository[Member]):
    model = Member

    def lock(self, member_id: uuid.UUID) -> Member | None:
        """Fetch the member row locked for update: every balance change on one member
        goes through this lock, so concurrent writers run one at a time."""
        stmt = for_update(self.session, self.scoped().where(Member.id == member_id))
        # populate_existing: after waiting for the lock, see the committed values.
        return self.session.scalars(stmt.execution_options(populate_existing=True)).first()
