"""Capture records: how members were captured (enrolment) and store check-ins.

"A check-in by the same member at the same store on the same day is one capture":
the day is the tenant's local day, and the rule is held by a unique ``dedup_key``
so that concurrent check-ins cannot double up.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Conflict, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.members.repository import CaptureRepository, MemberRepository
from punchcard.members.schemas import CaptureSource
from punchcard.members.visibility import member_filter, visible
from punchcard.models import Capture, Member
from punchcard.stores import service as stores
from punchcard.tenants.service import get_tenant


def tenant_zone(session: Session, principal: Principal) -> ZoneInfo:
    try:
        return ZoneInfo(get_tenant(session, principal.tenant_id).timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def record(
    session: Session,
    principal: Principal,
    *,
    member: Member,
    source: str,
    store_id: uuid.UUID | None,
    is_new_member: bool,
    dedup_key: str | None = None,
) -> Capture:
    """Write one capture row (enrolment captures are never de-duplicated)."""
    at = now(session)
    zone = tenant_zone(session, principal)
    return CaptureRepository(session, principal.tenant_id).add(
        capture(
            member, source, store_id, zone, at, is_new_member=is_new_member, dedup_key=dedup_key
        )
    )


def capture(
    member: Member,
    source: str,
    store_id: uuid.UUID | None,
    zone: ZoneInfo,
    at: datetime,
    *,
    is_new_member: bool,
    dedup_key: str | None = None,
) -> Capture:
    """A capture row (``record`` writes one; a member batch writes many in one insert)."""
    return Capture(
        tenant_id=member.tenant_id,
        id=new_id(),
        member_id=member.id,
        source=source,
        store_id=store_id,
        is_new_member=is_new_member,
        day=at.astimezone(zone).date(),
        dedup_key=dedup_key,
        created_at=at,
    )


def checkin(
    session: Session, principal: Principal, *, member_id: uuid.UUID, store_ref: uuid.UUID | str
) -> tuple[Capture, bool]:
    """Record a store check-in; ``(capture, created)``. A second check-in by the member
    at the store on the same local day returns the first one. The store is given by id
    (a UUID) or by code (a string)."""
    member = visible(principal, MemberRepository(session, principal.tenant_id).get(member_id))
    store = stores.resolve(session, principal, store_ref)
    if store is None:  # pragma: no cover - a store is required
        raise ValidationFailed("storeId is required", field="storeId")
    at = now(session)
    day = at.astimezone(tenant_zone(session, principal)).date()
    key = f"checkin:{member.id.hex}:{store.id.hex}:{day.isoformat()}"
    repo = CaptureRepository(session, principal.tenant_id)
    existing = repo.get_by_dedup_key(key)
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            capture = record(
                session,
                principal,
                member=member,
                source=CaptureSource.checkin.value,
                store_id=store.id,
                is_new_member=False,
                dedup_key=key,
            )
    except IntegrityError:
        # Another request checked the member in between our read and our insert.
        existing = repo.get_by_dedup_key(key)
        if existing is None:  # pragma: no cover
            raise Conflict("Check-in changed concurrently; retry") from None
        return existing, False
    member.last_activity_at = at
    session.flush()
    return capture, True


def _bound(value: str | None, field: str, zone: ZoneInfo, *, end: bool) -> datetime | None:
    """An ISO date (a whole day in the tenant's timezone) or date-time (UTC if naive),
    as an instant: the start for ``from``, the exclusive end for ``to``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
        instant = datetime.fromisoformat(text)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        # ``to`` is inclusive to the microsecond, the precision times are stored at.
        return (instant + timedelta(microseconds=1 if end else 0)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationFailed(
            f"{field} must be an ISO-8601 date (YYYY-MM-DD) or date-time", field=field
        ) from None


def list_captures(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    member_id: uuid.UUID | None = None,
    store_ref: uuid.UUID | str | None = None,
    source: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> tuple[list[Capture], int]:
    """Captures matching every filter, oldest first; the store by id (a UUID) or code."""
    member_id = member_filter(principal, member_id)
    store = stores.resolve(session, principal, store_ref)
    zone = tenant_zone(session, principal)
    lo = _bound(start, "from", zone, end=False)
    hi = _bound(end, "to", zone, end=True)
    if lo is not None and hi is not None and lo >= hi:
        raise ValidationFailed("to must not be before from", field="to")
    return CaptureRepository(session, principal.tenant_id).search(
        page,
        member_id=member_id,
        store_id=store.id if store else None,
        source=source,
        start=lo,
        end=hi,
    )
