"""The ShopSocially face under test: a client that sends `partner-id` and `api-key`,
and helpers that read the `{"data", "success"}` envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.factories import Tenant, unique

BASE = "/v2/loyalty"


@dataclass
class Loyalty:
    """An HTTP client speaking to `/v2/loyalty` as one tenant."""

    client: TestClient
    partner_id: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"partner-id": self.partner_id, "api-key": self.api_key}

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Response:
        return self.client.get(BASE + path, params=params, headers=self.headers, **kw)

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """`data`: form-encoded (curl's `--data`), `json`: a JSON body."""
        return self.client.post(
            BASE + path, data=data, json=json, headers={**self.headers, **(headers or {})}
        )

    def put(
        self, path: str, data: dict[str, Any] | None = None, *, json: Any = None, **kw: Any
    ) -> Response:
        return self.client.put(BASE + path, data=data, json=json, headers=self.headers, **kw)


@pytest.fixture
def ss(tenant: Tenant) -> Loyalty:
    return Loyalty(tenant.client, tenant.partner_id, tenant.api.token)


@pytest.fixture
def other_ss(other_tenant: Tenant) -> Loyalty:
    return Loyalty(other_tenant.client, other_tenant.partner_id, other_tenant.api.token)


def ok(r: Response) -> Any:
    """The `data` of a successful answer."""
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["success"] is True, body
    assert set(body) == {"data", "success"}, body
    return body["data"]


def refused(r: Response, status: int, reason: str | None = None) -> str:
    """The `reason` of a refusal, in the face's error envelope."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"reason", "success"}, body
    assert body["success"] is False
    if reason is not None:
        assert body["reason"] == reason, body
    return str(body["reason"])


def make_user(ss: Loyalty, **kw: Any) -> dict[str, Any]:
    email = kw.pop("email", f"{unique('u')}@example.com")
    body = {
        "first_name": "Rohit",
        "last_name": "B",
        "email": email,
        "uid": kw.pop("uid", unique("uid")),
        **kw,
    }
    return dict(ok(ss.post("/users", body)))


def make_activity(ss: Loyalty, **kw: Any) -> dict[str, Any]:
    body = {
        "activity_id": unique("act").replace("-", "_"),
        "activity_name": "Shared a photo",
        "activity_description": "Shared a photo via mobile or desktop",
        "activity_type": "fixed",
        "approval_method": "immediate",
        "max_award_frequency": 100,
        "max_award_frequency_interval": "day",
        "points_per_activity": 100,
        "is_active": "true",
        **kw,
    }
    return dict(ok(ss.post("/activities", body)))


def award(ss: Loyalty, email: str, activity_id: str, **kw: Any) -> dict[str, Any]:
    return dict(ok(ss.post("/award", {"user_email": email, "activity_id": activity_id, **kw})))


def make_redemption(ss: Loyalty, **kw: Any) -> dict[str, Any]:
    body = {
        "redemption_id": unique("rd").replace("-", "_"),
        "redemption_name": "$50 Gift card",
        "is_active": "true",
        "allowed_redeem_points": 1000,
        "redemption_value": "$50",
        "giftcard_description": "$50 Gift Card",
        "terms_and_conds_text": "redeem code at checkout",
        "redemption_instructions": "apply the code at checkout",
        "giftcard_coupon_codes": f"{unique('C')},{unique('C')},{unique('C')}",
        "coupon_expiry": "30-May-2099",
        **kw,
    }
    return dict(ok(ss.post("/redemptions", body)))


def make_level(ss: Loyalty, **kw: Any) -> dict[str, Any]:
    body = {
        "level_id": unique("lvl"),
        "level_name": "all star level",
        "level_description": "all star level for users",
        "is_active": "true",
        "level_type": "lifetime",
        "level_position": 10,
        "level_minimum_points": 15000,
        "level_bonus_multiplier": 2.5,
        **kw,
    }
    return dict(ok(ss.post("/levels", body)))
