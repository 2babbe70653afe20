"""Valid requests for every operation of every face, and snapshots of a tenant's data.

The matrices call every operation in the OpenAPI documents. A request that fails
validation proves nothing about isolation or scopes, so each write gets a body that
the seeded tenant itself would have accepted: a recipe from ``BODIES`` or, for an
operation without one, the required fields of its documented schema.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from punchcard.db.uow import Database
from punchcard.models import Tenant as TenantRow
from punchcard.models.base import Base
from tests.factories import Tenant, unique
from tests.reliability.conftest import SecretScanner
from tests.reliability.openapi import Operation, document
from tests.reliability.seed import (
    Seeded,
    addglow_product,
    addglow_variant,
    fill_path,
    loyalty_headers,
)

Body = Callable[[Seeded], dict[str, Any]]

# What the seeded tenant would accept, per operation (the rest: `_from_schema`).
BODIES: dict[str, Body] = {
    "PATCH /api/v2/auth/profile": lambda s: {"name": "Renamed"},
    "POST /api/v2/auth/change-password": lambda s: {
        "currentPassword": "wrong-password-1",
        "newPassword": "another long password",
    },
    "POST /api/v2/api-keys": lambda s: {"name": "k", "preset": "read"},
    "PATCH /api/v2/settings": lambda s: {"timezone": "Europe/Paris"},
    "POST /api/v2/stores": lambda s: {"code": unique("ST"), "name": "Store"},
    "PUT /api/v2/stores/{id}": lambda s: {"name": "Renamed"},
    "POST /api/v2/members": lambda s: {
        "email": f"{unique('m')}@example.com",
        "storeId": s.values["store"],
    },
    "POST /api/v2/members/batch": lambda s: {"members": [{"email": f"{unique('b')}@example.com"}]},
    "PATCH /api/v2/members/{id}": lambda s: {"firstName": "Renamed"},
    "POST /api/v2/members/{id}/points": lambda s: {"amount": 1},
    "PUT /api/v2/members/{id}/tier": lambda s: {"tierId": s.values["tier"]},
    "POST /api/v2/members/{id}/redeem-coupon": lambda s: {"poolId": s.values["pool"]},
    "POST /api/v2/activities": lambda s: {"name": unique("act")},
    "PATCH /api/v2/activities/{id}": lambda s: {"name": "Renamed"},
    "POST /api/v2/activities/{id}/award": lambda s: {"memberId": s.member},
    "POST /api/v2/tiers": lambda s: {"name": unique("tier"), "minPoints": 1_000_000},
    "PATCH /api/v2/tiers/{id}": lambda s: {"name": "Renamed"},
    "POST /api/v2/rewards": lambda s: {"name": unique("rw"), "pointsCost": 5},
    "PATCH /api/v2/rewards/{id}": lambda s: {"name": "Renamed"},
    "POST /api/v2/rewards/{id}/redeem": lambda s: {"memberId": s.member},
    "PATCH /api/v2/points/transactions/{id}": lambda s: {"status": "approved"},
    "POST /api/v2/quests": lambda s: {"title": unique("q"), "tasks": [{"title": "T", "points": 1}]},
    "POST /api/v2/quests/{id}/complete": lambda s: {
        "memberId": s.member,
        "taskId": s.values["quest_task"],
    },
    "POST /api/v2/members/{id}/tags": lambda s: {"tags": ["gold"]},
    "POST /api/v2/member-groups": lambda s: {"name": unique("grp"), "brandMemberBadge": {}},
    "PATCH /api/v2/member-groups/{id}": lambda s: {"name": "Renamed"},
    "PUT /api/v2/members/{id}/groups": lambda s: {"groupIds": [s.values["member_group"]]},
    "POST /api/v2/members/{id}/checkins": lambda s: {"storeId": s.values["store"]},
    "POST /api/v2/orders": lambda s: {
        "externalOrderId": unique("SO"),
        "memberId": s.member,
        "total": "10.00",
    },
    "POST /api/v2/orders/batch": lambda s: {
        "orders": [{"externalOrderId": unique("SO"), "memberId": s.member, "total": "5.00"}]
    },
    "POST /api/v2/orders/{externalOrderId}/refund": lambda s: {"amount": "1.00"},
    "POST /api/v2/coupons/pools": lambda s: {
        "name": unique("pool"),
        "discountType": "amount",
        "discountValue": "1.00",
        "generate": {"count": 1},
    },
    "POST /api/v2/coupons/issue": lambda s: {"poolId": s.values["pool"], "memberId": s.member},
    "POST /api/v2/coupons/{id}/redeem": lambda s: {},
    "POST /api/v2/catalog/import": lambda s: {"format": "generic", "products": []},
    "POST /api/v2/tracking/events": lambda s: {"type": "page_view", "memberId": s.member},
    "POST /api/v2/ambassador/members/{id}/issue-code": lambda s: {},
    "POST /api/v2/referrals/clicks": lambda s: {"code": "NO-SUCH-CODE"},
    "POST /api/v2/referrals/conversions": lambda s: {"code": "NO-SUCH-CODE"},
    "POST /api/v2/webhooks": lambda s: {
        "url": "http://127.0.0.1:9/hook",
        "events": ["points.awarded"],
    },
    "PATCH /api/v2/webhooks/{id}": lambda s: {"description": "renamed"},
    "POST /api/v2/testimonials": lambda s: {"memberId": s.member, "content": "Nice", "rating": 5},
    "PATCH /api/v2/testimonials/{id}": lambda s: {"status": "approved"},
    "POST /api/v2/feedback/boards": lambda s: {"name": unique("board")},
    "POST /api/v2/feedback/boards/{id}/ideas": lambda s: {"title": "Idea", "memberId": s.member},
    "PATCH /api/v2/feedback/ideas/{id}": lambda s: {"status": "planned"},
    "POST /api/v2/feedback/ideas/{id}/votes": lambda s: {"memberId": s.member},
    "POST /api/v2/rooms": lambda s: {"name": unique("room")},
    "POST /api/v2/posts": lambda s: {
        "roomId": s.values["room"],
        "memberId": s.member,
        "content": "Hello",
    },
    "POST /api/v2/posts/{id}/comments": lambda s: {"memberId": s.member, "content": "Nice"},
    "POST /api/v2/posts/{id}/likes": lambda s: {"memberId": s.member},
    "POST /api/v2/comments/{id}/likes": lambda s: {"memberId": s.member},
    "PATCH /api/v1/testimonials/{id}": lambda s: {"status": "approved"},
    "PATCH /api/v1/feedback/ideas/{id}": lambda s: {"status": "planned"},
    # advocate (/api/v1)
    "POST /api/v1/advocates": lambda s: {"email": f"{unique('a')}@example.com", "name": "Ada L"},
    "PATCH /api/v1/advocates/{id}": lambda s: {"name": "Renamed", "tier": s.values["tier"]},
    "POST /api/v1/advocates/{id}/points": lambda s: {"amount": 1},
    "POST /api/v1/rewards": lambda s: {"name": unique("rw"), "pointsCost": 5, "stock": 3},
    "POST /api/v1/rewards/{id}/redeem": lambda s: {"advocateId": s.member},
    "POST /api/v1/quests": lambda s: {"title": unique("q"), "tasks": [{"title": "T", "points": 1}]},
    "POST /api/v1/quests/{id}/complete": lambda s: {
        "advocateId": s.member,
        "taskId": s.values["quest_task"],
    },
    # ShopSocially (form fields, sent as JSON, which the face also reads)
    "POST /v2/loyalty/award": lambda s: {
        "user_email": s.member_email,
        "activity_id": s.values["ss_activity"],
    },
    "POST /v2/loyalty/redeem": lambda s: {
        "user_email": s.member_email,
        "redemption_id": s.values["ss_redemption"],
    },
    "POST /v2/loyalty/deduct": lambda s: {"user_email": s.member_email, "points": 1},
    "POST /v2/loyalty/transaction/return": lambda s: {
        "order_id": "NO-SUCH-ORDER",
        "returned_amount": 1,
    },
    "PUT /v2/loyalty/transactions/{transaction_id}": lambda s: {"points_status": "approved"},
    "POST /v2/loyalty/users": lambda s: {
        "email": f"{unique('u')}@example.com",
        "first_name": "Ada",
    },
    "PUT /v2/loyalty/users/{uid}": lambda s: {"first_name": "Renamed"},
    "PUT /v2/loyalty/activities/{activity_id}": lambda s: {"activity_name": "Renamed"},
    "PUT /v2/loyalty/redemptions/{redemption_id}": lambda s: {"redemption_name": "Renamed"},
    "PUT /v2/loyalty/levels/{level_id}": lambda s: {"level_name": "Renamed"},
    "POST /addglow/v1/products": lambda s: addglow_product(),
    "PATCH /addglow/v1/products/{id}": lambda s: {"title": "Renamed"},
    "POST /addglow/v1/products/bulk": lambda s: {"upsertRecords": [addglow_product()]},
    "POST /addglow/v1/product-variants": lambda s: addglow_variant(s.values["ag_product_store_id"]),
    "PATCH /addglow/v1/product-variants/{id}": lambda s: {"title": "Renamed"},
    "POST /addglow/v1/product-variants/bulk": lambda s: {
        "upsertRecords": [addglow_variant(s.values["ag_product_store_id"])]
    },
}


def _window() -> dict[str, str]:
    """A ShopSocially date window (MM/DD/YYYY) around today."""
    today = datetime.now(UTC).date()
    return {
        "from_date": (today - timedelta(days=7)).strftime("%m/%d/%Y"),
        "to_date": (today + timedelta(days=1)).strftime("%m/%d/%Y"),
    }


# Required query parameters, per operation.
QUERIES: dict[str, Callable[[], dict[str, str]]] = {
    "GET /v2/loyalty/transactions": _window,
    "GET /v2/loyalty/users/{user_email}/transactions": _window,
    "GET /v2/loyalty/users": _window,
}


def query_for(op: Operation) -> dict[str, str] | None:
    return QUERIES[op.label]() if op.label in QUERIES else None


def body_for(op: Operation, seeded: Seeded) -> dict[str, Any] | None:
    if op.label in BODIES:
        return BODIES[op.label](seeded)
    schema = op.body_schema(document(op.face))
    if schema is None:
        return None
    return _from_schema(schema, document(op.face))


def _from_schema(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The required properties of a body schema, with a plain value of each type."""
    out: dict[str, Any] = {}
    props = schema.get("properties", {})
    for name in schema.get("required", []):
        prop = props.get(name, {})
        if "enum" in prop:
            out[name] = prop["enum"][0]
            continue
        kind = prop.get("type", "string")
        out[name] = {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(
            kind, "x"
        )
    return out


@dataclass
class Credentials:
    """How one tenant authenticates on each face: an API key, and an owner session for
    the operations that need a user."""

    tenant: Tenant
    key_token: str
    session: str
    # A member session of the tenant, for the member's own routes (``/api/v2/me/...``).
    member_session: str | None = None

    def headers(self, op: Operation) -> dict[str, str]:
        if op.face == "shopsocially":
            return {"partner-id": self.tenant.partner_id, "api-key": self.key_token}
        if op.scope == "member-session" and self.member_session is not None:
            return {"Authorization": f"Bearer {self.member_session}"}
        if op.scope in ("session", "admin-session"):
            return {"Authorization": f"Bearer {self.session}"}
        return {"Authorization": f"Bearer {self.key_token}"}


def send(
    client: TestClient,
    scanner: SecretScanner,
    op: Operation,
    headers: dict[str, str],
    ids: dict[tuple[str, str], str],
    body: dict[str, Any] | None,
) -> Any:
    """Call ``op`` with these ids and body; every answer is scanned for secrets."""
    path = fill_path(op.path, ids)
    r = client.request(op.method.upper(), path, headers=headers, json=body, params=query_for(op))
    scanner.check(op.method.upper(), path, r.status_code, r.content)
    return r


# --- snapshots --------------------------------------------------------------------

# Written by every call whatever it does (the audit log, the key's last use, the
# idempotency records of refused calls are released), so not "the tenant's data".
_NOT_DATA = {"audit_log", "idempotency_keys", "user_sessions"}
_VOLATILE = {("api_keys", "last_used_at")}


def snapshot(db: Database, tenant_id: uuid.UUID) -> dict[str, list[str]]:
    """Every row of the tenant, table by table, as sorted JSON strings."""
    out: dict[str, list[str]] = {}
    with db.transaction(write=False) as s:
        tenants = TenantRow.__table__
        out["tenants"] = [
            json.dumps(dict(r), default=str, sort_keys=True)
            for r in s.execute(select(tenants).where(tenants.c.id == tenant_id)).mappings()
        ]
        for table in Base.metadata.sorted_tables:
            if table.name in _NOT_DATA or "tenant_id" not in table.c:
                continue
            rows = s.execute(select(table).where(table.c.tenant_id == tenant_id)).mappings()
            out[table.name] = sorted(
                json.dumps(
                    {k: v for k, v in r.items() if (table.name, k) not in _VOLATILE},
                    default=str,
                    sort_keys=True,
                )
                for r in rows
            )
    return out


def diff(before: dict[str, list[str]], after: dict[str, list[str]]) -> dict[str, Any]:
    """Tables whose rows changed, with the rows that went and came."""
    out = {}
    for table in sorted(set(before) | set(after)):
        gone = sorted(set(before.get(table, [])) - set(after.get(table, [])))
        came = sorted(set(after.get(table, [])) - set(before.get(table, [])))
        if gone or came:
            out[table] = {"gone": gone[:3], "came": came[:3]}
    return out


def credentials(seeded: Seeded, session: str) -> Credentials:
    return Credentials(seeded.tenant, seeded.tenant.api.token, session)


__all__ = [
    "BODIES",
    "Credentials",
    "body_for",
    "credentials",
    "diff",
    "loyalty_headers",
    "send",
    "snapshot",
]
