"""Helpers for comparing what a batch did in one tenant with what the same rows, posted
one by one, did in another set up identically: every row a tenant holds in the tables
a batch writes, with ids replaced by names (the same in both tenants), times by a
marker, and random values (referral codes) by a marker."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select

from punchcard.models import Activity, Store, Tier
from tests.factories import Tenant

_PREFIXED = re.compile(r"^([a-z]+)_([0-9a-f]{32})$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
RANDOM_KEYS = {"referral_code", "referralCode", "code"}


class Names:
    """A stable name for each id of a tenant; ids without one become ``<id>``."""

    def __init__(self) -> None:
        self.by_id: dict[uuid.UUID, str] = {}

    def add(self, id_: uuid.UUID, name: str) -> None:
        self.by_id[id_] = name

    def of_uuid(self, id_: uuid.UUID) -> str:
        return self.by_id.get(id_, "<id>")

    def value(self, v: Any, key: str = "") -> Any:
        if key in RANDOM_KEYS and v is not None:
            return "<random>"
        if isinstance(v, uuid.UUID):
            return self.of_uuid(v)
        if isinstance(v, datetime | date):
            return "<t>"
        if isinstance(v, Decimal):
            return str(v.normalize())
        if isinstance(v, dict):
            return {k: self.value(x, k) for k, x in sorted(v.items())}
        if isinstance(v, list | tuple):
            return [self.value(x) for x in v]
        if isinstance(v, str):
            match = _PREFIXED.match(v)
            if match:
                return f"{match.group(1)}:{self.of_uuid(uuid.UUID(match.group(2)))}"
            if _ISO_TIME.match(v):
                return "<t>"
            if len(v) == 36:
                try:
                    return self.of_uuid(uuid.UUID(v))
                except ValueError:
                    pass
        return v


def name_fixtures(t: Tenant, names: Names) -> None:
    """Stores by code, tiers by name, activities by key."""
    with t.db.transaction(write=False) as s:
        for store in s.scalars(select(Store).where(Store.tenant_id == t.id)):
            names.add(store.id, f"store:{store.code}")
        for tier in s.scalars(select(Tier).where(Tier.tenant_id == t.id)):
            names.add(tier.id, f"tier:{tier.name}")
        for act in s.scalars(select(Activity).where(Activity.tenant_id == t.id)):
            names.add(act.id, f"activity:{act.key}")


def rows(t: Tenant, names: Names, model: type[Any], *, skip: tuple[str, ...] = ()) -> Counter[str]:
    """The tenant's rows of ``model``, normalised, as a multiset (their own id, tenant and
    the columns in ``skip`` left out)."""
    columns = [c.key for c in model.__mapper__.column_attrs]
    out: Counter[str] = Counter()
    with t.db.transaction(write=False) as s:
        for row in s.scalars(select(model).where(model.tenant_id == t.id)):
            values = {
                c: names.value(getattr(row, c), c)
                for c in columns
                if c not in ("id", "tenant_id", *skip)
            }
            out[repr(sorted(values.items()))] += 1
    return out


@contextmanager
def savepoints(engine: Any) -> Iterator[Callable[[], int]]:
    """Count the savepoints opened on ``engine`` while the block runs."""
    count = 0

    def on_savepoint(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "savepoint", on_savepoint)
    try:
        yield lambda: count
    finally:
        event.remove(engine, "savepoint", on_savepoint)
