"""Who may use the MCP server: an API key with ``metrics:read``. Light on purpose (no
SDK import): the app and the CLI import it at start."""

from __future__ import annotations

from collections.abc import Mapping

from punchcard.db.uow import Database
from punchcard.errors import InsufficientScope, Unauthenticated
from punchcard.identity import service as identity
from punchcard.identity.principal import Principal

SCOPE = "metrics:read"


def api_key(token: str | None) -> str:
    """``token`` if it is spelled as an API key; Unauthenticated otherwise (no token, or
    another kind of credential)."""
    if not token:
        raise Unauthenticated("An API key is required (Authorization: Bearer fl_live_…)")
    if not token.startswith(identity.API_KEY_PREFIX):
        raise Unauthenticated("The MCP server takes an API key (fl_live_…)")
    return token


def scoped(found: Principal) -> Principal:
    """``found`` if it holds ``metrics:read``; InsufficientScope otherwise."""
    if not found.has(SCOPE):
        raise InsufficientScope(f"This API key lacks the {SCOPE} scope")
    return found


def principal(db: Database, token: str | None) -> Principal:
    """The principal of an API key with ``metrics:read``; Unauthenticated (no key, a bad,
    revoked or expired one) or InsufficientScope otherwise."""
    key = api_key(token)
    with db.transaction(write=False) as session:
        found = identity.authenticate(session, key)
    return scoped(found)


def bearer(headers: Mapping[str, str] | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header (names lower-cased), if any."""
    value = headers.get("authorization") if headers is not None else None
    if not value:
        return None
    scheme, _, token = str(value).partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None
