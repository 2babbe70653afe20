"""API key wire models: the body of ``POST /api-keys`` and the renderings of keys
(``key_…`` ids) and of the calls made with them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from punchcard.api.common import ids
from punchcard.api.native.schemas.auth import Name
from punchcard.identity.schemas import KeyPreset
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import ApiKey, AuditRecord


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
    expires_at: datetime | None = Field(
        default=None,
        description="ISO-8601 date-time in the future (no offset: UTC); from then the key "
        "is refused like a revoked one (401). Omitted: the key never expires",
        examples=["2027-01-01T00:00:00Z"],
    )


class ApiKeyRead(Schema):
    id: str = Field(examples=["key_0190f3c2a4b87c4e9a1b2c3d4e5f6a7b"])
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it")
    scopes: list[str]
    created_at: UtcTime
    last_used_at: UtcTime | None
    revoked_at: UtcTime | None
    expires_at: UtcTime | None = Field(description="When the key stops working; null: never")

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyRead:
        return cls(
            id=ids.render("key", key.id),
            name=key.name,
            prefix=key.prefix,
            scopes=list(key.scopes),
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
            expires_at=key.expires_at,
        )


class ApiKeyCreated(Schema):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: UtcTime
    expires_at: UtcTime | None
    key: str | None = Field(
        description="The plaintext key (`fl_live_…`): shown only in this response; "
        "null when the response is an Idempotency-Key replay (the secret is never stored)"
    )

    @classmethod
    def of(cls, key: ApiKey, plaintext: str) -> ApiKeyCreated:
        return cls(
            id=ids.render("key", key.id),
            name=key.name,
            prefix=key.prefix,
            scopes=list(key.scopes),
            created_at=key.created_at,
            expires_at=key.expires_at,
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
