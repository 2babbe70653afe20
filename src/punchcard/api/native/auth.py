"""Auth: ``/auth/*`` — registration, login sessions, the profile, and passwords.

``register``, ``login``, ``forgot-password`` and ``reset-password`` are public (no auth
dependency); the others need a user session token (an API key gets 403).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response

from punchcard.api.common.auth import UserSession
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.auth import (
    Accepted,
    AuthSession,
    ChangePassword,
    ForgotPassword,
    Login,
    PasswordChanged,
    Profile,
    ProfileUpdate,
    Register,
    ResetPassword,
)
from punchcard.config import Settings
from punchcard.identity import users
from punchcard.identity.throttle import login_throttle
from punchcard.mail import service as mail

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Auth"])


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
BAD_CREDENTIALS: dict[int | str, dict[str, Any]] = {
    401: {
        "description": "Unknown email or wrong password (one answer for both)",
        "content": _ERROR,
    },
    429: {
        "description": "Too many attempts on this account (10 per 15 minutes): "
        "`TOO_MANY_LOGIN_ATTEMPTS`, with `Retry-After` in seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": _ERROR,
    },
}


def _opened(new: users.NewSession) -> AuthSession:
    return AuthSession.of(
        token=new.token, expires_at=new.expires_at, user=new.user, tenant=new.tenant
    )


@router.post("/auth/register", response_model=AuthSession, status_code=201)
def register(session: DbSession, settings: AppSettings, body: Register) -> AuthSession:
    """Create a team and its owner; returns a session token."""
    new = users.register(
        session,
        email=body.email,
        password=body.password,
        name=body.name,
        team_name=body.team_name,
        ttl_seconds=settings.session_ttl_seconds,
    )
    return _opened(new)


@router.post("/auth/login", response_model=AuthSession, responses=BAD_CREDENTIALS)
def login(session: DbSession, settings: AppSettings, body: Login) -> AuthSession:
    """Log in with email and password; returns a session token.

    Every bad credential gets the same 401 `INVALID_CREDENTIALS`, whether or not the
    email exists. After 10 attempts on one account within 15 minutes, further ones get
    429 `TOO_MANY_LOGIN_ATTEMPTS` with `Retry-After` (a successful login resets the count).
    """
    new = users.login(
        session,
        email=body.email,
        password=body.password,
        ttl_seconds=settings.session_ttl_seconds,
        throttle=login_throttle(settings.redis_url),
    )
    return _opened(new)


@router.post("/auth/logout", status_code=204, response_class=Response)
def logout(p: UserSession, session: DbSession) -> Response:
    """End the calling session (its token gets 401 from now on)."""
    users.logout(session, p)
    return Response(status_code=204)


@router.get("/auth/profile", response_model=Profile)
def get_profile(p: UserSession, session: DbSession) -> Profile:
    """The calling user and their team."""
    account = users.profile(session, p)
    return Profile.of(account.user, account.tenant)


@router.patch("/auth/profile", response_model=Profile)
def update_profile(p: UserSession, session: DbSession, body: ProfileUpdate) -> Profile:
    """Change the calling user's name or email (409 `EMAIL_TAKEN` if in use)."""
    account = users.update_profile(session, p, data=body.core())
    return Profile.of(account.user, account.tenant)


@router.post("/auth/change-password", response_model=PasswordChanged)
def change_password(p: UserSession, session: DbSession, body: ChangePassword) -> PasswordChanged:
    """Change the password; every other session of the user stops working.

    A wrong `currentPassword` is 400 `INVALID_PASSWORD` naming `currentPassword` (not
    401: the session itself is valid). The calling session keeps working.
    """
    revoked = users.change_password(
        session, p, current_password=body.current_password, new_password=body.new_password
    )
    return PasswordChanged(message="Password changed", revoked_sessions=revoked)


@router.post("/auth/forgot-password", response_model=Accepted, status_code=202)
def forgot_password(
    session: DbSession, settings: AppSettings, body: ForgotPassword, tasks: BackgroundTasks
) -> Accepted:
    """Mail a single-use reset link (valid 1 h); 202 whether or not the email exists.

    The link is `{PUBLIC_URL}/dashboard/reset-password?token=…` (the dashboard's reset
    page; a client of its own sends the token to `/auth/reset-password`). The mail goes
    out after the token is committed and after the response, so timing reveals nothing.
    """
    message = users.request_password_reset(
        session, email=body.email, public_url=settings.public_url
    )
    if message is not None:
        tasks.add_task(mail.deliver, settings, message)
    return Accepted(message="If an account has this email, a reset link is on its way")


@router.post("/auth/reset-password", response_model=PasswordChanged)
def reset_password(session: DbSession, body: ResetPassword) -> PasswordChanged:
    """Set a new password with a reset token; every session of the user ends.

    The token works once: a used or unknown token is 400 `RESET_TOKEN_INVALID`, an
    expired one 400 `RESET_TOKEN_EXPIRED`, both naming `token`.
    """
    revoked = users.reset_password(session, token=body.token, new_password=body.new_password)
    return PasswordChanged(message="Password reset; log in again", revoked_sessions=revoked)
