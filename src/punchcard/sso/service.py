"""SSO use cases: ``recognize`` a customer signed in on the merchant's site, and the
customer mappings behind it.

The merchant's server signs ``"{businessId}:{externalCustomerId}:{timestamp}"`` with
HMAC-SHA256 keyed by the tenant's SSO secret (``tenants.service.rotate_sso``) and hands
the four values to its widget, which calls ``recognize`` through the merchant's API
key. The answer is the member and a member session token (``identity.member_sessions``,
kind ``sso``): a member principal, for the portal and widgets only.

Every refusal of the proof is a 401 (``Unauthenticated``) with its own code and the
field to blame: a ``businessId`` that is not the calling key's tenant's partner id, a
tenant with no SSO secret, a timestamp outside ±300 s of now, a signature that does not
match, or one accepted before. Malformed input is a 400 naming the field.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Conflict, DuplicateMember, Unauthenticated, ValidationFailed
from punchcard.identity.member_sessions import MemberSessionKind, open_session
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.members import service as members
from punchcard.members.repository import MemberRepository
from punchcard.members.schemas import CaptureSource
from punchcard.members.visibility import refuse_listing
from punchcard.models import Member, SsoMapping
from punchcard.sso.repository import MappingRepository, SignatureRepository
from punchcard.tenants.service import get_tenant

# A signature is accepted while now is within this many seconds of its timestamp.
WINDOW_SECONDS = 300
# How long the widget's member session lasts.
SESSION_SECONDS = 24 * 3600
MAX_EXTERNAL_ID = 255
MAX_NAME = 200
_HEX64 = re.compile(r"[0-9a-f]{64}")
# Unix seconds a datetime can hold (years 1..9999), so a wild value is a 400, not a 500.
_MIN_TS, _MAX_TS = -62_135_596_800, 253_402_300_799


def message(business_id: str, external_customer_id: str, timestamp: int) -> bytes:
    """What is signed: ``"{businessId}:{externalCustomerId}:{timestamp}"`` in UTF-8."""
    return f"{business_id}:{external_customer_id}:{timestamp}".encode()


def sign(secret: str, business_id: str, external_customer_id: str, timestamp: int) -> str:
    """The signature ``recognize`` expects: lowercase hex HMAC-SHA256."""
    key = secret.encode()
    return hmac.new(
        key, message(business_id, external_customer_id, timestamp), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class Recognized:
    member: Member
    token: str
    enrolled: bool


def _text(value: str, field: str, *, max_len: int, required: bool = True) -> str | None:
    if "\x00" in value:
        raise ValidationFailed(f"{field} must not contain NUL characters", field=field)
    value = value.strip()
    if not value:
        if required:
            raise ValidationFailed(f"{field} is required", field=field)
        return None
    if len(value) > max_len:
        raise ValidationFailed(f"{field} is at most {max_len} characters", field=field)
    return value


def _check_input(
    business_id: str, external_customer_id: str, timestamp: int, signature: str
) -> tuple[str, str, str]:
    business = _text(business_id, "businessId", max_len=64)
    external = _text(external_customer_id, "externalCustomerId", max_len=MAX_EXTERNAL_ID)
    if not _MIN_TS <= timestamp <= _MAX_TS:
        raise ValidationFailed("timestamp is not a plausible unix time", field="timestamp")
    # Lowercase is the contract; upper case is the same signature (and the same
    # replay-protection row), so it is folded rather than refused.
    sig = signature.strip().lower()
    if not _HEX64.fullmatch(sig):
        raise ValidationFailed("signature is 64 hexadecimal characters", field="signature")
    assert business is not None and external is not None
    return business, external, sig


def _verify(
    session: Session, principal: Principal, business: str, external: str, timestamp: int, sig: str
) -> datetime:
    """The proof's checks, in order; the signed time on success."""
    tenant = get_tenant(session, principal.tenant_id)
    if not hmac.compare_digest(business.encode(), tenant.partner_id.encode()):
        raise Unauthenticated(
            "businessId is not the business of this API key", field="businessId",
            code="SSO_BUSINESS_MISMATCH",
        )  # fmt: skip
    if not tenant.sso_secret:
        raise Unauthenticated(
            "SSO is not configured: set a secret with POST /api/v2/settings/sso-secret",
            code="SSO_NOT_CONFIGURED",
        )
    at = now(session)
    signed_at = datetime.fromtimestamp(timestamp, UTC)
    if abs((at - signed_at).total_seconds()) > WINDOW_SECONDS:
        raise Unauthenticated(
            f"timestamp is more than {WINDOW_SECONDS} seconds from now", field="timestamp",
            code="SSO_TIMESTAMP_EXPIRED",
        )  # fmt: skip
    expected = sign(tenant.sso_secret, business, external, timestamp)
    if not hmac.compare_digest(expected, sig):
        raise Unauthenticated(
            "signature does not match", field="signature", code="SSO_INVALID_SIGNATURE"
        )
    if not SignatureRepository(session, tenant.id).claim(sig, signed_at=signed_at, at=at):
        raise Unauthenticated(
            "signature was already used", field="signature", code="SSO_SIGNATURE_REPLAYED"
        )
    return signed_at


def recognize(
    session: Session,
    principal: Principal,
    *,
    business_id: str,
    external_customer_id: str,
    timestamp: int,
    signature: str,
) -> Recognized:
    """The member a signed customer is, enrolled (and mapped) if new, signed in.

    All in the caller's transaction: the signature's row, the enrolment, the mapping
    and the session commit together or not at all (a refused request consumes nothing).
    """
    business, external, sig = _check_input(business_id, external_customer_id, timestamp, signature)
    _verify(session, principal, business, external, timestamp, sig)
    member, enrolled = _resolve(session, principal, external)
    opened = open_session(session, member, kind=MemberSessionKind.sso, ttl_seconds=SESSION_SECONDS)
    return Recognized(member=member, token=opened.token, enrolled=enrolled)


def _resolve(session: Session, principal: Principal, external: str) -> tuple[Member, bool]:
    """The mapped member; else the member with this external id, else a new one; mapped.

    Concurrent first recognitions of one customer: on SQLite writers run one at a time,
    so the second sees the first's rows. On PostgreSQL both may miss; the member's
    unique external id then makes the loser's enrolment fail (after the winner commits)
    and it takes the winner's member, and the mapping's unique key does the same for
    the mapping: one member, one mapping."""
    repo = MappingRepository(session, principal.tenant_id)
    mapping = repo.by_external_id(external)
    if mapping is not None:
        return members.get(session, principal, member_id=mapping.member_id), False
    member, enrolled = _member_for(session, principal, external)
    mapping = SsoMapping(
        id=new_id(), member_id=member.id, external_customer_id=external, created_at=now(session)
    )
    if not repo.insert(mapping):
        found = repo.by_external_id(external)
        if found is None:  # pragma: no cover - the unique key refused it, so it exists
            raise Conflict("The mapping was changed concurrently; retry")
        return members.get(session, principal, member_id=found.member_id), False
    return member, enrolled


def _member_for(session: Session, principal: Principal, external: str) -> tuple[Member, bool]:
    existing = MemberRepository(session, principal.tenant_id).get_by_external_id(external)
    if existing is not None:
        return existing, False
    data = members.NewMember(external_id=external, source=CaptureSource.web)
    try:
        return members.enroll(session, principal, data=data), True
    except DuplicateMember as exc:
        # Lost the race to a concurrent enrolment of the same external id.
        if exc.field != "externalId":
            raise
        winner = MemberRepository(session, principal.tenant_id).get_by_external_id(external)
        if winner is None:  # pragma: no cover - the duplicate was reported, so it exists
            raise
        return winner, False


# Mappings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMapping:
    member_id: uuid.UUID
    external_customer_id: str
    external_email: str | None = None
    external_name: str | None = None


def create_mapping(
    session: Session, principal: Principal, *, data: NewMapping, member_field: str = "memberId"
) -> SsoMapping:
    """Map an external customer to an existing member (404 naming ``member_field``, the
    face's name for the member, when there is no such member; 409 ``DUPLICATE_MAPPING``
    naming ``externalCustomerId`` when the customer is mapped already)."""
    external = _text(data.external_customer_id, "externalCustomerId", max_len=MAX_EXTERNAL_ID)
    email = (
        _text(data.external_email, "externalEmail", max_len=320, required=False)
        if data.external_email is not None
        else None
    )
    if email is not None:
        email = members.normalize_email(email, field="externalEmail")
    name = (
        _text(data.external_name, "externalName", max_len=MAX_NAME, required=False)
        if data.external_name is not None
        else None
    )
    member = members.get(session, principal, member_id=data.member_id, field=member_field)
    assert external is not None
    repo = MappingRepository(session, principal.tenant_id)
    mapping = SsoMapping(
        id=new_id(),
        member_id=member.id,
        external_customer_id=external,
        external_email=email,
        external_name=name,
        created_at=now(session),
    )
    if not repo.insert(mapping):
        raise Conflict(
            "This externalCustomerId is already mapped",
            field="externalCustomerId", code="DUPLICATE_MAPPING",
        )  # fmt: skip
    return mapping


def list_mappings(session: Session, principal: Principal, *, page: Page) -> list[SsoMapping]:
    """A page of the tenant's mappings, oldest first (one statement)."""
    refuse_listing(principal)
    return MappingRepository(session, principal.tenant_id).list_page(page)


def page_mappings(
    session: Session, principal: Principal, *, page: Page
) -> tuple[list[SsoMapping], int]:
    """:func:`list_mappings` and the number of mappings (for faces that show a total)."""
    refuse_listing(principal)
    return MappingRepository(session, principal.tenant_id).page_with_total(page)
