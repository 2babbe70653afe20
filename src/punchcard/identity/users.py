"""Dashboard users: registration, login sessions, profile, and passwords.

Session and reset tokens are random (``random_token``), handed out once and stored
only as their SHA-256, like API keys. Passwords are argon2id. Where a request can
ask "does this email exist?" (login, forgot-password) the answer never depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Conflict, Unauthenticated, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.identity.repository import (
    PasswordResetRepository,
    SessionRepository,
    UserRepository,
)
from punchcard.identity.schemas import ProfileUpdate
from punchcard.identity.scopes import Role
from punchcard.identity.throttle import LoginThrottle
from punchcard.kit.crypto import hash_password, hash_token, random_token, verify_password
from punchcard.kit.ids import new_id
from punchcard.mail.service import Mail
from punchcard.models import PasswordReset, Tenant, User, UserSession
from punchcard.tenants.service import create_tenant, get_tenant

RESET_TTL = timedelta(hours=1)
RESET_PATH = "/dashboard/reset-password"
BAD_LOGIN = "Invalid email or password"


@dataclass(frozen=True)
class Account:
    user: User
    tenant: Tenant


@dataclass(frozen=True)
class NewSession:
    """A session just opened; ``token`` is its only plaintext copy."""

    token: str
    expires_at: datetime
    user: User
    tenant: Tenant


def normalize_email(email: str) -> str:
    """Emails are stored and compared lower-cased."""
    return email.strip().lower()


def open_session(session: Session, user: User, *, ttl_seconds: int) -> tuple[str, datetime]:
    """A new session token for ``user`` (shown once; only its SHA-256 is stored)."""
    at = now(session)
    token = random_token(32)
    expires_at = at + timedelta(seconds=ttl_seconds)
    SessionRepository(session).add(
        UserSession(
            id=new_id(),
            user_id=user.id,
            tenant_id=user.tenant_id,
            token_hash=hash_token(token),
            created_at=at,
            expires_at=expires_at,
        )
    )
    return token, expires_at


def _current_user(session: Session, principal: Principal) -> User:
    user = None
    if principal.user_id is not None:
        user = UserRepository(session).get(principal.tenant_id, principal.user_id)
    if user is None:
        raise Unauthenticated("The session's user no longer exists")
    return user


def _default_team_name(name: str | None, email: str) -> str:
    return f"{name or email.partition('@')[0]}'s team"[:200]


def register(
    session: Session,
    *,
    email: str,
    password: str,
    name: str | None = None,
    team_name: str | None = None,
    ttl_seconds: int,
) -> NewSession:
    """A new tenant, its owner, and a session for the owner."""
    email = normalize_email(email)
    # Hash before the first query: on SQLite the first query takes the write lock,
    # and argon2 should not run while other writers wait on it.
    password_hash = hash_password(password)
    users = UserRepository(session)
    if users.get_by_email(email) is not None:
        raise Conflict("An account with this email exists", field="email", code="EMAIL_TAKEN")
    tenant = create_tenant(session, name=team_name or _default_team_name(name, email))
    at = now(session)
    user = users.add(
        User(
            id=new_id(),
            tenant_id=tenant.id,
            email=email,
            name=name,
            role=Role.owner.value,
            password_hash=password_hash,
            created_at=at,
            updated_at=at,
        )
    )
    token, expires_at = open_session(session, user, ttl_seconds=ttl_seconds)
    return NewSession(token, expires_at, user, tenant)


def login(
    session: Session,
    *,
    email: str,
    password: str,
    ttl_seconds: int,
    throttle: LoginThrottle | None = None,
) -> NewSession:
    """A session for the user, or Unauthenticated with one message for every failure.

    With a ``throttle``, each attempt on an account takes one of its slots first (10 per
    15 minutes): past them, RateLimited (429), whether or not the email exists.
    """
    account = normalize_email(email)
    if throttle is not None:
        throttle.attempt(account)
    user = UserRepository(session).get_by_email(account)
    # verify_password checks against a dummy hash when there is no user, so an
    # unknown email costs as long as a wrong password.
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthenticated(BAD_LOGIN, code="INVALID_CREDENTIALS")
    if throttle is not None:
        throttle.succeeded(account)
    token, expires_at = open_session(session, user, ttl_seconds=ttl_seconds)
    return NewSession(token, expires_at, user, get_tenant(session, user.tenant_id))


def logout(session: Session, principal: Principal) -> None:
    """End the calling session."""
    if principal.session_id is not None:
        SessionRepository(session).revoke(principal.session_id, at=now(session))


def profile(session: Session, principal: Principal) -> Account:
    user = _current_user(session, principal)
    return Account(user, get_tenant(session, user.tenant_id))


def update_profile(session: Session, principal: Principal, *, data: ProfileUpdate) -> Account:
    """Change the name and/or email; a taken email is 409 ``EMAIL_TAKEN``."""
    user = _current_user(session, principal)
    if "email" in data.model_fields_set:
        if data.email is None:
            raise ValidationFailed("email cannot be null", field="email")
        email = normalize_email(data.email)
        if email != user.email:
            if UserRepository(session).get_by_email(email) is not None:
                raise Conflict(
                    "An account with this email exists", field="email", code="EMAIL_TAKEN"
                )
            user.email = email
    if "name" in data.model_fields_set:
        user.name = data.name
    user.updated_at = now(session)
    session.flush()
    return Account(user, get_tenant(session, user.tenant_id))


def change_password(
    session: Session, principal: Principal, *, current_password: str, new_password: str
) -> int:
    """Set a new password; every other session of the user stops working.

    The calling session survives. Returns the number of sessions revoked.
    """
    user = _current_user(session, principal)
    if not verify_password(user.password_hash, current_password):
        # 400, not 401: the session is fine, only the typed password is wrong, and a
        # client that sees 401 would log the user out.
        raise ValidationFailed(
            "Current password is incorrect", field="currentPassword", code="INVALID_PASSWORD"
        )
    at = now(session)
    user.password_hash = hash_password(new_password)
    user.updated_at = at
    PasswordResetRepository(session).void_for_user(user.id, at=at)
    revoked = SessionRepository(session).revoke_for_user(user.id, at=at, keep=principal.session_id)
    session.flush()
    return revoked


def request_password_reset(session: Session, *, email: str, public_url: str) -> Mail | None:
    """A single-use reset token valid for one hour, and the mail that carries it.

    None when no user has this email: the caller answers the same either way, and
    sends the mail only after the transaction commits.
    """
    user = UserRepository(session).get_by_email(normalize_email(email))
    if user is None:
        return None
    at = now(session)
    token = random_token(32)
    PasswordResetRepository(session).add(
        PasswordReset(
            id=new_id(),
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=at,
            expires_at=at + RESET_TTL,
        )
    )
    # The dashboard's reset page (web/dashboard/password.py) takes the token from here.
    link = f"{public_url.rstrip('/')}{RESET_PATH}?{urlencode({'token': token})}"
    text = (
        "Someone (hopefully you) asked to reset the password of your Punchcard account.\n\n"
        f"Open this link within one hour to choose a new password:\n\n{link}\n\n"
        "The link works once. If you did not ask for this, ignore this message: "
        "your password stays as it is.\n"
    )
    return Mail(to=user.email, subject="Reset your Punchcard password", text=text)


def reset_password(session: Session, *, token: str, new_password: str) -> int:
    """Spend a reset token to set a new password; every session of the user ends.

    Returns the number of sessions revoked.
    """
    password_hash = hash_password(new_password)  # before the write lock (see register)
    resets = PasswordResetRepository(session)
    at = now(session)
    reset = resets.get_by_hash(hash_token(token))
    if reset is not None and reset.used_at is None and reset.expires_at <= at:
        raise ValidationFailed(
            "This reset link has expired; ask for a new one",
            field="token",
            code="RESET_TOKEN_EXPIRED",
        )
    if reset is None or not resets.consume(reset.id, at=at):
        raise ValidationFailed(
            "This reset link is invalid or was already used",
            field="token",
            code="RESET_TOKEN_INVALID",
        )
    user = UserRepository(session).get_by_id(reset.user_id)
    if user is None:  # pragma: no cover - users are never deleted while tokens exist
        raise ValidationFailed("This reset link is invalid", field="token")
    user.password_hash = password_hash
    user.updated_at = at
    resets.void_for_user(user.id, at=at)
    revoked = SessionRepository(session).revoke_for_user(user.id, at=at)
    session.flush()
    return revoked
