"""Declarative base, naming convention, and the TenantOwned mixin.

Every domain row carries ``tenant_id`` and every primary and unique key leads with it,
so the schema can be distributed by tenant (Citus-style) without change. Identity
routing tables (tenants, users, sessions, API-key hashes) are global by nature: a key
or a login must find its tenant before any tenant is known.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, ForeignKeyConstraint, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, configure_mappers, mapped_column
from sqlalchemy.types import TypeDecorator

from punchcard.kit.clock import as_utc
from punchcard.kit.ids import new_id

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on both databases (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


R = TypeVar("R", bound=Base)


def row_of(model: type[R], values: dict[str, Any]) -> R:
    """A transient ``model`` holding ``values``, made the way SQLAlchemy makes a row it
    loads: no constructor, no attribute events (a sixth of the cost of ``model(**values)``
    for a 17-column order). For the rows a batch writes with Core and only reads back;
    ``values`` must name every column (no defaults apply). Added to a session, it would
    still insert what it holds."""
    configure_mappers()  # (at once when done: the first row of a process may come here)
    row = model.__mapper__.class_manager.new_instance()
    row.__dict__.update(values)
    return row


class TenantOwned:
    """Mixin: the row belongs to one tenant; the primary key is (tenant_id, id)."""

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


def tenant_fk(
    columns: str | list[str], table: str, *, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """A composite foreign key that includes tenant_id, so rows never point across tenants."""
    cols = [columns] if isinstance(columns, str) else columns
    return ForeignKeyConstraint(
        ["tenant_id", *cols],
        [f"{table}.tenant_id", *(f"{table}.id" for _ in cols)],
        ondelete=ondelete,
    )
