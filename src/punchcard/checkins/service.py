"""Check-in use cases: the portal's token for a member, and a register's scan of it.

``check_in`` (an API key with ``captures:write``): reads the scanned token
(``tokens.py``); a malformed, forged or expired one is a 400
``INVALID_CHECKIN_TOKEN`` naming ``qr``, and a valid token of another tenant a 404
naming ``qr``: neither looks a member up. A banned member is a 403 ``MEMBER_BANNED``.
Then the member is checked in at the store through the captures core
(``members.captures.checkin``): one capture per member, store and tenant-local day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from punchcard.checkins import tokens
from punchcard.db.uow import now
from punchcard.errors import Forbidden, NotFound, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.members import captures
from punchcard.members import service as members
from punchcard.members.schemas import MemberStatus
from punchcard.models import Capture, Member

INVALID_TOKEN = "INVALID_CHECKIN_TOKEN"  # noqa: S105 - an error code


@dataclass(frozen=True)
class CheckedIn:
    member_id: uuid.UUID
    capture: Capture
    is_new_capture: bool


def token_for(session: Session, member: Member, *, secret_key: str) -> str:
    """A fresh check-in token for ``member`` (the portal's QR code)."""
    return tokens.mint(secret_key, tenant_id=member.tenant_id, member_id=member.id, at=now(session))


def check_in(
    session: Session,
    principal: Principal,
    *,
    qr: str,
    store_ref: uuid.UUID | str,
    secret_key: str,
) -> CheckedIn:
    """Check the member a scanned token names in at a store (by id or by code)."""
    try:
        claims = tokens.read(secret_key, qr, at=now(session))
    except tokens.InvalidToken:
        raise ValidationFailed(
            "qr is not a valid check-in code: ask the member to refresh their portal page",
            field="qr",
            code=INVALID_TOKEN,
        ) from None
    if claims.tenant_id != principal.tenant_id:
        raise NotFound("No member of yours has this check-in code", field="qr")
    member = members.get(session, principal, member_id=claims.member_id, field="qr")
    if member.status == MemberStatus.banned.value:
        raise Forbidden("This member is banned and cannot check in", code="MEMBER_BANNED")
    capture, created = captures.checkin(
        session, principal, member_id=claims.member_id, store_ref=store_ref
    )
    return CheckedIn(member_id=claims.member_id, capture=capture, is_new_capture=created)
