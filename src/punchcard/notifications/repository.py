"""Member-mail SQL: the settings row, the mail claims, and the two scans that find
what is due (lots about to expire, tier changes not mailed yet)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, exists, func, literal_column, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from punchcard.db.repository import TenantRepository
from punchcard.db.uow import dialect
from punchcard.kit.ids import new_id
from punchcard.ledger.repository import OPEN
from punchcard.models import Member, MemberMail, MemberMailSettings, OutboxEvent, PointsLot

# A mail's status.
SENDING, SENT, FAILED, GIVEN_UP = "sending", "sent", "failed", "given_up"
BANNED = "banned"


def mailable(member: type[Member] = Member) -> Any:
    """The condition a member must meet to be mailed: an address, not banned, not erased."""
    return and_(
        member.email.is_not(None),
        member.email != "",
        member.status != BANNED,
        member.erased_at.is_(None),
    )


class SettingsRepository:
    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def get(self) -> MemberMailSettings | None:
        return self.session.get(MemberMailSettings, self.tenant_id)

    def get_or_add(self, at: datetime) -> MemberMailSettings:
        """The row, written with the defaults first when there is none. ``ON CONFLICT DO
        NOTHING``: two workers (or a worker and the dashboard) adding it at once both
        go on with the one row (PostgreSQL makes the second wait for the first)."""
        row = self.get()
        if row is not None:
            return row
        insert = postgresql.insert if dialect(self.session) == "postgresql" else sqlite.insert
        self.session.execute(
            insert(MemberMailSettings)
            .values(
                tenant_id=self.tenant_id,
                expiry_enabled=True,
                expiry_days_ahead=7,
                tier_enabled=True,
                created_at=at,
                updated_at=at,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id"])
        )
        found = self.session.get(MemberMailSettings, self.tenant_id, populate_existing=True)
        assert found is not None
        return found


class MemberMailRepository(TenantRepository[MemberMail]):
    model = MemberMail

    def claim(
        self,
        member_id: uuid.UUID,
        kind: str,
        event_key: str,
        *,
        at: datetime,
        event_id: uuid.UUID | None = None,
        covers: tuple[datetime, datetime] | None = None,
    ) -> uuid.UUID | None:
        """Insert the mail's row as ``sending``; None when the (member, kind, event) row
        exists already. ``INSERT … ON CONFLICT DO NOTHING`` on the unique key: of
        concurrent claims exactly one writes (PostgreSQL makes the others wait for it,
        then do nothing; SQLite runs writers one at a time) and none raises."""
        insert = postgresql.insert if dialect(self.session) == "postgresql" else sqlite.insert
        stmt = (
            insert(MemberMail)
            .values(
                tenant_id=self.tenant_id,
                id=new_id(),
                member_id=member_id,
                kind=kind,
                event_key=event_key,
                event_id=event_id,
                covers_from=covers[0] if covers else None,
                covers_until=covers[1] if covers else None,
                status=SENDING,
                attempts=1,
                created_at=at,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "member_id", "kind", "event_key"])
            .returning(MemberMail.id)
        )
        found: uuid.UUID | None = self.session.execute(stmt).scalar_one_or_none()
        return found

    def reclaim(self, mail_id: uuid.UUID, attempts: int) -> bool:
        """Take a failed mail back for another attempt; False if another worker did."""
        stmt = (
            update(MemberMail)
            .where(
                MemberMail.tenant_id == self.tenant_id,
                MemberMail.id == mail_id,
                MemberMail.status == FAILED,
                MemberMail.attempts == attempts,
            )
            .values(status=SENDING, attempts=attempts + 1)
        )
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def finish(
        self,
        mail_id: uuid.UUID,
        *,
        status: str,
        at: datetime,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "last_error": error,
            "next_attempt_at": next_attempt_at,
        }
        if status == SENT:
            values["sent_at"] = at
        self.session.execute(
            update(MemberMail)
            .where(MemberMail.tenant_id == self.tenant_id, MemberMail.id == mail_id)
            .values(**values)
        )

    def mails_of(self, member_id: uuid.UUID) -> list[MemberMail]:
        stmt = self.scoped().where(MemberMail.member_id == member_id)
        return list(self.session.scalars(stmt.order_by(MemberMail.created_at)))

    # Expiry reminders ---------------------------------------------------------------

    def expiring_members(
        self, *, at: datetime, until: datetime, after: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        """Mailable members with points in a lot expiring in ``(at, until)`` that no
        reminder covers yet, by id after ``after``."""
        L, M, X = PointsLot, Member, MemberMail
        covered = exists().where(
            X.tenant_id == L.tenant_id,
            X.member_id == L.member_id,
            X.kind == literal_column("'points_expiring'"),
            X.covers_from <= L.expires_at,
            X.covers_until > L.expires_at,
        )
        stmt = (
            self.scoped(select(L.member_id), L)
            .join(M, and_(M.tenant_id == L.tenant_id, M.id == L.member_id))
            .where(
                OPEN,
                L.expires_at.is_not(None),
                L.expires_at > at,
                L.expires_at < until,
                mailable(M),
                ~covered,
            )
            .distinct()
            .order_by(L.member_id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(L.member_id > after)
        return list(self.session.scalars(stmt))

    def open_lots(
        self, member_id: uuid.UUID, *, after: datetime, before: datetime
    ) -> list[tuple[datetime, int]]:
        """The member's open lots expiring in ``(after, before)``: (expires at, points)."""
        L = PointsLot
        stmt = self.scoped(select(L.expires_at, L.remaining), L).where(
            L.member_id == member_id,
            OPEN,
            L.expires_at.is_not(None),
            L.expires_at > after,
            L.expires_at < before,
        )
        return [(row.expires_at, int(row.remaining)) for row in self.session.execute(stmt)]

    # Tier changes --------------------------------------------------------------------

    def tier_events(
        self,
        *,
        since: datetime,
        until: datetime,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[Row[Any]]:
        """``tier.changed`` events created in ``[since, until]`` that no mail names yet,
        oldest first, after the ``(created_at, id)`` keyset position ``after``."""
        E, X = OutboxEvent, MemberMail
        mailed = exists().where(X.tenant_id == E.tenant_id, X.event_id == E.id)
        stmt = (
            self.scoped(select(E.id, E.created_at, E.payload), E)
            .where(
                E.type == literal_column("'tier.changed'"),
                E.created_at >= since,
                E.created_at <= until,
                ~mailed,
            )
            .order_by(E.created_at, E.id)
            .limit(limit)
        )
        if after is not None:
            at, last = after
            stmt = stmt.where(or_(E.created_at > at, and_(E.created_at == at, E.id > last)))
        return self.session.execute(stmt).all()

    def event_payload(self, event_id: uuid.UUID) -> dict[str, Any] | None:
        event = self.session.get(OutboxEvent, (self.tenant_id, event_id))
        return None if event is None else dict(event.payload)


def due_retries(
    session: Session, *, at: datetime, limit: int, tenant_id: uuid.UUID | None = None
) -> Sequence[Row[Any]]:
    """Failed mails whose next attempt is due, across tenants (the worker's scan) or of
    one."""
    X = MemberMail
    stmt = (
        select(X.tenant_id, X.id, X.attempts)
        .where(X.status == FAILED, X.next_attempt_at <= at)
        .order_by(X.next_attempt_at)
        .limit(limit)
    )
    if tenant_id is not None:
        stmt = stmt.where(X.tenant_id == tenant_id)
    return session.execute(stmt).all()


def count_by_status(session: Session, tenant_id: uuid.UUID) -> dict[str, int]:
    X = MemberMail
    stmt = select(X.status, func.count()).where(X.tenant_id == tenant_id).group_by(X.status)
    return {status: int(n) for status, n in session.execute(stmt)}
