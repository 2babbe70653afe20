"""Helpers for the advocate face's contract tests (``/api/v1``, ``seeds/002_…``)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from punchcard.models import OutboxEvent
from tests.factories import Api, Tenant, unique

V1 = "/api/v1"


def v1(t: Tenant, key: Api | None = None) -> Api:
    """``t``'s all-scopes key (or ``key``) on the advocate face."""
    return Api(t.client, (key or t.api).token, base=V1)


def without(t: Tenant, scope: str) -> Api:
    """A key with every scope but ``scope``, on the advocate face."""
    return v1(t, t.key_without(scope))


def refused(r: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """The document's error object: ``{"error": {"code", "message", "field"}}``."""
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(error) >= {"code", "message", "field"}, error
    assert error["code"] == code, error
    if field is not None:
        assert error["field"] == field, error
    return dict(error)


def make_advocate(t: Tenant, **body: Any) -> dict[str, Any]:
    body.setdefault("email", f"{unique('adv')}@example.com")
    r = v1(t).post("/advocates", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json()["advocate"])


def give(t: Tenant, advocate_id: str, amount: int) -> None:
    r = v1(t).post(f"/advocates/{advocate_id}/points", json={"amount": amount})
    assert r.status_code == 200, r.text


def make_reward(t: Tenant, **body: Any) -> dict[str, Any]:
    body.setdefault("name", unique("reward"))
    body.setdefault("pointsCost", 100)
    r = v1(t).post("/rewards", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json()["reward"])


def events(t: Tenant, type_: str) -> list[OutboxEvent]:
    with t.db.transaction(write=False) as s:
        stmt = select(OutboxEvent).where(OutboxEvent.tenant_id == t.id, OutboxEvent.type == type_)
        return list(s.scalars(stmt))


@pytest.fixture
def api(tenant: Tenant) -> Api:
    return v1(tenant)
