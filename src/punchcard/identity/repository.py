"""Identity SQL: users, sessions, reset tokens, API keys and their audit trail.

Users, sessions and key hashes are global routing tables (a login or a bearer token
must find its tenant before any tenant is known), so lookups by email or token hash
are not tenant-scoped. Everything addressed by id from the API is, and so are member
sessions (their tokens name their tenant).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Page
from punchcard.models import (
    ApiKey,
    AuditRecord,
    Member,
    MemberSession,
    PasswordReset,
    User,
    UserSession,
)


def _rowcount(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_by_email(self, email: str) -> User | None:
        """Installation-wide: login has no tenant. ``email`` is already lower-cased."""
        return self.session.scalars(select(User).where(User.email == email)).first()

    def get_by_id(self, user_id: uuid.UUID) -> User | None:
        """Installation-wide: a reset token names its user before any tenant is known."""
        return self.session.get(User, user_id)

    def get(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
        return self.session.scalars(
            select(User).where(User.tenant_id == tenant_id, User.id == user_id)
        ).first()

    def add(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user


class SessionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user_session: UserSession) -> UserSession:
        self.session.add(user_session)
        self.session.flush()
        return user_session

    def revoke(self, session_id: uuid.UUID, *, at: datetime) -> int:
        result = self.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return _rowcount(result)

    def revoke_for_user(
        self, user_id: uuid.UUID, *, at: datetime, keep: uuid.UUID | None = None
    ) -> int:
        """Revoke every live session of the user except ``keep``; the number revoked."""
        stmt = update(UserSession).where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > at,
        )
        if keep is not None:
            stmt = stmt.where(UserSession.id != keep)
        return _rowcount(self.session.execute(stmt.values(revoked_at=at)))


class PasswordResetRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, reset: PasswordReset) -> PasswordReset:
        self.session.add(reset)
        self.session.flush()
        return reset

    def get_by_hash(self, token_hash: str) -> PasswordReset | None:
        return self.session.scalars(
            select(PasswordReset).where(PasswordReset.token_hash == token_hash)
        ).first()

    def consume(self, reset_id: uuid.UUID, *, at: datetime) -> bool:
        """Mark the token used. A conditional update, so that of two concurrent
        resets with one token exactly one wins."""
        result = self.session.execute(
            update(PasswordReset)
            .where(
                PasswordReset.id == reset_id,
                PasswordReset.used_at.is_(None),
                PasswordReset.expires_at > at,
            )
            .values(used_at=at)
        )
        return _rowcount(result) == 1

    def void_for_user(self, user_id: uuid.UUID, *, at: datetime) -> int:
        """Spend every outstanding token of the user (the password just changed)."""
        result = self.session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
            .values(used_at=at)
        )
        return _rowcount(result)


class ApiKeyRepository:
    """API keys of one tenant (``api_keys`` leads with ``id``; the tenant is a filter)."""

    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def get(self, key_id: uuid.UUID | None) -> ApiKey | None:
        if key_id is None:
            return None
        return self.session.scalars(
            select(ApiKey).where(ApiKey.tenant_id == self.tenant_id, ApiKey.id == key_id)
        ).first()

    def list(self, page: Page) -> tuple[list[ApiKey], int]:
        stmt = select(ApiKey).where(ApiKey.tenant_id == self.tenant_id)
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = self.session.scalars(
            stmt.order_by(ApiKey.created_at, ApiKey.id).limit(page.limit).offset(page.offset)
        )
        return list(rows), int(total or 0)

    def add(self, key: ApiKey) -> ApiKey:
        key.tenant_id = self.tenant_id
        self.session.add(key)
        self.session.flush()
        return key


class AuditRepository(TenantRepository[AuditRecord]):
    model = AuditRecord

    def for_key(self, key_id: uuid.UUID, page: Page) -> tuple[list[AuditRecord], int]:
        """A key's calls, newest first (served by ``ix_audit_log_key``)."""
        stmt = self.scoped().where(AuditRecord.api_key_id == key_id)
        return self.page(stmt, page, AuditRecord.created_at.desc(), AuditRecord.id.desc())


class MemberSessionRepository(TenantRepository[MemberSession]):
    """Member sessions of one tenant. Updates cannot start from ``scoped()`` (a
    SELECT), so each one states the tenant condition itself."""

    model = MemberSession

    def add(self, row: MemberSession) -> MemberSession:
        row.tenant_id = self.tenant_id
        self.session.add(row)
        self.session.flush()
        return row

    def by_token(self, token_hash: str) -> tuple[MemberSession, str] | None:
        """The session with this token hash and its member's status (one probe of the
        ``(tenant_id, token_hash)`` unique index, one primary-key join)."""
        stmt = self.scoped(select(MemberSession, Member.status)).join(
            Member,
            (Member.tenant_id == MemberSession.tenant_id) & (Member.id == MemberSession.member_id),
        )
        row = self.session.execute(stmt.where(MemberSession.token_hash == token_hash)).first()
        return None if row is None else (row[0], row[1])

    def revoke(
        self, session_id: uuid.UUID, *, at: datetime, member_id: uuid.UUID | None = None
    ) -> int:
        """Revoke one live session (of ``member_id`` only, when given)."""
        stmt = update(MemberSession).where(
            MemberSession.tenant_id == self.tenant_id,
            MemberSession.id == session_id,
            MemberSession.revoked_at.is_(None),
        )
        if member_id is not None:
            stmt = stmt.where(MemberSession.member_id == member_id)
        return _rowcount(self.session.execute(stmt.values(revoked_at=at)))

    def revoke_for_member(self, member_id: uuid.UUID, *, at: datetime) -> int:
        """Revoke every live session of the member; the number revoked."""
        stmt = update(MemberSession).where(
            MemberSession.tenant_id == self.tenant_id,
            MemberSession.member_id == member_id,
            MemberSession.revoked_at.is_(None),
            MemberSession.expires_at > at,
        )
        return _rowcount(self.session.execute(stmt.values(revoked_at=at)))
