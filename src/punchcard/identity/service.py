"""Authentication: resolve a bearer credential to a Principal.

API keys (``fl_live_…``), member session tokens (``fl_mbr_…``, see
``member_sessions.py``) and user session tokens are looked up by the SHA-256 of the
presented token; nothing stored can be replayed as a credential.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Unauthenticated
from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import scopes_for_role
from punchcard.kit.crypto import hash_token
from punchcard.models import ApiKey, User, UserSession

API_KEY_PREFIX = "fl_live_"


def authenticate(session: Session, token: str) -> Principal:
    """The principal behind a bearer token, or Unauthenticated."""
    if not token:
        raise Unauthenticated()
    digest = hash_token(token)
    at = now(session)
    if token.startswith(API_KEY_PREFIX):
        key = session.scalars(select(ApiKey).where(ApiKey.key_hash == digest)).first()
        if key is None or key.revoked_at is not None:
            raise Unauthenticated("Invalid or revoked API key")
        if key.expires_at is not None and key.expires_at <= at:
            raise Unauthenticated("Expired API key")
        return Principal(
            tenant_id=key.tenant_id,
            scopes=frozenset(key.scopes),
            api_key_id=key.id,
            expires_at=key.expires_at,
        )
    if member_sessions.is_member_token(token):
        # A member principal: no scopes, so every API route answers it 403.
        return member_sessions.resolve(session, token)
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == digest)
    ).first()
    if row is None:
        raise Unauthenticated("Invalid session token")
    user_session, user = row
    if user_session.revoked_at is not None or user_session.expires_at <= at:
        raise Unauthenticated("Session expired or revoked")
    return Principal(
        tenant_id=user.tenant_id,
        scopes=scopes_for_role(user.role),
        user_id=user.id,
        role=user.role,
        session_id=user_session.id,
    )
