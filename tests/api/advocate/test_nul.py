"""A NUL character in any string of an `/api/v1` body is a 400 naming the field, on
both databases (PostgreSQL text cannot hold NUL: unchecked, it was a 500 there, found
by the live fuzz of `POST /referrals/track`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.advocate.conftest import refused, v1
from tests.factories import Tenant

NUL = "a\x00b"

CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "/referrals/track", {"code": NUL, "visitorId": "v1"}, "code"),
    ("POST", "/referrals/track", {"code": "ABC", "visitorId": NUL}, "visitorId"),
    ("POST", "/referrals/convert", {"code": NUL, "orderId": "o1"}, "code"),
    ("POST", "/referrals/convert", {"code": "ABC", "orderId": NUL}, "orderId"),
    (
        "POST",
        "/sso/recognize",
        {"businessId": NUL, "externalCustomerId": "c", "timestamp": 1, "signature": "ab"},
        "businessId",
    ),
    (
        "POST",
        "/sso/recognize",
        {"businessId": "p", "externalCustomerId": NUL, "timestamp": 1, "signature": "ab"},
        "externalCustomerId",
    ),
    (
        "POST",
        "/sso/mappings",
        {"advocateId": "mem_x", "externalCustomerId": NUL},
        "externalCustomerId",
    ),
    ("PATCH", "/testimonials/tst_x", {"status": NUL}, "status"),
    ("PATCH", "/feedback/ideas/idea_x", {"status": NUL}, "status"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"), CASES, ids=[f"{c[1]}:{c[3]}" for c in CASES]
)
def test_a_nul_in_a_body_string_is_a_400_naming_the_field(
    tenant: Tenant, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    api = v1(tenant)
    r = api.post(path, json=body) if method == "POST" else api.patch(path, json=body)
    refused(r, 400, "VALIDATION_ERROR", field)
