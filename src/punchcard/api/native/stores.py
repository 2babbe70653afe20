"""Stores: ``/stores``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from punchcard.api.common import ids
from punchcard.api.common.auth import StoresRead, StoresWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.stores import StoreCreate, StoreList, StoreRead, StoreUpdate
from punchcard.stores import service
from punchcard.stores.schemas import StoreStatus

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Stores"])


@router.get("/stores", response_model=StoreList)
def list_stores(
    p: StoresRead,
    session: DbSession,
    page: PageParams,
    status: Annotated[StoreStatus | None, Query()] = None,
) -> StoreList:
    """List stores (for ERP reconciliation)."""
    rows, total = service.list_stores(
        session, p, page=page, status=status.value if status else None
    )
    return StoreList(
        stores=[StoreRead.of(s) for s in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/stores/{id}", response_model=StoreRead)
def get_store(p: StoresRead, session: DbSession, id: str) -> StoreRead:
    """Get one store."""
    return StoreRead.of(service.get(session, p, store_id=ids.parse("st", id)))


@router.post("/stores", response_model=StoreRead, status_code=201)
def create_store(p: StoresWrite, session: DbSession, body: StoreCreate) -> StoreRead:
    """Create a store; `code` is unique per tenant."""
    return StoreRead.of(service.create(session, p, data=body.core()))


@router.put("/stores/{id}", response_model=StoreRead)
def update_store(p: StoresWrite, session: DbSession, id: str, body: StoreUpdate) -> StoreRead:
    """Update a store."""
    return StoreRead.of(service.update(session, p, store_id=ids.parse("st", id), data=body.core()))
