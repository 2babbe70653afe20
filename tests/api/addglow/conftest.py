"""Helpers for the AddGlow face's contract tests (``/addglow/v1``, ``seeds/004_…``)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from punchcard.models import OutboxEvent
from tests.factories import Api, Tenant, unique

AG = "/addglow/v1"
NIL = str(uuid.UUID(int=0))


def ag(t: Tenant, key: Api | None = None) -> Api:
    """``t``'s all-scopes key (or ``key``) on the AddGlow face."""
    return Api(t.client, (key or t.api).token, base=AG)


def without(t: Tenant, scope: str) -> Api:
    """A key with every scope but ``scope``, on the AddGlow face."""
    return ag(t, t.key_without(scope))


def refused(r: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """The face's error object: ``{"error": {"code", "message", "field"}}``."""
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(error) == {"code", "message", "field"}, error
    assert error["code"] == code, error
    if field is not None:
        assert error["field"] == field, error
    return dict(error)


def native_member(t: Tenant, **body: Any) -> dict[str, Any]:
    """A member enrolled through the native face; its AddGlow id is ``uuid_of(m)``."""
    body.setdefault("email", f"{unique('ag')}@example.com")
    r = t.api.post("/members", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def uuid_of(native_id: str) -> str:
    """The canonical UUID of a native id (``mem_<hex>``)."""
    return str(uuid.UUID(hex=native_id.split("_", 1)[1]))


def native_id(prefix: str, canonical: str) -> str:
    return f"{prefix}_{uuid.UUID(canonical).hex}"


def events(t: Tenant, type_: str) -> list[OutboxEvent]:
    with t.db.transaction(write=False) as s:
        stmt = select(OutboxEvent).where(OutboxEvent.tenant_id == t.id, OutboxEvent.type == type_)
        return list(s.scalars(stmt))


@pytest.fixture
def api(tenant: Tenant) -> Api:
    return ag(tenant)
