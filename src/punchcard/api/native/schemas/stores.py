"""Store wire models: the bodies of ``/stores`` and their rendering (``st_…`` ids)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from punchcard.api.common import ids
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import Store
from punchcard.stores import schemas as core
from punchcard.stores.schemas import StoreStatus


class StoreCreate(InputSchema):
    code: str = Field(min_length=1, max_length=64, description="Your ERP's store code; unique")
    name: str = Field(min_length=1, max_length=200)
    status: StoreStatus = StoreStatus.active
    address: dict[str, Any] | None = None
    timezone: str | None = Field(default=None, max_length=64)

    def core(self) -> core.StoreCreate:
        return core.StoreCreate(**self.model_dump())


class StoreUpdate(InputSchema):
    code: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    status: StoreStatus | None = None
    address: dict[str, Any] | None = None
    timezone: str | None = Field(default=None, max_length=64)

    def core(self) -> core.StoreUpdate:
        """The fields sent, and only those (absent is not null)."""
        return core.StoreUpdate(**self.model_dump(exclude_unset=True))


class StoreRead(Schema):
    id: str
    code: str
    name: str
    status: StoreStatus
    address: dict[str, Any] | None
    timezone: str | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, store: Store) -> StoreRead:
        return cls(
            id=ids.render("st", store.id),
            code=store.code,
            name=store.name,
            status=StoreStatus(store.status),
            address=store.address,
            timezone=store.timezone,
            created_at=store.created_at,
            updated_at=store.updated_at,
        )


class StoreList(Schema):
    stores: list[StoreRead]
    total: int
    limit: int
    offset: int
