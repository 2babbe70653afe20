"""Identity schemas (native rendering): users, sessions, passwords, API keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints

from punchcard.identity.scopes import ALL_SCOPES, Role
from punchcard.kit.ids import render
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import ApiKey, AuditRecord, Tenant, User
from punchcard.tenants.schemas import TeamRead

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
            id=render("usr", user.id) or "",
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


# API keys --------------------------------------------------------------------------


class KeyPreset(StrEnum):
    read = "read"
    write = "write"


class ApiKeyCreate(InputSchema):
    name: Name
    scopes: list[str] | None = Field(
        default=None,
        max_length=len(ALL_SCOPES) + 2,
        description=(
            "`<resource>:read` / `<resource>:write` scopes (a write scope implies its read); "
            "with neither `scopes` nor `preset` the key gets every scope"
        ),
        examples=[["members:read", "points:write"]],
    )
    preset: KeyPreset | None = Field(
        default=None, description="`read`: every read scope; `write`: every scope"
    )


class ApiKeyRead(Schema):
    id: str = Field(examples=["key_0190f3c2a4b87c4e9a1b2c3d4e5f6a7b"])
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it")
    scopes: list[str]
    created_at: UtcTime
    last_used_at: UtcTime | None
    revoked_at: UtcTime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyRead:
        return cls(
            id=render("key", key.id) or "",
            name=key.name,
            prefix=key.prefix,
            scopes=list(key.scopes),
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyCreated(Schema):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: UtcTime
    key: str | None = Field(
        description="The plaintext key (`fl_live_…`): shown only in this response; "
        "null when the response is an Idempotency-Key replay (the secret is never stored)"
    )

    @classmethod
    def of(cls, key: ApiKey, plaintext: str) -> ApiKeyCreated:
        return cls(
            id=render("key", key.id) or "",
            name=key.name,
            prefix=key.prefix,
            scopes=list(key.scopes),
            created_at=key.created_at,
            key=plaintext,
        )


class ApiKeyList(Schema):
    api_keys: list[ApiKeyRead]
    total: int
    limit: int
    offset: int


class ApiKeyCall(Schema):
    """One recorded API call made with a key."""

    method: str
    path: str
    status: int
    latency_ms: float
    client_ip: str | None
    created_at: UtcTime

    @classmethod
    def of(cls, record: AuditRecord) -> ApiKeyCall:
        return cls(
            method=record.method,
            path=record.path,
            status=record.status,
            latency_ms=record.latency_ms,
            client_ip=record.client_ip,
            created_at=record.created_at,
        )


class ApiKeyActivity(Schema):
    activity: list[ApiKeyCall]
    total: int
    limit: int
    offset: int
