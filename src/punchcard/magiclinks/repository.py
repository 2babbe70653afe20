"""Magic link SQL, and the member lookups a link is resolved by."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update

from punchcard.db.repository import TenantRepository
from punchcard.models import MagicLink, Member


@dataclass(frozen=True)
class Consumed:
    """What the one successful consumption of a link read back from its row."""

    member_id: uuid.UUID
    return_to: str | None
    state: str | None


class MagicLinkRepository(TenantRepository[MagicLink]):
    """Links of one tenant. Updates cannot start from ``scoped()`` (a SELECT), so the
    consuming UPDATE states the tenant condition itself."""

    model = MagicLink

    def add(self, row: MagicLink) -> MagicLink:
        row.tenant_id = self.tenant_id
        self.session.add(row)
        self.session.flush()
        return row

    def by_token(self, token_hash: str) -> MagicLink | None:
        return self.session.scalars(self.scoped().where(MagicLink.token_hash == token_hash)).first()

    def consume(self, token_hash: str, *, at: datetime) -> Consumed | None:
        """Mark the live link with this hash used, in one conditional UPDATE: of two
        concurrent consumptions exactly one changes the row (PostgreSQL re-checks the
        condition after the first commits; SQLite runs writers one at a time). None when
        there was no live link (unknown, used or expired)."""
        row = self.session.execute(
            update(MagicLink)
            .where(
                MagicLink.tenant_id == self.tenant_id,
                MagicLink.token_hash == token_hash,
                MagicLink.consumed_at.is_(None),
                MagicLink.expires_at > at,
            )
            .values(consumed_at=at)
            .returning(MagicLink.member_id, MagicLink.return_to, MagicLink.state)
            .execution_options(synchronize_session=False)
        ).first()
        return None if row is None else Consumed(row[0], row[1], row[2])

    def member_by_sub(self, sub: str) -> Member | None:
        return self.session.scalars(
            self.scoped(model=Member).where(Member.custom_auth_sub == sub)
        ).first()

    def members_by_contact(self, email: str | None, phone: str | None) -> list[Member]:
        """Members holding this email or this phone (each a unique index probe)."""
        conds = []
        if email is not None:
            conds.append(Member.email == email)
        if phone is not None:
            conds.append(Member.phone == phone)
        if not conds:
            return []
        stmt = self.scoped(model=Member).where(or_(*conds)).order_by(Member.id)
        return list(self.session.scalars(stmt))
