"""Store schemas (native rendering)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from punchcard.kit.ids import render
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import Store


class StoreStatus(StrEnum):
    active = "active"
    inactive = "inactive"


class StoreCreate(InputSchema):
    code: str = Field(min_length=1, max_length=64, description="Your ERP's store code; unique")
    name: str = Field(min_length=1, max_length=200)
    status: StoreStatus = StoreStatus.active
    address: dict[str, Any] | None = None
    timezone: str | None = Field(default=None, max_length=64)


class StoreUpdate(InputSchema):
    code: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    status: StoreStatus | None = None
    address: dict[str, Any] | None = None
    timezone: str | None = Field(default=None, max_length=64)


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
            id=render("st", store.id) or "",
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
