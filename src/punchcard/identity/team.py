"""A tenant's team: its users, their roles, and who may change them.

The rules (the dashboard's team page applies them; so would any other face):

- viewers change nothing; admins and owners manage the team;
- only an owner makes someone an owner, unmakes one, or removes one (an admin manages
  viewers and admins, themselves included);
- the tenant keeps at least one owner: the last one can be neither demoted nor removed.
  The owners are read ``FOR UPDATE`` (PostgreSQL), so two owners demoting each other at
  once cannot both pass; SQLite runs one writer at a time.

Removing a user ends every session of theirs and deletes the user (their email is free
to be invited again); the audit log keeps their id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Conflict, Forbidden, NotFound, ValidationFailed
from punchcard.identity.repository import SessionRepository, UserRepository
from punchcard.identity.scopes import Role
from punchcard.models import PasswordReset, User, UserSession

ROLES = tuple(r.value for r in Role)
MANAGERS = frozenset({Role.owner.value, Role.admin.value})


@dataclass(frozen=True)
class Removed:
    user: User
    sessions_revoked: int


def list_users(session: Session, tenant_id: uuid.UUID) -> list[User]:
    """The team, oldest member first."""
    return list(
        session.scalars(
            select(User).where(User.tenant_id == tenant_id).order_by(User.created_at, User.id)
        )
    )


def parse_role(value: str, *, field: str = "role") -> str:
    if value not in ROLES:
        raise ValidationFailed(f"{field} must be one of {', '.join(ROLES)}", field=field)
    return value


def check_may_grant(actor: User, role: str) -> None:
    """``actor`` may give someone ``role`` (an invitation, a role change)."""
    if actor.role not in MANAGERS:
        raise Forbidden("Only admins and owners manage the team", code="FORBIDDEN")
    if role == Role.owner.value and actor.role != Role.owner.value:
        raise Forbidden("Only an owner can make someone an owner", code="OWNER_ONLY")


def _target(session: Session, actor: User, user_id: uuid.UUID) -> User:
    user = UserRepository(session).get(actor.tenant_id, user_id)
    if user is None:  # another tenant's user too
        raise NotFound("No such user in this team")
    return user


def _owners(session: Session, tenant_id: uuid.UUID) -> int:
    ids = session.scalars(
        select(User.id)
        .where(User.tenant_id == tenant_id, User.role == Role.owner.value)
        .with_for_update()
    )
    return len(list(ids))


def _keep_an_owner(session: Session, user: User) -> None:
    if user.role == Role.owner.value and _owners(session, user.tenant_id) <= 1:
        raise Conflict(
            "The team's last owner cannot be removed or demoted; make someone else an owner first",
            code="LAST_OWNER",
            field="role",
        )


def change_role(session: Session, actor: User, user_id: uuid.UUID, role: str) -> User:
    """Give a user of the actor's team another role (see the module's rules)."""
    role = parse_role(role)
    check_may_grant(actor, role)
    user = _target(session, actor, user_id)
    if user.role == role:
        return user
    if user.role == Role.owner.value:
        if actor.role != Role.owner.value:
            raise Forbidden("Only an owner can change an owner's role", code="OWNER_ONLY")
        _keep_an_owner(session, user)
    user.role = role
    user.updated_at = now(session)
    session.flush()
    return user


def remove_user(session: Session, actor: User, user_id: uuid.UUID) -> Removed:
    """Remove a user from the team: their sessions end, their row goes."""
    if actor.role not in MANAGERS:
        raise Forbidden("Only admins and owners manage the team", code="FORBIDDEN")
    user = _target(session, actor, user_id)
    if user.role == Role.owner.value:
        if actor.role != Role.owner.value:
            raise Forbidden("Only an owner can remove an owner", code="OWNER_ONLY")
        _keep_an_owner(session, user)
    at = now(session)
    revoked = SessionRepository(session).revoke_for_user(user.id, at=at)
    # The rows that point at the user go with it (foreign keys); revoked above first so
    # the count says how many live sessions ended.
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    session.delete(user)
    session.flush()
    return Removed(user, revoked)


def count_owners(session: Session, tenant_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.tenant_id == tenant_id, User.role == Role.owner.value)
        )
        or 0
    )
