"""API keys: ``/api-keys`` — managed with an owner's or admin's session token only.

Keys cannot manage keys (403), nor can viewers. The plaintext key appears once, in
the answer to the POST that created it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from punchcard.api.common import ids
from punchcard.api.common.auth import AdminSession
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute, redact_on_replay
from punchcard.api.native.schemas.api_keys import (
    ApiKeyActivity,
    ApiKeyCall,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyRead,
)
from punchcard.identity import keys

router = APIRouter(route_class=UnitOfWorkRoute, tags=["API Keys"])


@router.get("/api-keys", response_model=ApiKeyList)
def list_api_keys(p: AdminSession, session: DbSession, page: PageParams) -> ApiKeyList:
    """List the team's API keys, revoked ones included (never their plaintext)."""
    rows, total = keys.list_keys(session, p, page=page)
    return ApiKeyList(
        api_keys=[ApiKeyRead.of(k) for k in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_api_key(
    p: AdminSession, session: DbSession, body: ApiKeyCreate, request: Request
) -> ApiKeyCreated:
    """Create an API key; `key` (the plaintext) is shown only in this response."""
    redact_on_replay(request, "key")
    new = keys.issue_key(
        session,
        p,
        name=body.name,
        scopes=body.scopes,
        preset=body.preset.value if body.preset else None,
        expires_at=body.expires_at,
    )
    return ApiKeyCreated.of(new.key, new.plaintext)


@router.get("/api-keys/{id}", response_model=ApiKeyRead)
def get_api_key(p: AdminSession, session: DbSession, id: str) -> ApiKeyRead:
    """Get one API key (never its plaintext)."""
    return ApiKeyRead.of(keys.get_key(session, p, key_id=ids.parse("key", id)))


@router.delete("/api-keys/{id}", status_code=204, response_class=Response)
def revoke_api_key(p: AdminSession, session: DbSession, id: str) -> Response:
    """Revoke an API key: its very next request gets 401."""
    keys.revoke_key(session, p, key_id=ids.parse("key", id))
    return Response(status_code=204)


@router.get("/api-keys/{id}/activity", response_model=ApiKeyActivity)
def api_key_activity(
    p: AdminSession, session: DbSession, request: Request, id: str, page: PageParams
) -> ApiKeyActivity:
    """Recent calls made with an API key, newest first."""
    # The audit log is written in batches; write out this process's pending records
    # first so the newest calls are listed.
    request.app.state.audit.flush()
    rows, total = keys.key_activity(session, p, key_id=ids.parse("key", id), page=page)
    return ApiKeyActivity(
        activity=[ApiKeyCall.of(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
