"""Plain factory functions. Each test builds what it needs through the real API or
services; nothing is shared between tests but the database."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from punchcard.db.uow import Database
from punchcard.identity import keys
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.identity.users import open_session
from punchcard.kit.crypto import hash_password
from punchcard.kit.ids import new_id
from punchcard.models import User
from punchcard.tenants.service import create_tenant

_seq = itertools.count(1)

PASSWORD = "correct horse battery"


def unique(prefix: str = "x") -> str:
    return f"{prefix}{next(_seq)}-{uuid.uuid4().hex[:8]}"


@dataclass
class Api:
    """An HTTP client bound to one credential."""

    client: TestClient
    token: str
    base: str = "/api/v2"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _h(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {**self.headers, **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.get(self.base + path, headers=self._h(headers), **kw)

    def post(
        self, path: str, json: Any = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.post(self.base + path, json=json, headers=self._h(headers), **kw)

    def put(
        self, path: str, json: Any = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.put(self.base + path, json=json, headers=self._h(headers), **kw)

    def patch(
        self, path: str, json: Any = None, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.patch(self.base + path, json=json, headers=self._h(headers), **kw)

    def delete(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.delete(self.base + path, headers=self._h(headers), **kw)


@dataclass
class Tenant:
    id: uuid.UUID
    partner_id: str
    api: Api  # all scopes
    owner: Api  # owner session token
    owner_email: str
    client: TestClient
    db: Database
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self, *scopes: str, preset: str | None = None) -> Api:
        """A new API key with exactly these scopes."""
        with self.db.transaction() as s:
            new = keys.create_key(
                s, self.id, name="test", scopes=list(scopes) or None, preset=preset
            )
        return Api(self.client, new.plaintext)

    def key_without(self, scope: str) -> Api:
        """A key with every scope except ``scope`` (and its write twin, for reads)."""
        resource = scope.split(":")[0]
        drop = {scope} | ({f"{resource}:write"} if scope.endswith(":read") else set())
        return self.key(*[s for s in ALL_SCOPES if s not in drop])


def make_tenant(db: Database, client: TestClient, *, name: str = "Acme Coffee") -> Tenant:
    email = f"{unique('owner')}@example.com"
    with db.transaction() as s:
        t = create_tenant(s, name=name)
        new = keys.create_key(s, t.id, name="all", preset="write")
        at = db.clock.now()
        user = User(
            id=new_id(),
            tenant_id=t.id,
            email=email,
            name="Owner",
            role="owner",
            password_hash=hash_password(PASSWORD),
            created_at=at,
            updated_at=at,
        )
        s.add(user)
        s.flush()
        token, _ = open_session(s, user, ttl_seconds=30 * 86_400)
        tenant_id, partner_id = t.id, t.partner_id
    return Tenant(
        id=tenant_id,
        partner_id=partner_id,
        api=Api(client, new.plaintext),
        owner=Api(client, token),
        owner_email=email,
        client=client,
        db=db,
    )


def new_user(t: Tenant, role: str, *, email: str | None = None) -> tuple[uuid.UUID, str]:
    """A dashboard user of ``t`` with ``role`` and the suite's :data:`PASSWORD`, as
    :func:`make_tenant` writes the owner: ``(id, email)``."""
    email = email or f"{unique(role)}@example.com"
    with t.db.transaction() as s:
        at = t.db.clock.now()
        user = User(
            id=new_id(),
            tenant_id=t.id,
            email=email,
            name=role.title(),
            role=role,
            password_hash=hash_password(PASSWORD),
            created_at=at,
            updated_at=at,
        )
        s.add(user)
        s.flush()
        return user.id, email


def insert_member(t: Tenant, **kw: Any) -> str:
    """A member row written directly (for ledger tests that need no enrolment side effects)."""
    from punchcard.models import Member

    with t.db.transaction() as s:
        at = t.db.clock.now()
        m = Member(
            tenant_id=t.id,
            id=new_id(),
            email=kw.pop("email", f"{unique('m')}@example.com"),
            status="active",
            enrolled_at=at,
            created_at=at,
            updated_at=at,
            **kw,
        )
        s.add(m)
        s.flush()
        return f"mem_{m.id.hex}"


def award(t: Tenant, member_id: str, amount: int, **kw: Any) -> dict[str, Any]:
    r = t.api.post(f"/members/{member_id}/points", json={"amount": amount, **kw})
    assert r.status_code == 200, r.text
    return dict(r.json())


def balance(t: Tenant, member_id: str) -> int:
    r = t.api.get(f"/members/{member_id}/points")
    assert r.status_code == 200, r.text
    return int(r.json()["balance"])


def make_pool(
    t: Tenant, *, codes: int = 3, points_cost: int | None = 100, **kw: Any
) -> dict[str, Any]:
    body = {
        "name": unique("pool"),
        "discountType": "amount",
        "discountValue": "5.00",
        "generate": {"count": codes},
        **kw,
    }
    if points_cost is not None:
        body["pointsCost"] = points_cost
    r = t.api.post("/coupons/pools", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def verify_tenant(t: Tenant) -> None:
    """Assert every ledger invariant holds for this tenant's members."""
    from punchcard.ledger.verify import verify_all

    with t.db.transaction(write=False) as s:
        report = verify_all(s, t.id)
    assert report.ok, report.violations
