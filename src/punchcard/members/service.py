"""Member use cases: look up, enrol, update, batch upsert, render.

Identities (email, phone, externalId) are normalised here, once, so every face finds
the same member by the same input: emails lower-cased, phones in E.164, read in the
tenant's country when written without a country code (``members.phones``).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypedDict

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from punchcard.db.uow import now
from punchcard.errors import Conflict, DuplicateMember, NotFound, ValidationFailed
from punchcard.events import data as event_data
from punchcard.events.service import emit, lane
from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.members import captures, phones, views
from punchcard.members import metadata as member_metadata
from punchcard.members.event_data import joined_data, member_data
from punchcard.members.phones import normalize_phone
from punchcard.members.repository import MemberFilters, MemberRepository
from punchcard.members.schemas import CaptureSource, MemberStatus
from punchcard.members.visibility import may_see, refuse_listing, visible
from punchcard.models import Member, ReferralCode, Store, Tier
from punchcard.stores import service as stores
from punchcard.tenants.snapshot import snapshot

# No 0/O/1/I: codes are read aloud at a till and typed from receipts.
REFERRAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERRAL_LENGTH = 8

_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_PHONE_LIKE = re.compile(r"[0-9\s().+\-/]+")

# Wire name of each identity attribute, for error fields.
_WIRE = {"email": "email", "phone": "phone", "external_id": "externalId"}


# Inputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMember:
    """A member to enrol: at least one of ``email``, ``phone`` or ``external_id``.
    ``store_id``: the enrolling store's id, or its code."""

    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    external_id: str | None = None
    store_id: uuid.UUID | str | None = None
    source: CaptureSource = CaptureSource.api
    metadata: dict[str, Any] | None = None
    # The referral code the member joined through (a friend's link or code): their
    # first order converts it (``ambassador.referrals``). Unknown: 404 ``referredBy``.
    referred_by: str | None = None


class MemberChanges(TypedDict, total=False):
    """A member's changes: absent keys are untouched, ``None`` clears."""

    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    external_id: str | None
    status: MemberStatus | None
    metadata: dict[str, Any] | None
    # Only for a tenant with custom auth (the brand's own sign-in vouches for it).
    is_email_verified: bool


# Identities ------------------------------------------------------------------------


def normalize_email(raw: str, *, field: str = "email") -> str:
    """A syntactically valid address, lower-cased; else a 400 naming ``field``."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(f"{field} is not a valid email address: {exc}", field=field) from exc
    return result.normalized.lower()


@dataclass(frozen=True)
class Identities:
    email: str | None = None
    phone: str | None = None
    external_id: str | None = None

    @classmethod
    def of(
        cls, email: str | None, phone: str | None, external_id: str | None, *, country: str
    ) -> Identities:
        return cls(
            email=normalize_email(email) if email is not None else None,
            phone=normalize_phone(phone, country=country) if phone is not None else None,
            external_id=external_id,
        )

    def any(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


def _refuse_clash(repo: MemberRepository, ids: Identities, *, exclude: Any = None) -> None:
    """DuplicateMember naming the first identity (email, phone, externalId) already held."""
    holders = repo.find_by_identities(
        email=ids.email, phone=ids.phone, external_id=ids.external_id, exclude=exclude
    )
    refuse_held(ids, holders)


def refuse_held(ids: Identities, holders: Sequence[Member]) -> None:
    """DuplicateMember naming the first of ``ids`` (email, phone, externalId) that one
    of ``holders`` (other members) holds."""
    for attr in ("email", "phone", "external_id"):
        value = getattr(ids, attr)
        for other in holders:
            if value is not None and getattr(other, attr) == value:
                raise DuplicateMember(
                    f"A member with this {_WIRE[attr]} already exists",
                    field=_WIRE[attr],
                    extra={"existingId": other.id},
                )


@contextmanager
def _identity_guard(
    session: Session, repo: MemberRepository, ids: Identities, *, exclude: Any = None
) -> Iterator[None]:
    """Write identities in a savepoint, so that a uniqueness race lost to another
    process (it committed between our check and our insert) is still reported as
    DUPLICATE_MEMBER naming the field, and the caller's transaction stays usable."""
    savepoint = session.begin_nested()
    try:
        yield
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        _refuse_clash(repo, ids, exclude=exclude)
        raise Conflict("The member was changed concurrently; retry") from None
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()


def _referral_code() -> str:
    return "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(REFERRAL_LENGTH))


def generate_referral_code(session: Session, principal: Principal) -> str:
    """A short referral code not yet used in the tenant (member or affiliate codes)."""
    repo = MemberRepository(session, principal.tenant_id)
    for _ in range(10):
        code = _referral_code()
        if not repo.referral_code_taken(code):
            return code
    raise Conflict("Could not allocate a unique referral code; retry")  # pragma: no cover


def generate_referral_codes(session: Session, principal: Principal, count: int) -> list[str]:
    """``count`` distinct codes not yet used in the tenant, checked in one query (a
    second one in the unlikely case one was taken)."""
    repo = MemberRepository(session, principal.tenant_id)
    codes: set[str] = set()
    for _ in range(10):
        fresh = {_referral_code() for _ in range(count - len(codes))} - codes
        codes |= fresh - repo.referral_codes_taken(fresh)
        if len(codes) == count:
            return list(codes)
    raise Conflict("Could not allocate unique referral codes; retry")  # pragma: no cover


# Reading ---------------------------------------------------------------------------


def get(
    session: Session, principal: Principal, *, member_id: uuid.UUID, field: str = "id"
) -> Member:
    """The member, or NotFound (also for another tenant's id)."""
    member = MemberRepository(session, principal.tenant_id).get(member_id)
    return visible(principal, member, field=field)


def lock(
    session: Session, principal: Principal, *, member_id: uuid.UUID, field: str = "id"
) -> Member:
    """The member row locked for a balance change, or NotFound."""
    member = MemberRepository(session, principal.tenant_id).lock_by_id(member_id)
    return visible(principal, member, field=field)


def lock_many(
    session: Session, principal: Principal, *, member_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Member]:
    """``lock`` for a batch: the members (those the caller may see) locked in one
    statement, by id. A missing id is absent: pass it to ``visible`` for the NotFound."""
    found = MemberRepository(session, principal.tenant_id).lock_many(member_ids)
    return {m.id: m for m in found if may_see(principal, m.id)}


def profiles(
    session: Session, principal: Principal, members: Sequence[Member]
) -> list[views.MemberProfile]:
    """The members with their tags and tiers (``members.views``, in two queries whatever
    their number, without points), as faces render them."""
    return views.profiles_of(session, principal, members, points=False)


def profile(session: Session, principal: Principal, member: Member) -> views.MemberProfile:
    """The member as faces render it (and as webhook bodies carry it)."""
    return profiles(session, principal, [member])[0]


def read(session: Session, principal: Principal, *, member_id: uuid.UUID) -> views.MemberProfile:
    return profile(session, principal, get(session, principal, member_id=member_id))


def read_row(
    session: Session, principal: Principal, *, member_id: uuid.UUID, field: str = "id"
) -> views.MemberRow:
    """The member as a face shows it on its own, in one statement (``views.member_row``:
    the tenant's, and one the caller may see), or NotFound as :func:`get` answers."""
    row = views.member_row(session, principal, member_id)
    if row is None:
        raise NotFound("Member not found", field=field)
    return row


async def read_row_on_loop(
    session: Session, principal: Principal, *, member_id: uuid.UUID, field: str = "id"
) -> views.MemberRow:
    """:func:`read_row` run on the event loop (``views.member_row_on_loop``): the same
    row, or the same NotFound."""
    row = await views.member_row_on_loop(session, principal, member_id)
    if row is None:
        raise NotFound("Member not found", field=field)
    return row


def get_by_email(
    session: Session, principal: Principal, *, email: str, field: str = "email"
) -> Member:
    """The member holding ``email`` (normalised as at enrolment), or NotFound naming
    ``field``. A malformed address is simply not found: this is a lookup."""
    try:
        normalized = normalize_email(email, field=field)
    except ValidationFailed:
        normalized = None
    found = (
        MemberRepository(session, principal.tenant_id).get_by_email(normalized)
        if normalized
        else None
    )
    return visible(principal, found, field=field)


def get_by_external_id(
    session: Session, principal: Principal, *, external_id: str, field: str = "externalId"
) -> Member:
    """The member with your system's customer id ``external_id``, or NotFound."""
    found = MemberRepository(session, principal.tenant_id).get_by_external_id(external_id)
    return visible(principal, found, field=field)


def find(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    enrolled_from: datetime | None = None,
    enrolled_until: datetime | None = None,
    active_from: datetime | None = None,
    active_until: datetime | None = None,
) -> tuple[list[Member], int]:
    """Member rows (oldest enrolment first) enrolled, or last active, in half-open UTC
    windows ``[from, until)``; for faces that render members in their own shape."""
    refuse_listing(principal)
    filters = MemberFilters(
        enrolled_from=enrolled_from,
        enrolled_until=enrolled_until,
        active_from=active_from,
        active_until=active_until,
    )
    return MemberRepository(session, principal.tenant_id).search(page, filters)


def _filter_text(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    if "\x00" in value:
        raise ValidationFailed(f"{field} must not contain NUL characters", field=field)
    return value.strip()


def list_members(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    status: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    external_id: str | None = None,
    tier: uuid.UUID | str | None = None,
    tag: str | None = None,
    q: str | None = None,
    name_or_email: str | None = None,
    name_or_email_field: str = "search",
    newest_first: bool = False,
) -> tuple[list[views.MemberProfile], int]:
    """Members matching every given filter (``tier``: a tier id, or a tier name;
    ``q``: a substring of email, name, phone or externalId; ``name_or_email``: of the
    email or the full name only), oldest enrolment first (``newest_first``: newest
    first). An email, phone or externalId lookup is a single probe of that identity's
    unique index."""
    refuse_listing(principal)
    email = _filter_text(email, "email")
    phone = _filter_text(phone, "phone")
    tier_id = tier if isinstance(tier, uuid.UUID) else None
    tier_name = _filter_text(tier, "tier") if isinstance(tier, str) else None
    tag = _filter_text(tag, "tag")
    q = _filter_text(q, "q")
    filters = MemberFilters(
        status=status,
        email=email.lower() if email else None,
        phone=normalize_phone(phone, country=phones.country(session, principal.tenant_id))
        if phone
        else None,
        external_id=_filter_text(external_id, "externalId"),
        tier_id=tier_id,
        tier_name=tier_name,
        tag=tag.lower() if tag else None,
        q=q,
        q_phone=_PHONE_SEPARATORS.sub("", q) if q and _PHONE_LIKE.fullmatch(q) else None,
        name_or_email=_filter_text(name_or_email, name_or_email_field),
    )
    repo = MemberRepository(session, principal.tenant_id)
    rows, total = repo.search(page, filters, newest_first=newest_first)
    return profiles(session, principal, rows), total


# Names -----------------------------------------------------------------------------

NAME_PART_MAX = 100  # members.first_name / last_name


def split_name(name: str | None, *, field: str = "name") -> tuple[str | None, str | None]:
    """A single ``name`` (the advocate document's) as (first name, last name): the
    first word, and the rest as written (``"Ada King Lovelace"`` → ``("Ada", "King
    Lovelace")``); one word has no last name; a blank name is no name. A part longer
    than the columns hold is a 400 naming ``field``."""
    words = (name or "").split(None, 1)
    if not words:
        return None, None
    first = words[0]
    last = words[1].strip() if len(words) > 1 else None
    if len(first) > NAME_PART_MAX or (last is not None and len(last) > NAME_PART_MAX):
        raise ValidationFailed(
            f"{field}: each of the first word and the rest may have at most "
            f"{NAME_PART_MAX} characters",
            field=field,
        )
    return first, last or None


def full_name(first_name: str | None, last_name: str | None) -> str | None:
    """First and last name joined by one space (:func:`split_name`'s inverse on a name
    it split), or None when both are empty."""
    return " ".join(p for p in (first_name, last_name) if p) or None


# Writing ---------------------------------------------------------------------------


def enroll(session: Session, principal: Principal, *, data: NewMember) -> Member:
    """Enrol a new member: the one way members come to exist, whatever the face.

    Normalises and de-duplicates identities (409 DUPLICATE_MEMBER with ``existingId``),
    assigns the default tier and a referral code, records the enrolment capture and
    emits ``member.created``.
    """
    # The tenant's country only when a phone needs it (a snapshot read otherwise spared).
    where = phones.country(session, principal.tenant_id) if data.phone is not None else ""
    ids = require_identity(Identities.of(data.email, data.phone, data.external_id, country=where))
    store = stores.resolve(session, principal, data.store_id)
    repo = MemberRepository(session, principal.tenant_id)
    _refuse_clash(repo, ids)
    tier = repo.default_tier()
    at = now(session)
    code = generate_referral_code(session, principal)
    member = new_member(principal, data, ids, store, tier, code, at)
    member.referred_by_code_id = referred_by(repo, data)
    with _identity_guard(session, repo, ids):
        session.add(member)
    repo.add_referral_code(member_code(member, at))
    captures.record(
        session,
        principal,
        member=member,
        source=data.source.value,
        store_id=member.store_id,
        is_new_member=True,
    )
    type_, payload, resource_id = member_created(member, tier)
    emit(session, principal.tenant_id, type_, payload, resource_id=resource_id)
    return member


# The steps of ``enroll`` and ``_upsert`` that ``members.batch`` shares, so one member
# and a batch of them follow the same rules.


def require_identity(ids: Identities) -> Identities:
    """A new member's identities; a 400 when there are none."""
    if not ids.any():
        raise ValidationFailed("Provide at least one of email, phone or externalId", field="email")
    return ids


def new_member(
    principal: Principal,
    data: NewMember,
    ids: Identities,
    store: Store | None,
    tier: Tier | None,
    referral_code: str,
    at: datetime,
) -> Member:
    return Member(
        tenant_id=principal.tenant_id,
        id=new_id(),
        email=ids.email,
        phone=ids.phone,
        external_id=ids.external_id,
        first_name=data.first_name,
        last_name=data.last_name,
        status=MemberStatus.active.value,
        source=data.source.value,
        store_id=store.id if store else None,
        referral_code=referral_code,
        metadata_=member_metadata.check(data.metadata),
        is_email_verified=False,
        tier_id=tier.id if tier else None,
        tier_manual=False,
        points_balance=0,
        pending_points=0,
        lifetime_points=0,
        points_debt=0,
        enrolled_at=at,
        last_activity_at=at,
        created_at=at,
        updated_at=at,
    )


def referred_by(repo: MemberRepository, data: NewMember) -> uuid.UUID | None:
    """The id of the referral code a new member joined through (404 when unknown)."""
    if data.referred_by is None:
        return None
    found = repo.referral_code_id(data.referred_by)
    if found is None:
        raise NotFound("Unknown referral code", field="referredBy")
    return found


def member_code(member: Member, at: datetime) -> ReferralCode:
    """The member's own referral code row."""
    assert member.referral_code is not None
    return ReferralCode(
        tenant_id=member.tenant_id,
        id=new_id(),
        member_id=member.id,
        code=member.referral_code,
        kind="member",
        created_at=at,
    )


def member_created(member: Member, tier: Tier | None) -> tuple[str, dict[str, Any], str]:
    """The ``member.created`` event (type, payload, lane) of a member just enrolled."""
    return (
        "member.created",
        event_data.member(member, tags=(), tier=tier),
        lane("mem", member.id),
    )


def join(session: Session, member: Member) -> bool:
    """The member joins the community: the first consumed magic link, or a first post,
    comment or like. The first call for a member (across every process) stamps
    ``joined_at`` and emits ``user.joined`` in the caller's transaction; every later
    call does nothing and answers False."""
    at = now(session)
    if not MemberRepository(session, member.tenant_id).mark_joined(member.id, at=at):
        return False
    # The row has it now; the object learns it without a second UPDATE at flush.
    set_committed_value(member, "joined_at", at)
    emit(
        session,
        member.tenant_id,
        "user.joined",
        joined_data(session, member),
        resource_id=lane("mem", member.id),
    )
    return True


_ATTRS = {"metadata": "metadata_"}


def _apply(session: Session, principal: Principal, member: Member, changes: dict[str, Any]) -> bool:
    """Apply validated changes (snake_case keys, identities normalised); emit
    ``member.updated`` when anything actually changed."""
    changed = changes_to(member, changes)
    if not changed:
        return False
    new_ids = identities_changed(member, changed)
    repo = MemberRepository(session, principal.tenant_id)
    _refuse_clash(repo, new_ids, exclude=member.id)
    with _identity_guard(session, repo, new_ids, exclude=member.id):
        set_changes(member, changed, now(session))
    if changed.get("status") == MemberStatus.banned.value:
        # In this transaction: the ban and the end of its sessions commit together.
        member_sessions.revoke_all(session, member)
    emit(
        session,
        principal.tenant_id,
        "member.updated",
        member_data(session, member),
        resource_id=lane("mem", member.id),
    )
    return True


def changes_to(member: Member, changes: dict[str, Any]) -> dict[str, Any]:
    """The validated changes (snake_case keys) that differ from the member's values."""
    changes = {k: v.value if isinstance(v, MemberStatus) else v for k, v in changes.items()}
    if "metadata" in changes:
        member_metadata.check(changes["metadata"])
    return {k: v for k, v in changes.items() if getattr(member, _ATTRS.get(k, k)) != v}


def identities_changed(member: Member, changed: dict[str, Any]) -> Identities:
    """The identities ``changed`` gives the member (a 400 if it would keep none)."""
    after = Identities(
        email=changed.get("email", member.email),
        phone=changed.get("phone", member.phone),
        external_id=changed.get("external_id", member.external_id),
    )
    cleared = next((a for a in ("email", "phone", "external_id") if a in changed), None)
    # Refused only when this change clears the last one: a member that has none already
    # (an erased one) may still have its other fields changed.
    if not after.any() and cleared is not None:
        raise ValidationFailed(
            "A member keeps at least one of email, phone or externalId", field=_WIRE[cleared]
        )
    return Identities(**{a: changed.get(a) for a in ("email", "phone", "external_id")})


def set_changes(member: Member, changed: dict[str, Any], at: datetime) -> None:
    for key, value in changed.items():
        setattr(member, _ATTRS.get(key, key), value)
    member.updated_at = at


def normalised(session: Session, tenant_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(changes)
    if out.get("email") is not None:
        out["email"] = normalize_email(out["email"])
    if out.get("phone") is not None:
        out["phone"] = normalize_phone(out["phone"], country=phones.country(session, tenant_id))
    return out


def update(
    session: Session, principal: Principal, *, member_id: uuid.UUID, data: MemberChanges
) -> Member:
    """PATCH semantics: absent fields are untouched, ``null`` clears. Points are not
    writable here; the ledger owns them."""
    member = get(session, principal, member_id=member_id)
    change(session, principal, member, data)
    return member


def change(
    session: Session, principal: Principal, member: Member, data: MemberChanges | dict[str, Any]
) -> bool:
    """:func:`update` on a member already read (or locked); whether anything changed
    (``member.updated`` emitted)."""
    changes: dict[str, Any] = dict(data)
    if "status" in changes and changes["status"] is None:
        raise ValidationFailed("status cannot be null", field="status")
    if "is_email_verified" in changes:
        _refuse_email_verified(session, principal, changes["is_email_verified"])
    return _apply(session, principal, member, normalised(session, principal.tenant_id, changes))


def _refuse_email_verified(session: Session, principal: Principal, value: Any) -> None:
    field = "isEmailVerified"
    if not isinstance(value, bool):
        raise ValidationFailed(f"{field} must be true or false", field=field)
    if not snapshot(session, principal.tenant_id).settings.custom_auth_enabled:
        raise ValidationFailed(
            f"{field} can be set only when the brand uses custom auth (custom_auth_enabled)",
            field=field,
        )


# Batch -----------------------------------------------------------------------------

UPSERT_FIELDS = ("email", "phone", "first_name", "last_name", "external_id", "metadata")


def upsert(session: Session, principal: Principal, data: NewMember) -> tuple[Member, bool]:
    """Match by externalId, then by email; update the match or enrol a new member."""
    repo = MemberRepository(session, principal.tenant_id)
    email = normalize_email(data.email) if data.email is not None else None
    existing = repo.get_by_external_id(data.external_id) if data.external_id else None
    if existing is None and email is not None:
        existing = repo.get_by_email(email)
        if existing is not None:
            refuse_merge(existing, data)
    if existing is None:
        return enroll(session, principal, data=data), True
    _apply(session, principal, existing, upsert_changes(session, principal.tenant_id, data))
    return existing, False


def refuse_merge(by_email: Member, data: NewMember) -> None:
    """409 when the member holding the row's email has another externalId."""
    if by_email.external_id not in (None, data.external_id):
        # Two different customers in the source system: never merge them silently.
        raise DuplicateMember(
            "A member with this email exists under another externalId",
            field="email",
            extra={"existingId": by_email.id},
        )


def upsert_changes(session: Session, tenant_id: uuid.UUID, data: NewMember) -> dict[str, Any]:
    """A batch row's changes to the member it matched, normalised."""
    # In a batch, null means "not known here", not "clear it".
    changes = {k: getattr(data, k) for k in UPSERT_FIELDS if getattr(data, k) is not None}
    return normalised(session, tenant_id, changes)
