"""A JSON body with a key twice at any depth, or a form body with a field twice, is a
400 naming it on every face: ``{"amount": 5, "amount": -140}`` once deducted 140 (the
last key won). Nothing is written; malformed JSON keeps its own error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from punchcard.models import PointsEntry
from tests.api.advocate.conftest import make_advocate
from tests.api.bodies import (
    ADDGLOW,
    ADVOCATE,
    CREATE,
    FACES,
    NATIVE,
    SHOPSOCIALLY,
    create_body,
    error,
    headers,
    written,
)
from tests.factories import Tenant, award, balance, insert_member, unique


def _entries(t: Tenant) -> int:
    with t.db.transaction(write=False) as s:
        stmt = select(func.count()).select_from(PointsEntry).where(PointsEntry.tenant_id == t.id)
        return int(s.scalar(stmt) or 0)


def _post(t: Tenant, face: str, path: str, raw: str, ctype: str = "application/json") -> Any:
    return t.client.post(face + path, content=raw.encode(), headers=headers(t, face, ctype))


def test_a_repeated_amount_is_refused_not_the_last_one_taken(tenant: Tenant) -> None:
    member = insert_member(tenant)
    award(tenant, member, 200)
    before = _entries(tenant)
    r = _post(tenant, NATIVE, f"/members/{member}/points", '{"amount": 5, "amount": -140}')
    code, message, field = error(r, NATIVE, 400)
    assert (code, field) == ("VALIDATION_ERROR", "amount")
    assert "more than once" in message
    assert balance(tenant, member) == 200
    assert _entries(tenant) == before


def test_a_repeated_key_deep_in_a_list_is_named_by_its_path(tenant: Tenant) -> None:
    member = insert_member(tenant)
    head = json.dumps({"externalOrderId": unique("SO"), "memberId": member, "total": "3.00"})
    raw = head[:-1] + (
        ', "items": [{"sku": "a", "price": "1.00"}, {"sku": "b", "price": "1.00"},'
        ' {"sku": "c", "price": "1.00", "sku": "d"}]}'
    )
    r = _post(tenant, NATIVE, "/orders", raw)
    assert error(r, NATIVE, 400)[2] == "items[2].sku"
    assert _entries(tenant) == 0


def test_the_same_key_in_two_objects_is_not_a_repeat(tenant: Tenant) -> None:
    member = insert_member(tenant)
    head = json.dumps({"externalOrderId": unique("SO"), "memberId": member, "total": "2.00"})
    raw = head[:-1] + ', "items": [{"sku": "a", "price": "1.00"}, {"sku": "b", "price": "1.00"}]}'
    assert _post(tenant, NATIVE, "/orders", raw).status_code == 201


def test_the_advocate_face_refuses_a_repeated_amount(tenant: Tenant) -> None:
    advocate = make_advocate(tenant)
    before = _entries(tenant)
    r = _post(
        tenant, ADVOCATE, f"/advocates/{advocate['id']}/points", '{"amount": 5, "amount": -140}'
    )
    code, _, field = error(r, ADVOCATE, 400)
    assert (code, field) == ("VALIDATION_ERROR", "amount")
    assert _entries(tenant) == before


def test_the_addglow_face_refuses_a_repeated_key(tenant: Tenant) -> None:
    before = written(tenant, ADDGLOW)
    r = _post(tenant, ADDGLOW, "/member-groups", '{"name": "a", "name": "b"}')
    code, _, field = error(r, ADDGLOW, 400)
    assert (code, field) == ("VALIDATION_ERROR", "name")
    nested = '{"name": "c", "brandMemberBadge": {"label": "x", "label": "y"}}'
    r = _post(tenant, ADDGLOW, "/member-groups", nested)
    assert error(r, ADDGLOW, 400)[2] == "brandMemberBadge.label"
    assert written(tenant, ADDGLOW) == before


def test_shopsocially_refuses_a_repeated_json_key(tenant: Tenant) -> None:
    before = written(tenant, SHOPSOCIALLY)
    raw = '{"email": "a@example.com", "first_name": "A", "last_name": "B", "uid": "u", "uid": "v"}'
    _, reason, _ = error(_post(tenant, SHOPSOCIALLY, "/users", raw), SHOPSOCIALLY, 400)
    assert "uid" in reason and "more than once" in reason
    assert written(tenant, SHOPSOCIALLY) == before


@pytest.mark.parametrize(
    "ctype", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=XyZ"]
)
def test_shopsocially_refuses_a_repeated_form_field(tenant: Tenant, ctype: str) -> None:
    before = written(tenant, SHOPSOCIALLY)
    fields = [
        ("email", f"{unique('u')}@example.com"),
        ("first_name", "A"),
        ("last_name", "B"),
        ("uid", "u1"),
        ("uid", "u2"),
    ]
    if ctype.startswith("multipart"):
        raw = (
            "".join(
                f'--XyZ\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                for k, v in fields
            )
            + "--XyZ--\r\n"
        )
    else:
        raw = "&".join(f"{k}={v}" for k, v in fields)
    _, reason, _ = error(_post(tenant, SHOPSOCIALLY, "/users", raw, ctype), SHOPSOCIALLY, 400)
    assert reason == "uid is given more than once"
    assert written(tenant, SHOPSOCIALLY) == before


@pytest.mark.parametrize("face", [NATIVE, ADVOCATE, ADDGLOW])
def test_malformed_json_keeps_its_own_error(tenant: Tenant, face: str) -> None:
    r = _post(tenant, face, CREATE[face], '{"email": "a@example.com",')
    code, message, field = error(r, face, 400)
    assert (code, message, field) == ("VALIDATION_ERROR", "Request body is not valid JSON", None)


@pytest.mark.parametrize("face", FACES)
def test_a_body_without_repeats_is_taken(tenant: Tenant, face: str) -> None:
    before = written(tenant, face)
    raw = json.dumps(create_body(face))
    assert _post(tenant, face, CREATE[face], raw).status_code in (200, 201)
    assert written(tenant, face) == before + 1


@pytest.mark.parametrize("raw", [b"\xff\xfe{", b'{"email": "\xeb"}', b"\x80"])
@pytest.mark.parametrize("face", [NATIVE, ADVOCATE, ADDGLOW])
def test_bytes_that_are_not_text_are_a_400(tenant: Tenant, face: str, raw: bytes) -> None:
    r = tenant.client.post(
        face + CREATE[face], content=raw, headers=headers(tenant, face, "application/json")
    )
    assert error(r, face, 400)[0] in ("VALIDATION_ERROR", "HTTP_ERROR")
