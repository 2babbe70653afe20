"""Shared helpers of the body tests (size limits, duplicate keys, content types): one
request per face, sent raw, and the face's error envelope read back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from punchcard.models import Member, MemberGroup
from tests.factories import Tenant, unique

NATIVE, ADVOCATE, SHOPSOCIALLY, ADDGLOW = "/api/v2", "/api/v1", "/v2/loyalty", "/addglow/v1"
FACES = (NATIVE, ADVOCATE, SHOPSOCIALLY, ADDGLOW)

# A write per face whose body is JSON (ShopSocially's may be a form too), and what it
# writes (counted to show a refusal wrote nothing).
CREATE = {
    NATIVE: "/members",
    ADVOCATE: "/advocates",
    SHOPSOCIALLY: "/users",
    ADDGLOW: "/member-groups",
}


def headers(t: Tenant, face: str, content_type: str | None = None) -> dict[str, str]:
    h = (
        {"partner-id": t.partner_id, "api-key": t.api.token}
        if face == SHOPSOCIALLY
        else {"Authorization": f"Bearer {t.api.token}"}
    )
    if content_type is not None:
        h["Content-Type"] = content_type
    return h


def create_body(face: str, **extra: Any) -> dict[str, Any]:
    """A valid body for ``CREATE[face]``."""
    if face == ADDGLOW:
        return {"name": unique("group"), **extra}
    body: dict[str, Any] = {"email": f"{unique('b')}@example.com"}
    if face == SHOPSOCIALLY:
        body.update(first_name="A", last_name="B", uid=unique("uid"))
    return {**body, **extra}


def written(t: Tenant, face: str) -> int:
    """How many rows ``CREATE[face]`` has written for ``t``."""
    model = MemberGroup if face == ADDGLOW else Member
    with t.db.transaction(write=False) as s:
        return int(
            s.scalar(select(func.count()).select_from(model).where(model.tenant_id == t.id)) or 0
        )


def error(r: Any, face: str, status: int) -> tuple[str | None, str, str | None]:
    """``(code, message, field)`` of an error in the face's envelope (ShopSocially has
    only a ``reason``: ``(None, reason, None)``)."""
    assert r.status_code == status, r.text
    body = r.json()
    if face == SHOPSOCIALLY:
        assert body["success"] is False and set(body) == {"reason", "success"}, body
        return None, str(body["reason"]), None
    err = body["error"]
    return err["code"], err["message"], err["field"]
