"""Store inputs, as the core takes them (snake_case; the native face's wire models are
in ``api/native/schemas/stores.py``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel


class StoreStatus(StrEnum):
    active = "active"
    inactive = "inactive"


class StoreCreate(BaseModel):
    code: str
    name: str
    status: StoreStatus = StoreStatus.active
    address: dict[str, Any] | None = None
    timezone: str | None = None


class StoreUpdate(BaseModel):
    """The fields to change: ``model_fields_set`` tells a field left out from a null."""

    code: str | None = None
    name: str | None = None
    status: StoreStatus | None = None
    address: dict[str, Any] | None = None
    timezone: str | None = None
