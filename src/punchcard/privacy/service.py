"""Erasure and export of one member's personal data (a data subject's request).

Erasure anonymises in place: the member row stays (the ledger, lots and orders point at
it, and `punchcard verify` proves its cached balances against them), its personal
fields are cleared, and everything that identifies or signs in the person is removed.
Amounts are never touched. The member is left ``banned``, which every sign-in path
already refuses, with ``erased_at`` set; erasing again changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, class_mapper

from punchcard.db.uow import now
from punchcard.events import data as event_data
from punchcard.events.service import emit, lane
from punchcard.identity.principal import Principal
from punchcard.members import service as members
from punchcard.members.event_data import member_data
from punchcard.members.schemas import MemberStatus
from punchcard.models import MagicLink, Member, MemberSession, SsoMapping
from punchcard.privacy.repository import BY_MEMBER, PrivacyRepository

# What erasure clears on the member row (None), beside status and erased_at.
ERASED_FIELDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "external_id",
    "metadata_",
    "profile_picture_url",
    "custom_auth_sub",
)
# Never exported: secrets (hashes of tokens that sign a member in).
SECRET_COLUMNS = frozenset({"token_hash"})


@dataclass(frozen=True)
class Erased:
    member: Member
    changed: bool  # False: the member had been erased already


def erase(session: Session, principal: Principal, *, member_id: uuid.UUID) -> Erased:
    """Anonymise the member in place (NotFound for another tenant's id); emits
    ``member.updated`` once, in this transaction."""
    member = members.lock(session, principal, member_id=member_id)
    if member.erased_at is not None:
        return Erased(member, changed=False)
    at = now(session)
    for attr in ERASED_FIELDS:
        setattr(member, attr, None)
    member.is_email_verified = False
    member.status = MemberStatus.banned.value
    member.erased_at = at
    member.updated_at = at
    repo = PrivacyRepository(session, principal.tenant_id)
    # Sign-in material goes: sessions, magic links, SSO mappings (with the external
    # customer's email and name). Then the visitor ids that could re-identify the person.
    for model in (MemberSession, MagicLink, SsoMapping):
        repo.delete_for(model, member.id)
    repo.forget_visitors(member.id)
    session.flush()
    emit(
        session,
        principal.tenant_id,
        "member.updated",
        member_data(session, member),
        resource_id=lane("mem", member.id),
    )
    return Erased(member, changed=True)


def export(session: Session, principal: Principal, *, member_id: uuid.UUID) -> dict[str, Any]:
    """Everything held about the member, as neutral JSON-safe data: the member row and,
    per section, every row naming it (columns by name; token hashes left out)."""
    member = members.get(session, principal, member_id=member_id)
    repo = PrivacyRepository(session, principal.tenant_id)
    out: dict[str, Any] = {"member": _row(member)}
    found = {section: repo.rows_of(model, member.id) for section, model in BY_MEMBER.items()}
    for section, rows in found.items():
        out[section] = [_row(r) for r in rows]
    refunds = repo.refunds_of([o.id for o in found["orders"]])
    out["refunds"] = [_row(r) for r in refunds]
    codes = [c.id for c in found["referralCodes"]]
    out["referralEvents"] = [_row(r) for r in repo.referral_events_of(member.id, codes)]
    out["exportedAt"] = event_data.value(now(session))
    return out


def _row(row: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for attr in class_mapper(type(row)).column_attrs:
        if attr.key in SECRET_COLUMNS or attr.key == "tenant_id":
            continue
        values[attr.key.rstrip("_")] = event_data.value(getattr(row, attr.key))
    return values
