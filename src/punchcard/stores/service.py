"""Store use cases."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from punchcard.db.repository import by_id_or_key
from punchcard.db.uow import now
from punchcard.errors import Conflict, NotFound, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.models import Store
from punchcard.stores.repository import StoreRepository
from punchcard.stores.schemas import StoreCreate, StoreUpdate


def _check_timezone(tz: str | None) -> None:
    if tz is None:
        return
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed("Unknown IANA timezone", field="timezone") from exc


def get(session: Session, principal: Principal, *, store_id: uuid.UUID) -> Store:
    store = StoreRepository(session, principal.tenant_id).get(store_id)
    if store is None:
        raise NotFound("Store not found", field="id")
    return store


def resolve(
    session: Session,
    principal: Principal,
    store_ref: uuid.UUID | str | None,
    *,
    field: str = "storeId",
) -> Store | None:
    """The store an input refers to, by id (a UUID) or by code (a string), or a 400
    naming ``field``. A UUID no store has is tried as a code too (an ERP may use UUIDs
    as store codes)."""
    if store_ref is None:
        return None
    repo = StoreRepository(session, principal.tenant_id)
    return _known(by_id_or_key(store_ref, repo.get, repo.get_by_code), field)


def _known(store: Store | None, field: str) -> Store:
    if store is None:
        raise ValidationFailed("Unknown store", field=field)
    return store


StoreRef = uuid.UUID | str
StoreLookup = Callable[[StoreRef | None, str], Store | None]


def resolve_many(
    session: Session, principal: Principal, refs: Iterable[StoreRef | None]
) -> StoreLookup:
    """``resolve`` for a batch: every store the refs may name read in one query; the
    answer resolves one ref exactly as ``resolve`` would (same precedence, same 400)."""
    wanted = {r for r in refs if r is not None}
    ids = {r for r in wanted if isinstance(r, uuid.UUID)}
    # A UUID is tried as a code too, in both spellings (``by_id_or_key``).
    codes = {r for r in wanted if isinstance(r, str)} | {c for i in ids for c in (str(i), i.hex)}
    found = StoreRepository(session, principal.tenant_id).by_ids_or_codes(ids, codes)
    by_id = {s.id: s for s in found}
    by_code = {s.code: s for s in found}

    def lookup(store_ref: StoreRef | None, field: str = "storeId") -> Store | None:
        if store_ref is None:
            return None
        return _known(by_id_or_key(store_ref, by_id.get, by_code.get), field)

    return lookup


def list_stores(
    session: Session, principal: Principal, *, page: Page, status: str | None = None
) -> tuple[list[Store], int]:
    return StoreRepository(session, principal.tenant_id).list(page, status=status)


def create(session: Session, principal: Principal, *, data: StoreCreate) -> Store:
    repo = StoreRepository(session, principal.tenant_id)
    _check_timezone(data.timezone)
    if repo.get_by_code(data.code) is not None:
        raise Conflict("A store with this code exists", field="code", code="DUPLICATE_STORE")
    at = now(session)
    return repo.add(
        Store(
            id=new_id(),
            code=data.code,
            name=data.name,
            status=data.status.value,
            address=data.address,
            timezone=data.timezone,
            created_at=at,
            updated_at=at,
        )
    )


def update(
    session: Session, principal: Principal, *, store_id: uuid.UUID, data: StoreUpdate
) -> Store:
    store = get(session, principal, store_id=store_id)
    repo = StoreRepository(session, principal.tenant_id)
    changes = data.model_dump(exclude_unset=True)
    for required in ("code", "name", "status"):
        if required in changes and changes[required] is None:
            raise ValidationFailed(f"{required} cannot be null", field=required)
    if "timezone" in changes:
        _check_timezone(changes["timezone"])
    if "code" in changes and changes["code"] != store.code:
        other = repo.get_by_code(changes["code"])
        if other is not None:
            raise Conflict("A store with this code exists", field="code", code="DUPLICATE_STORE")
    for key, value in changes.items():
        setattr(store, key, value.value if hasattr(value, "value") else value)
    store.updated_at = now(session)
    session.flush()
    return store
