"""Auth wire models: the bodies of ``/auth/*`` (passwords taken exactly as typed) and
the renderings of users (``usr_`` ids), profiles and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints

from punchcard.api.common import ids
from punchcard.api.native.schemas.settings import TeamRead
from punchcard.identity import schemas as core
from punchcard.identity.scopes import Role
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import Tenant, User

MIN_PASSWORD_LENGTH = 10

# Passwords are taken exactly as typed: never whitespace-stripped like other input.
# The upper bound keeps a hostile body from making argon2 hash megabytes.
NewPassword = Annotated[
    str,
    StringConstraints(strip_whitespace=False, min_length=MIN_PASSWORD_LENGTH, max_length=1024),
    Field(description=f"At least {MIN_PASSWORD_LENGTH} characters"),
]
GivenPassword = Annotated[
    str, StringConstraints(strip_whitespace=False, min_length=1, max_length=1024)
]
Name = Annotated[str, Field(min_length=1, max_length=200)]


# Users and sessions ----------------------------------------------------------------


class UserRead(Schema):
    id: str = Field(examples=["usr_0190f3c2a4b87c4e9a1b2c3d4e5f6a7b"])
    email: str
    name: str | None
    role: Role
    created_at: UtcTime

    @classmethod
    def of(cls, user: User) -> UserRead:
        return cls(
            id=ids.render("usr", user.id),
            email=user.email,
            name=user.name,
            role=Role(user.role),
            created_at=user.created_at,
        )


class Profile(Schema):
    user: UserRead
    team: TeamRead

    @classmethod
    def of(cls, user: User, tenant: Tenant) -> Profile:
        return cls(user=UserRead.of(user), team=TeamRead.of(tenant))


class AuthSession(Schema):
    """A new session: the token goes in ``Authorization: Bearer <token>``."""

    token: str = Field(description="Session token; shown only here")
    expires_at: UtcTime
    user: UserRead
    team: TeamRead

    @classmethod
    def of(cls, *, token: str, expires_at: datetime, user: User, tenant: Tenant) -> AuthSession:
        return cls(
            token=token,
            expires_at=expires_at,
            user=UserRead.of(user),
            team=TeamRead.of(tenant),
        )


class Register(InputSchema):
    email: EmailStr
    password: NewPassword
    name: Name | None = None
    team_name: Name | None = Field(default=None, description="Defaults to “<name or email>'s team”")


class Login(InputSchema):
    email: str = Field(min_length=1, max_length=320)
    password: GivenPassword


class ProfileUpdate(InputSchema):
    """PATCH: absent fields are left alone; ``name: null`` clears the name."""

    name: Name | None = None
    email: EmailStr | None = None

    def core(self) -> core.ProfileUpdate:
        """The fields sent, and only those (absent is not null)."""
        return core.ProfileUpdate(**self.model_dump(exclude_unset=True))


class ChangePassword(InputSchema):
    current_password: GivenPassword
    new_password: NewPassword


class ForgotPassword(InputSchema):
    email: EmailStr


class ResetPassword(InputSchema):
    token: str = Field(min_length=1, max_length=200)
    new_password: NewPassword


class PasswordChanged(Schema):
    message: str
    revoked_sessions: int = Field(description="Sessions of the user that stopped working")


class Accepted(Schema):
    message: str
