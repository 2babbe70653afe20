"""Member batches (``POST /members/batch``): upsert by externalId, then email, set-based.

A batch normalises every row's identities up front, reads every member holding one of
them in one query (locked, in id order), the stores, default tier and timezone once,
then decides every row in memory, in row order, with the checks and in the order of
``service.upsert`` (``enroll`` or ``_apply``): an index of who holds which identity,
kept current as rows create members and change identities, answers what the lookups
and clash checks would have found. The writes are one insert each for the new members,
their referral codes, their enrolment captures and the ``member.*`` events (updates of
existing members are the ORM's batched updates).

The whole batch runs in one savepoint: should anything fail that the checks could not
foresee (a uniqueness race lost to another process, an identity swap the database
refuses mid-flush), it is rolled back and the batch is upserted row by row, each in its
own savepoint, as before — so the outcomes are always exactly those of that path.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Conflict, PunchcardError, ValidationFailed
from punchcard.events import data as event_data
from punchcard.events.service import emit_many, lane
from punchcard.identity.principal import Principal
from punchcard.members import captures, phones
from punchcard.members.phones import normalize_phone
from punchcard.members.repository import MemberRepository
from punchcard.members.schemas import BatchStatus
from punchcard.members.service import (
    UPSERT_FIELDS,
    Identities,
    NewMember,
    changes_to,
    generate_referral_codes,
    identities_changed,
    member_code,
    member_created,
    new_member,
    normalize_email,
    referred_by,
    refuse_held,
    refuse_merge,
    require_identity,
    set_changes,
    upsert,
)
from punchcard.models import Member, Tier
from punchcard.stores import service as stores

Row = NewMember | PunchcardError
_ATTRS = ("email", "phone", "external_id")


@dataclass(frozen=True)
class BatchOutcome:
    """One batch row's fate: the member created or updated, or the error that failed it."""

    index: int
    status: BatchStatus
    member_id: uuid.UUID | None = None
    error: PunchcardError | None = None


def upsert_batch(
    session: Session, principal: Principal, *, rows: Sequence[Row]
) -> list[BatchOutcome]:
    """Upsert up to 500 members, matched by external id, then email; each row succeeds
    or fails on its own (a row the face could not read is its error, passed through)."""
    if not any(isinstance(r, NewMember) for r in rows):
        return upsert_each(session, principal, rows=rows)
    savepoint = session.begin_nested()
    try:
        outcomes = _Batch(session, principal, rows).run()
        session.flush()
    except (PunchcardError, IntegrityError):
        savepoint.rollback()
        return upsert_each(session, principal, rows=rows)
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    return outcomes


def upsert_each(
    session: Session, principal: Principal, *, rows: Sequence[Row]
) -> list[BatchOutcome]:
    """The batch row by row, each in its own savepoint so a failed row leaves no trace."""
    return [_row_alone(session, principal, i, row) for i, row in enumerate(rows)]


def _row_alone(session: Session, principal: Principal, index: int, data: Row) -> BatchOutcome:
    if isinstance(data, PunchcardError):
        return BatchOutcome(index, BatchStatus.error, error=data)
    try:
        with session.begin_nested():
            member, created = upsert(session, principal, data)
    except PunchcardError as exc:
        return BatchOutcome(index, BatchStatus.error, error=exc)
    except IntegrityError:
        error = Conflict("The member was changed concurrently")
        return BatchOutcome(index, BatchStatus.error, error=error)
    status = BatchStatus.created if created else BatchStatus.updated
    return BatchOutcome(index, status, member_id=member.id)


def _normalised(raw: str | None, normalize: Callable[[str], str]) -> str | PunchcardError | None:
    """A row's identity normalised, or the 400 normalising it raises (raised later, at
    the point of the row where ``upsert`` would have raised it)."""
    if raw is None:
        return None
    try:
        return normalize(raw)
    except ValidationFailed as exc:
        return exc


def _ok(value: str | PunchcardError | None) -> str | None:
    if isinstance(value, PunchcardError):
        raise value
    return value


def _identity_order(member: Member) -> tuple[str, str, str]:
    return (member.external_id or "", member.email or "", member.phone or "")


class _Holders:
    """Who holds which identity, as the database would answer at this row."""

    def __init__(self, members: Sequence[Member]) -> None:
        self.by: dict[str, dict[str, Member]] = {a: {} for a in _ATTRS}
        # Identities a member gave up since the last flush: its row still holds them.
        self.released: set[tuple[str, str]] = set()
        for m in members:
            self.add(m)

    def add(self, member: Member) -> None:
        for attr in _ATTRS:
            value = getattr(member, attr)
            if value is not None:
                self.by[attr][value] = member

    def remove(self, member: Member) -> None:
        for attr in _ATTRS:
            value = getattr(member, attr)
            if value is not None and self.by[attr].get(value) is member:
                del self.by[attr][value]
                self.released.add((attr, value))

    def of(self, ids: Identities, *, exclude: uuid.UUID | None = None) -> list[Member]:
        """``find_by_identities``: the other members holding any of ``ids``."""
        found = (self.by[a].get(v) for a in _ATTRS if (v := getattr(ids, a)) is not None)
        return [m for m in found if m is not None and m.id != exclude]


class _Batch:
    def __init__(self, session: Session, principal: Principal, rows: Sequence[Row]) -> None:
        self.session = session
        self.principal = principal
        self.rows = rows
        self.repo = MemberRepository(session, principal.tenant_id)
        self.at = now(session)
        self.created: list[tuple[Member, NewMember]] = []
        self.events: list[tuple[str, dict[str, Any], str | None]] = []
        self._codes: list[str] = []
        self.left = len(rows)
        self._tags: dict[uuid.UUID, list[str]] | None = None
        self._tiers: dict[uuid.UUID, Tier] | None = None

    def run(self) -> list[BatchOutcome]:
        new_rows = [r for r in self.rows if isinstance(r, NewMember)]
        self.emails = {id(r): _normalised(r.email, normalize_email) for r in new_rows}
        if any(r.phone is not None for r in new_rows):
            where = phones.country(self.session, self.principal.tenant_id)
        else:
            where = ""

        def phone(raw: str) -> str:
            return normalize_phone(raw, country=where)

        self.phones = {id(r): _normalised(r.phone, phone) for r in new_rows}
        self.found = self.repo.holding_any(
            emails=[e for e in self.emails.values() if isinstance(e, str)],
            phones=[p for p in self.phones.values() if isinstance(p, str)],
            external_ids=[r.external_id for r in new_rows if r.external_id],
        )
        self.holders = _Holders(self.found)
        self.store_of = stores.resolve_many(
            self.session, self.principal, [r.store_id for r in new_rows]
        )
        self.default_tier = self.repo.default_tier()
        outcomes = []
        for index, row in enumerate(self.rows):
            self.left = len(self.rows) - index
            if isinstance(row, PunchcardError):
                outcomes.append(BatchOutcome(index, BatchStatus.error, error=row))
                continue
            try:
                member, created = self._upsert(row)
            except PunchcardError as exc:
                outcomes.append(BatchOutcome(index, BatchStatus.error, error=exc))
                continue
            status = BatchStatus.created if created else BatchStatus.updated
            outcomes.append(BatchOutcome(index, status, member_id=member.id))
        self._write()
        return outcomes

    def _upsert(self, row: NewMember) -> tuple[Member, bool]:
        """``service.upsert`` against the holders index."""
        email = _ok(self.emails[id(row)])
        existing = self.holders.by["external_id"].get(row.external_id) if row.external_id else None
        if existing is None and email is not None:
            existing = self.holders.by["email"].get(email)
            if existing is not None:
                refuse_merge(existing, row)
        if existing is None:
            return self._enroll(row, email), True
        self._update(existing, row, email)
        return existing, False

    def _enroll(self, row: NewMember, email: str | None) -> Member:
        phone = _ok(self.phones[id(row)])
        ids = require_identity(Identities(email=email, phone=phone, external_id=row.external_id))
        store = self.store_of(row.store_id, "storeId")
        refuse_held(ids, self.holders.of(ids))
        joined_by = referred_by(self.repo, row)
        member = new_member(
            self.principal, row, ids, store, self.default_tier, self._code(), self.at
        )
        member.referred_by_code_id = joined_by
        self.holders.add(member)
        self.created.append((member, row))
        self.events.append(member_created(member, self.default_tier))
        return member

    def _update(self, member: Member, row: NewMember, email: str | None) -> None:
        phone = _ok(self.phones[id(row)])
        changes = {k: getattr(row, k) for k in UPSERT_FIELDS if getattr(row, k) is not None}
        if email is not None:
            changes["email"] = email
        if phone is not None:
            changes["phone"] = phone
        changed = changes_to(member, changes)
        if not changed:
            return
        new_ids = identities_changed(member, changed)
        refuse_held(new_ids, self.holders.of(new_ids, exclude=member.id))
        taken = {(a, v) for a in _ATTRS if (v := getattr(new_ids, a)) is not None}
        if taken & self.holders.released:
            # An identity another member gave up earlier in the batch: write that
            # change first, or the unique index refuses this one. (A new member may take
            # one freely: a flush runs its updates before its inserts.)
            self.session.flush()
            self.holders.released.clear()
        self.holders.remove(member)
        set_changes(member, changed, self.at)
        self.holders.add(member)
        tags, tier = self._tags_and_tier(member)
        payload = event_data.member(member, tags=tags, tier=tier)
        self.events.append(("member.updated", payload, lane("mem", member.id)))

    def _code(self) -> str:
        if not self._codes:
            # Enough for every row that may still enrol (this one and those after it).
            self._codes = generate_referral_codes(self.session, self.principal, self.left)
        return self._codes.pop()

    def _tags_and_tier(self, member: Member) -> tuple[list[str], Tier | None]:
        """``member_data``'s tags and tier, read once for every member the batch found."""
        if self._tags is None or self._tiers is None:
            self._tags = self.repo.tag_keys_for(m.id for m in self.found)
            tier_ids = {m.tier_id for m in self.found} | {getattr(self.default_tier, "id", None)}
            self._tiers = self.repo.tiers_by_id(tier_ids)
        tags = self._tags.get(member.id, [])
        return tags, self._tiers.get(member.tier_id) if member.tier_id else None

    def _write(self) -> None:
        session = self.session
        if not self.created:
            emit_many(session, self.principal.tenant_id, self.events)
            return
        # One insert for the new members (before the rows that refer to them), in
        # identity order: two batches enrolling the same people meet on the unique
        # indexes in the same order (PostgreSQL would otherwise deadlock them).
        inserted: list[Member] = sorted([m for m, _ in self.created], key=_identity_order)
        session.add_all(inserted)
        session.flush()
        zone = captures.tenant_zone(session, self.principal)
        session.add_all([member_code(m, self.at) for m, _ in self.created])
        session.add_all(
            [
                captures.capture(m, row.source.value, m.store_id, zone, self.at, is_new_member=True)
                for m, row in self.created
            ]
        )
        emit_many(session, self.principal.tenant_id, self.events)
