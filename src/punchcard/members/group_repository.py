"""Member group and membership SQL (``members.groups``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, insert, select

from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Cursor, Page
from punchcard.models import Member, MemberGroup, MemberGroupMembership

_LINK = MemberGroupMembership


class GroupRepository(TenantRepository[MemberGroup]):
    model = MemberGroup

    def listing(self, page: Page) -> tuple[list[MemberGroup], int]:
        """Groups oldest first, with their total (offset paging)."""
        return self.page(self.scoped(), page, MemberGroup.created_at, MemberGroup.id)

    def after(self, cursor: Cursor) -> tuple[list[MemberGroup], bool]:
        """Groups oldest first after the cursor's group (keyset paging)."""
        return self.after_page(self.scoped(), cursor)

    def existing(self, group_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of ``group_ids`` are groups of the tenant, in one query."""
        wanted = set(group_ids)
        if not wanted:
            return set()
        stmt = self.scoped(select(MemberGroup.id)).where(MemberGroup.id.in_(wanted))
        return set(self.session.scalars(stmt))

    def group_ids_for(self, member_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """Each member's group ids (in id order: ids are time-ordered, so creation
        order), for a whole page of members in one query."""
        ids = list(dict.fromkeys(member_ids))
        out: dict[uuid.UUID, list[uuid.UUID]] = {m: [] for m in ids}
        if not ids:
            return out
        stmt = (
            self.scoped(select(_LINK.member_id, _LINK.group_id), _LINK)
            .where(_LINK.member_id.in_(ids))
            .order_by(_LINK.member_id, _LINK.group_id)
        )
        for member_id, group_id in self.session.execute(stmt):
            out[member_id].append(group_id)
        return out

    def replace(self, member_id: uuid.UUID, group_ids: Iterable[uuid.UUID]) -> bool:
        """Make the member's groups exactly ``group_ids`` (existing groups of the
        tenant): one delete of those it leaves, one insert of those it joins. Whether
        anything changed."""
        wanted = set(group_ids)
        current = set(self.group_ids_for([member_id])[member_id])
        leave, join = current - wanted, wanted - current
        if leave:
            self.session.execute(
                delete(_LINK).where(
                    _LINK.tenant_id == self.tenant_id,
                    _LINK.member_id == member_id,
                    _LINK.group_id.in_(leave),
                )
            )
        if join:
            rows = [
                {"tenant_id": self.tenant_id, "member_id": member_id, "group_id": g}
                for g in sorted(join)
            ]
            self.session.execute(insert(_LINK), rows)
        return bool(leave or join)

    def remove(self, group: MemberGroup) -> None:
        """Delete the group and its memberships (the foreign key cascades too; stated
        here so that it never depends on the database enforcing it)."""
        self.session.execute(
            delete(_LINK).where(_LINK.tenant_id == self.tenant_id, _LINK.group_id == group.id)
        )
        self.session.delete(group)
        self.session.flush()

    def members_after(
        self, cursor: Cursor, *, group_id: uuid.UUID | None = None
    ) -> tuple[list[Member], bool]:
        """Members oldest first after the cursor's member; only the group's members
        when ``group_id`` is given."""
        stmt = self.scoped(select(Member), Member)
        if group_id is not None:
            in_group = select(_LINK.member_id).where(
                _LINK.tenant_id == self.tenant_id, _LINK.group_id == group_id
            )
            stmt = stmt.where(Member.id.in_(in_group))
        return self.after_page(stmt, cursor, Member)
