"""API keys: ``fl_live_`` + 43 url-safe characters, stored only as a SHA-256 hash."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import NotFound, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import expand
from punchcard.identity.service import API_KEY_PREFIX
from punchcard.kit.crypto import hash_token, random_token
from punchcard.kit.ids import new_id, parse
from punchcard.kit.paging import Page
from punchcard.models import ApiKey


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
) -> NewKey:
    """Create a key; the plaintext is returned here and never again."""
    try:
        resolved = expand(scopes, preset)
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), field="preset" if "preset" in str(exc) else "scopes"
        ) from exc
    plaintext = API_KEY_PREFIX + random_token(32)
    key = ApiKey(
        id=new_id(),
        tenant_id=tenant_id,
        name=name,
        prefix=plaintext[: len(API_KEY_PREFIX) + 6],
        key_hash=hash_token(plaintext),
        scopes=resolved,
        created_by=created_by,
        created_at=now(session),
    )
    session.add(key)
    session.flush()
    return NewKey(key, plaintext)


def list_keys(session: Session, principal: Principal, *, page: Page) -> tuple[list[ApiKey], int]:
    from sqlalchemy import func

    stmt = select(ApiKey).where(ApiKey.tenant_id == principal.tenant_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(ApiKey.created_at, ApiKey.id).limit(page.limit).offset(page.offset)
    )
    return list(rows), int(total)


def revoke_key(session: Session, principal: Principal, *, key_id: str) -> ApiKey:
    key_uuid = parse("key", key_id)
    key = None
    if key_uuid is not None:
        key = session.scalars(
            select(ApiKey).where(ApiKey.tenant_id == principal.tenant_id, ApiKey.id == key_uuid)
        ).first()
    if key is None:
        raise NotFound("API key not found", field="id")
    if key.revoked_at is None:
        key.revoked_at = now(session)
        session.flush()
    return key
