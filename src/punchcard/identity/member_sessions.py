"""Member sessions: a member signed in to the portal, an SSO widget or a magic link.

A session is a row (``member_sessions``); its token is handed out once and stored only
as its SHA-256, like API keys and user sessions. Tokens read
``fl_mbr_<tenant id hex>_<43 url-safe characters>``: the prefix tells them apart from
API keys (``fl_live_``) and user session tokens, and the tenant id lets the lookup be
tenant-scoped (``member_sessions`` is a domain table whose keys all lead with
tenant_id, see docs/architecture.md "Tenancy"); the random part is the secret.

A member token resolves to a member ``Principal`` (no scopes; it sees only its own
member). It is never cached: revoking a session, or banning its member, takes effect
on the next request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Forbidden, Unauthenticated, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.identity.repository import MemberSessionRepository
from punchcard.kit.crypto import hash_token, random_token
from punchcard.kit.ids import new_id
from punchcard.models import Member, MemberSession

MEMBER_SESSION_PREFIX = "fl_mbr_"
# The member portal's session cookie (set by ``punchcard.web`` when a magic link is
# consumed; read there and by the native face's ``/me`` routes). It holds a member
# token, never an API key: readers resolve it with :func:`resolve` only.
PORTAL_COOKIE = "punchcard_member"
_TENANT_HEX = 32
# members.schemas.MemberStatus.banned; spelled out because identity sits below members.
BANNED = "banned"


class MemberSessionKind(StrEnum):
    portal = "portal"
    sso = "sso"
    magic_link = "magic_link"


@dataclass(frozen=True)
class NewMemberSession:
    """A session just opened; ``token`` is its only plaintext copy."""

    row: MemberSession
    token: str


def is_member_token(token: str) -> bool:
    return token.startswith(MEMBER_SESSION_PREFIX)


def claimed_tenant(token: str) -> uuid.UUID | None:
    """The tenant a member token names (unverified: the token is not looked up), or
    None for anything else. For choosing a tenant's CORS origins: the answer to the
    request is computed from this very token, so a forged one reads nothing."""
    return _tenant_of(token) if is_member_token(token) else None


def _tenant_of(token: str) -> uuid.UUID | None:
    """The tenant a member token names, or None for anything malformed."""
    tenant_hex, sep, secret = token[len(MEMBER_SESSION_PREFIX) :].partition("_")
    if len(tenant_hex) != _TENANT_HEX or not sep or not secret:
        return None
    try:
        return uuid.UUID(hex=tenant_hex)
    except ValueError:
        return None


def open_session(
    session: Session, member: Member, *, kind: MemberSessionKind, ttl_seconds: int
) -> NewMemberSession:
    """Sign ``member`` in for ``ttl_seconds``; the token is returned here and never again.

    The caller found ``member`` through the member services (so in its tenant, and
    visible to it). A banned member cannot sign in (403 ``MEMBER_BANNED``).
    """
    if ttl_seconds <= 0:
        raise ValidationFailed("A session lasts a positive number of seconds", field="ttl")
    if member.status == BANNED:
        raise Forbidden("A banned member cannot sign in", code="MEMBER_BANNED")
    at = now(session)
    token = f"{MEMBER_SESSION_PREFIX}{member.tenant_id.hex}_{random_token(32)}"
    row = MemberSessionRepository(session, member.tenant_id).add(
        MemberSession(
            id=new_id(),
            member_id=member.id,
            kind=MemberSessionKind(kind).value,
            token_hash=hash_token(token),
            created_at=at,
            expires_at=at + timedelta(seconds=ttl_seconds),
        )
    )
    return NewMemberSession(row=row, token=token)


def resolve(session: Session, token: str) -> Principal:
    """The member principal behind a member token, or Unauthenticated: unknown,
    malformed, expired or revoked tokens, and every token of a banned member."""
    tenant_id = _tenant_of(token)
    found = (
        MemberSessionRepository(session, tenant_id).by_token(hash_token(token))
        if tenant_id is not None
        else None
    )
    if found is None:
        raise Unauthenticated("Invalid session token")
    row, status = found
    if row.revoked_at is not None or row.expires_at <= now(session) or status == BANNED:
        raise Unauthenticated("Session expired or revoked")
    return Principal.for_member(row.tenant_id, row.member_id, session_id=row.id)


def revoke(session: Session, principal: Principal, *, session_id: uuid.UUID) -> bool:
    """End one session of the principal's tenant; a member principal may end only its
    own member's sessions. False when there was no such live session."""
    repo = MemberSessionRepository(session, principal.tenant_id)
    return repo.revoke(session_id, at=now(session), member_id=principal.member_id) == 1


def sign_out(session: Session, principal: Principal) -> bool:
    """End the member session the principal came in with."""
    if not principal.is_member or principal.session_id is None:
        return False
    return revoke(session, principal, session_id=principal.session_id)


def revoke_all(session: Session, member: Member) -> int:
    """End every live session of ``member`` (it was banned, or signed out everywhere);
    the number ended. In the caller's transaction, so it commits with the change."""
    return MemberSessionRepository(session, member.tenant_id).revoke_for_member(
        member.id, at=now(session)
    )
