"""Applying an import: the file's records in chunks, each chunk one transaction through
the core's set-based batch paths (``members.batch.upsert_batch``,
``orders.batch.place_batch``, ``catalog.bulk.sync_products``) or, for opening
balances, the ledger's own ``credit``/``debit`` (one member at a time, each in a
savepoint).

Resumable: a chunk commits on its own, and a rerun recognises what an earlier run wrote
(a member by its external id or email, an order by its external id, a product by its
store id, an opening balance by its ``migrated:<platform>`` reference on the member's
ledger) and skips it, so importing a file twice changes nothing the second time.

Quiet: unless ``emit_events``, the session is muted (``events.service.MUTED``): the
changes are written without ``member.*``/``points.*``/``order.*`` events, so no webhook
is delivered for a migration.

``dry_run``: every chunk runs and is rolled back, so the summary says what would change
and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from punchcard.catalog import bulk
from punchcard.catalog.repository import ProductRepository
from punchcard.catalog.schemas import ProductRecord
from punchcard.db.uow import Database, dialect, now
from punchcard.errors import PunchcardError, ValidationFailed
from punchcard.events.service import MUTED
from punchcard.identity.principal import Principal
from punchcard.imports.formats import Reader, Source
from punchcard.kit import ids
from punchcard.ledger import service as ledger
from punchcard.members import service as members
from punchcard.members.batch import upsert_batch
from punchcard.members.repository import MemberRepository
from punchcard.members.schemas import BatchStatus, CaptureSource
from punchcard.members.service import NewMember, normalize_email
from punchcard.models import Member, PointsEntry
from punchcard.orders.batch import place_batch
from punchcard.orders.repository import OrderRepository
from punchcard.orders.service import NewOrder, OrderLine
from punchcard.tiers import service as tiers
from punchcard.wiring import wire

CHUNK = 500

# The tables an import of each kind grows. On PostgreSQL they are analysed after chunks
# 1, 2, 4, 8, ... (``_refresh_statistics``): a table that grows from nothing keeps the
# planner's idea of it as empty until autovacuum analyses it (never, where autovacuum is
# off or behind), and the batch paths' lookups (``holding_any``: email IN (...) OR
# external_id IN (...)) are then planned as a scan of the tenant's members — every
# chunk reading every member imported before it (measured: the rate fell from ~600 to
# ~80 rows/s by 36,000 members). A doubling schedule costs a handful of ANALYZEs.
GROWS = {
    "members": ("members", "referral_codes", "captures"),
    "orders": ("orders", "points_entries", "points_lots", "members"),
    "products": ("products",),
    "balances": ("points_entries", "points_lots"),
}


@dataclass
class Summary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    dry_run: bool = False
    # Balances: the points written as opening balances.
    points: int = 0


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    raw: dict[str, Any]


@dataclass
class _Chunk:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    points: int = 0
    rejected: list[Rejected] = field(default_factory=list)


class _DryRun(Exception):
    """Raised to roll a dry run's chunk back."""

    def __init__(self, result: _Chunk) -> None:
        self.result = result


def chunks(rows: Iterable[Source], size: int = CHUNK) -> Iterator[list[Source]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def run(
    db: Database,
    tenant_id: uuid.UUID,
    reader: Reader,
    *,
    platform: str,
    dry_run: bool = False,
    emit_events: bool = False,
    on_rejected: Callable[[Rejected], None] = lambda r: None,
    on_progress: Callable[[Summary, int], None] = lambda s, b: None,
    chunk_size: int = CHUNK,
) -> Summary:
    """Import ``reader``'s rows into the tenant; ``on_progress(summary, bytes_read)``
    after every chunk, ``on_rejected`` for every row refused (with its reason)."""
    # Imported orders pay what placed ones do (a referred member's first order pays the
    # referrer): the order followers, whoever called this.
    wire()
    principal = Principal(tenant_id=tenant_id, scopes=frozenset())
    apply = APPLIERS[reader.kind]
    summary = Summary(dry_run=dry_run)
    for number, batch in enumerate(chunks(reader, chunk_size), start=1):
        unread = [s for s in batch if s.record is None]
        readable = [s for s in batch if s.record is not None]
        result = _Chunk(rejected=[Rejected(s.line, s.error or "unreadable", s.raw) for s in unread])
        if readable:
            try:
                with db.transaction() as session:
                    if not emit_events:
                        session.info[MUTED] = True
                    done = apply(session, principal, readable, platform)
                    if dry_run:
                        raise _DryRun(done)
            except _DryRun as dry:
                done = dry.result
            result.created, result.updated = done.created, done.updated
            result.skipped, result.points = done.skipped, done.points
            result.rejected.extend(done.rejected)
        summary.rows += len(batch)
        summary.created += result.created
        summary.updated += result.updated
        summary.skipped += result.skipped
        summary.points += result.points
        summary.rejected += len(result.rejected)
        for r in sorted(result.rejected, key=lambda r: r.line):
            on_rejected(r)
        if not dry_run and number & (number - 1) == 0 and (result.created or result.updated):
            _refresh_statistics(db, reader.kind)
        on_progress(summary, reader.bytes)
    return summary


def _refresh_statistics(db: Database, kind: str) -> None:
    """``ANALYZE`` the tables ``kind`` grows (PostgreSQL; SQLite plans by its indexes)."""
    with db.transaction() as session:
        if dialect(session) != "postgresql":
            return
        session.execute(text(f"ANALYZE {', '.join(GROWS[kind])}"))


def _reason(exc: PunchcardError) -> str:
    if not exc.field or exc.message.startswith(exc.field):
        return exc.message
    return f"{exc.field}: {exc.message}"


def _email(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        return normalize_email(raw)
    except ValidationFailed:
        return None


# Members ----------------------------------------------------------------------------


def _new_member(record: dict[str, Any]) -> NewMember:
    return NewMember(
        email=record.get("email"),
        phone=record.get("phone"),
        first_name=record.get("firstName"),
        last_name=record.get("lastName"),
        external_id=record.get("externalId"),
        source=CaptureSource.api,
    )


def _held(session: Session, tenant_id: uuid.UUID, records: Sequence[dict[str, Any]]) -> _Index:
    emails = [e for r in records if (e := _email(r.get("email")))]
    external = [x for r in records if (x := r.get("externalId"))]
    found = MemberRepository(session, tenant_id).holding_any(
        emails=emails, phones=[], external_ids=external
    )
    return _Index(found)


class _Index:
    def __init__(self, found: Iterable[Member]) -> None:
        self.by_external = {m.external_id: m for m in found if m.external_id}
        self.by_email = {m.email: m for m in found if m.email}
        self.by_id = {m.id: m for m in [*self.by_external.values(), *self.by_email.values()]}

    def find(self, record: dict[str, Any]) -> Member | None:
        external = record.get("externalId")
        if external and external in self.by_external:
            return self.by_external[external]
        email = _email(record.get("email"))
        return self.by_email.get(email) if email else None


def apply_members(
    session: Session, principal: Principal, rows: Sequence[Source], platform: str
) -> _Chunk:
    result = _Chunk()
    records = [s.record or {} for s in rows]
    held = _held(session, principal.tenant_id, records)
    todo: list[Source] = []
    seen: set[str] = set()
    for s, record in zip(rows, records, strict=True):
        if held.find(record) is not None:
            result.skipped += 1  # imported before (or already a member): left as it is
            continue
        key = record.get("externalId") or _email(record.get("email")) or ""
        if key and key in seen:
            result.rejected.append(Rejected(s.line, "appears twice in the file", s.raw))
            continue
        seen.add(key)
        todo.append(s)
    outcomes = upsert_batch(session, principal, rows=[_new_member(s.record or {}) for s in todo])
    for s, outcome in zip(todo, outcomes, strict=True):
        if outcome.error is not None:
            result.rejected.append(Rejected(s.line, _reason(outcome.error), s.raw))
        elif outcome.status == BatchStatus.created:
            result.created += 1
        else:
            result.updated += 1
    return result


# Orders -----------------------------------------------------------------------------


def _decimal(record: dict[str, Any], key: str, *, required: bool = False) -> Decimal | None:
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise ValidationFailed(f"{key} is required", field=key)
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(f"{key}: {value!r} is not an amount", field=key) from None


def _when(record: dict[str, Any], key: str) -> datetime | None:
    value = record.get(key)
    if not value:
        return None
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(
            f"{key}: {value!r} is not an ISO 8601 date-time", field=key
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _lines(record: dict[str, Any]) -> list[OrderLine]:
    items = record.get("items") or []
    if not isinstance(items, list):
        raise ValidationFailed("items: expected a list", field="items")
    lines = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValidationFailed(f"items[{i}]: expected an object", field=f"items[{i}]")
        price = _decimal(item, "price", required=True)
        assert price is not None
        lines.append(
            OrderLine(
                price=price,
                quantity=int(item.get("quantity") or 1),
                eligible=bool(item.get("eligible", True)),
                sku=item.get("sku"),
                product_id=item.get("productId"),
                name=item.get("name"),
            )
        )
    return lines


def _new_order(record: dict[str, Any], member_id: uuid.UUID) -> NewOrder:
    external = record.get("externalOrderId")
    if not external:
        raise ValidationFailed("externalOrderId is required", field="externalOrderId")
    total = _decimal(record, "total", required=True)
    assert total is not None
    currency = record.get("currency")
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    return NewOrder(
        external_order_id=str(external),
        member_id=member_id,
        total=total,
        fingerprint=hashlib.sha256(canonical.encode()).hexdigest(),
        store_id=record.get("storeId"),
        channel=record.get("channel") or "online",
        currency=str(currency).upper() if currency else None,
        items=_lines(record),
        eligible_amount=_decimal(record, "eligibleAmount"),
        placed_at=_when(record, "placedAt"),
    )


def apply_orders(
    session: Session, principal: Principal, rows: Sequence[Source], platform: str
) -> _Chunk:
    result = _Chunk()
    records = [s.record or {} for s in rows]
    lookups = [
        {"email": r.get("memberEmail"), "externalId": r.get("memberExternalId")} for r in records
    ]
    held = _held(session, principal.tenant_id, lookups)
    existing = OrderRepository(session, principal.tenant_id).by_external_ids(
        {str(r["externalOrderId"]) for r in records if r.get("externalOrderId")}
    )
    todo: list[tuple[Source, NewOrder]] = []
    seen: set[str] = set()
    for s, record, lookup in zip(rows, records, lookups, strict=True):
        try:
            if record.get("memberId"):
                member_id = ids.parse("mem", str(record["memberId"]))
                if member_id is None:
                    raise ValidationFailed("memberId: not a member id (mem_…)", field="memberId")
            else:
                member = held.find(lookup)
                if member is None:
                    raise ValidationFailed(
                        "memberEmail/memberExternalId: no such member (import members first)",
                        field="memberEmail",
                    )
                member_id = member.id
            order = _new_order(record, member_id)
        except PunchcardError as exc:
            result.rejected.append(Rejected(s.line, _reason(exc), s.raw))
            continue
        if order.external_order_id in existing:
            result.skipped += 1
            continue
        if order.external_order_id in seen:
            result.rejected.append(Rejected(s.line, "appears twice in the file", s.raw))
            continue
        seen.add(order.external_order_id)
        todo.append((s, order))
    outcomes = place_batch(session, principal, orders=[o for _, o in todo])
    for (s, _), outcome in zip(todo, outcomes, strict=True):
        if isinstance(outcome, PunchcardError):
            result.rejected.append(Rejected(s.line, _reason(outcome), s.raw))
        elif outcome.created:
            result.created += 1
        else:
            result.skipped += 1
    return result


# Products ---------------------------------------------------------------------------


def _product(record: dict[str, Any]) -> ProductRecord:
    for key in ("storeId", "title"):
        if not record.get(key):
            raise ValidationFailed(f"{key} is required", field=key)

    def number(key: str) -> int | None:
        value = record.get(key)
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValidationFailed(f"{key}: {value!r} is not a whole number", field=key) from None

    return ProductRecord(
        store_id=str(record["storeId"]),
        title=str(record["title"]),
        description=str(record.get("description") or ""),
        online_store_url=str(record.get("onlineStoreUrl") or ""),
        image_url=record.get("imageUrl"),
        image_width=number("imageWidth"),
        image_height=number("imageHeight"),
    )


def apply_products(
    session: Session, principal: Principal, rows: Sequence[Source], platform: str
) -> _Chunk:
    result = _Chunk()
    existing = ProductRepository(session, principal.tenant_id).by_external_ids(
        {str(s.record["storeId"]) for s in rows if s.record and s.record.get("storeId")}
    )
    upserts: list[ProductRecord] = []
    seen: set[str] = set()
    for s in rows:
        if (s.record or {}).get("continuation"):
            result.skipped += 1  # a variant or image row of the product above it
            continue
        try:
            product = _product(s.record or {})
        except PunchcardError as exc:
            result.rejected.append(Rejected(s.line, _reason(exc), s.raw))
            continue
        if product.store_id in existing:
            result.skipped += 1
        elif product.store_id in seen:
            result.rejected.append(Rejected(s.line, "appears twice in the file", s.raw))
        else:
            seen.add(product.store_id)
            upserts.append(product)
    bulk.sync_products(session, principal, upserts=upserts, deletes=[])
    result.created += len(upserts)
    return result


# Opening balances -------------------------------------------------------------------


def migrated_reference(platform: str) -> str:
    """The reference every opening-balance entry of a migration carries: the key (with
    the member) that makes a rerun write nothing."""
    return f"migrated:{platform}"[:128]


def _migrated(
    session: Session, tenant_id: uuid.UUID, member_ids: Iterable[uuid.UUID], ref: str
) -> set[uuid.UUID]:
    wanted = sorted(set(member_ids))
    if not wanted:
        return set()
    stmt = select(PointsEntry.member_id).where(
        PointsEntry.tenant_id == tenant_id,
        PointsEntry.member_id.in_(wanted),
        PointsEntry.reference == ref,
    )
    return set(session.scalars(stmt))


def _lots(record: dict[str, Any], at: datetime) -> list[tuple[int, datetime | None]]:
    lots = []
    for i, lot in enumerate(record.get("lots") or []):
        points = lot.get("points")
        if points is None or points == 0:
            continue
        if points < 0:
            raise ValidationFailed(f"lots[{i}].points: must not be negative", field="points")
        expires = _when(lot, "expiresAt")
        if expires is not None and expires <= at:
            continue  # lapsed before the migration: part of the lifetime only
        lots.append((int(points), expires))
    return lots


def apply_balances(
    session: Session, principal: Principal, rows: Sequence[Source], platform: str
) -> _Chunk:
    result = _Chunk()
    ref = migrated_reference(platform)
    reason = f"migrated from {platform}"
    records = [s.record or {} for s in rows]
    held = _held(session, principal.tenant_id, records)
    done = _migrated(session, principal.tenant_id, held.by_id, ref)
    at = now(session)
    for s, record in zip(rows, records, strict=True):
        member = held.find(record)
        if member is None:
            why = "email/externalId: no such member (import members first)"
            result.rejected.append(Rejected(s.line, why, s.raw))
            continue
        if member.id in done:
            result.skipped += 1
            continue
        try:
            with session.begin_nested():
                written = _open(session, principal, member.id, record, at, reason, ref)
        except PunchcardError as exc:
            result.rejected.append(Rejected(s.line, _reason(exc), s.raw))
            continue
        done.add(member.id)
        if written:
            result.updated += 1
            result.points += written
        else:
            result.skipped += 1
    return result


def _open(
    session: Session,
    principal: Principal,
    member_id: uuid.UUID,
    record: dict[str, Any],
    at: datetime,
    reason: str,
    ref: str,
) -> int:
    """The member's opening balance: the points already spent (lifetime beyond the
    balance) credited and debited at once, then one ``adjust`` credit per lot with its
    expiry, then the tier. Returns the points of the balance written."""
    lots = _lots(record, at)
    balance = sum(p for p, _ in lots)
    lifetime = record.get("lifetimePoints")
    if lifetime is not None and lifetime < 0:
        raise ValidationFailed("lifetimePoints: must not be negative", field="lifetimePoints")
    spent = max((lifetime or 0) - balance, 0)
    if not lots and not spent:
        return 0  # nothing to open (a tier alone is not carried: docs/import.md)
    member = members.lock(session, principal, member_id=member_id)
    refs = ledger.Refs(description=reason)
    if spent:
        # Lifetime points the member earned and spent (or let lapse) on the old
        # platform: credited and taken again, so lifetime (and tiers) carry over while
        # the balance is only the lots below.
        ledger.credit(session, member, amount=spent, refs=refs, type_="adjust", reference=ref)
        ledger.debit(
            session,
            member,
            amount=spent,
            refs=ledger.Refs(description=f"{reason}: points already spent"),
        )
    for points, expires in lots:
        # ``expires`` None: the tenant's default expiry applies, as for any credit.
        ledger.credit(
            session,
            member,
            amount=points,
            refs=refs,
            type_="adjust",
            expires_at=expires,
            reference=ref,
        )
    tier = record.get("tier")
    if tier:
        tiers.set_member_tier(
            session, principal, member_id=member.id, tier_id=tier, field="tier", by_name=True
        )
    return balance


APPLIERS: dict[str, Callable[[Session, Principal, Sequence[Source], str], _Chunk]] = {
    "members": apply_members,
    "orders": apply_orders,
    "products": apply_products,
    "balances": apply_balances,
}
