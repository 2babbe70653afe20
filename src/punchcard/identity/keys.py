"""API keys: ``fl_live_`` + 43 url-safe characters, stored only as a SHA-256 hash."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import NotFound, ValidationFailed
from punchcard.identity import cache as key_cache
from punchcard.identity.principal import Principal
from punchcard.identity.repository import ApiKeyRepository, AuditRepository
from punchcard.identity.scopes import PRESETS, expand
from punchcard.identity.service import API_KEY_PREFIX
from punchcard.kit.clock import as_utc
from punchcard.kit.crypto import hash_token, random_token
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.models import ApiKey, AuditRecord


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    plaintext: str


def create_key(
    session: Session,
    tenant_id: object,
    *,
    name: str,
    scopes: list[str] | None = None,
    preset: str | None = None,
    created_by: object = None,
    expires_at: datetime | None = None,
) -> NewKey:
    """Create a key; the plaintext is returned here and never again. ``expires_at``
    (a time in the future; naive is taken as UTC): refused like a revoked key from then."""
    if preset is not None and preset not in PRESETS:
        raise ValidationFailed(f"preset must be one of {', '.join(PRESETS)}", field="preset")
    try:
        resolved = expand(scopes, preset)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="scopes") from exc
    at = now(session)
    if expires_at is not None:
        try:
            expires_at = as_utc(expires_at)
        except OverflowError:  # 9999-12-31T23:00-05:00 is past the last UTC datetime
            raise ValidationFailed("expiresAt is out of range", field="expiresAt") from None
        if expires_at <= at:
            raise ValidationFailed("expiresAt must be in the future", field="expiresAt")
    plaintext = API_KEY_PREFIX + random_token(32)
    key = ApiKey(
        id=new_id(),
        tenant_id=tenant_id,
        name=name,
        prefix=plaintext[: len(API_KEY_PREFIX) + 6],
        key_hash=hash_token(plaintext),
        scopes=resolved,
        created_by=created_by,
        created_at=at,
        expires_at=expires_at,
    )
    session.add(key)
    session.flush()
    return NewKey(key, plaintext)


def issue_key(
    session: Session,
    principal: Principal,
    *,
    name: str,
    scopes: list[str] | None = None,
    preset: str | None = None,
    expires_at: datetime | None = None,
) -> NewKey:
    """A key for the caller's tenant, recorded as created by the calling user."""
    return create_key(
        session,
        principal.tenant_id,
        name=name,
        scopes=scopes,
        preset=preset,
        created_by=principal.user_id,
        expires_at=expires_at,
    )


def get_key(session: Session, principal: Principal, *, key_id: uuid.UUID) -> ApiKey:
    key = ApiKeyRepository(session, principal.tenant_id).get(key_id)
    if key is None:
        raise NotFound("API key not found", field="id")
    return key


def list_keys(session: Session, principal: Principal, *, page: Page) -> tuple[list[ApiKey], int]:
    """The tenant's keys, revoked ones included (with ``revokedAt``), oldest first."""
    return ApiKeyRepository(session, principal.tenant_id).list(page)


def revoke_key(session: Session, principal: Principal, *, key_id: uuid.UUID) -> ApiKey:
    """Revoke a key; every request after this transaction commits gets 401.

    Revoking a revoked key succeeds and keeps the first revocation time.
    """
    key = get_key(session, principal, key_id=key_id)
    if key.revoked_at is None:
        key.revoked_at = now(session)
        session.flush()
        # This process's cached principal goes once the revocation is committed; other
        # processes' entries expire within the cache's TTL (1 s).
        key_id_ = key.id
        event.listen(
            session, "after_commit", lambda _s: key_cache.api_keys.forget_key(key_id_), once=True
        )
    return key


def key_activity(
    session: Session, principal: Principal, *, key_id: uuid.UUID, page: Page
) -> tuple[list[AuditRecord], int]:
    """The calls made with a key, newest first (the seed's "recent activity")."""
    key = get_key(session, principal, key_id=key_id)
    key_uuid: uuid.UUID = key.id
    return AuditRepository(session, principal.tenant_id).for_key(key_uuid, page)
