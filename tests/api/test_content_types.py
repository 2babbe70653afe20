"""A body in a content type the endpoint does not read is a 415 naming the accepted
types, in the face's envelope (it was a 400 "Input should be a valid dictionary").
JSON is ``application/json`` with or without parameters, and ``application/*+json``;
ShopSocially reads forms as well as JSON, as its document requires."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.bodies import (
    ADDGLOW,
    CREATE,
    FACES,
    NATIVE,
    SHOPSOCIALLY,
    create_body,
    error,
    headers,
    written,
)
from tests.factories import Tenant

JSON_FACES = [f for f in FACES if f != SHOPSOCIALLY]
WRONG = {
    "application/x-www-form-urlencoded": "email=a%40example.com",
    "text/plain": "email: a@example.com",
    "application/xml": "<member><email>a@example.com</email></member>",
}


def _post(t: Tenant, face: str, raw: str, ctype: str | None) -> Any:
    h = headers(t, face, ctype)
    return t.client.post(face + CREATE[face], content=raw.encode(), headers=h)


@pytest.mark.parametrize("face", JSON_FACES)
@pytest.mark.parametrize("ctype", sorted(WRONG))
def test_a_json_endpoint_answers_415_to_another_type(tenant: Tenant, face: str, ctype: str) -> None:
    before = written(tenant, face)
    code, message, field = error(_post(tenant, face, WRONG[ctype], ctype), face, 415)
    assert code == "UNSUPPORTED_MEDIA_TYPE" and field == "Content-Type"
    assert ctype in message and "application/json" in message
    assert written(tenant, face) == before


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize(
    "ctype",
    [None, "application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
)
def test_json_in_any_of_its_spellings_is_read(tenant: Tenant, face: str, ctype: str | None) -> None:
    before = written(tenant, face)
    r = _post(tenant, face, json.dumps(create_body(face)), ctype)
    assert r.status_code in (200, 201), r.text
    assert written(tenant, face) == before + 1


@pytest.mark.parametrize("ctype", ["text/plain", "application/xml"])
def test_shopsocially_answers_415_naming_form_and_json(tenant: Tenant, ctype: str) -> None:
    before = written(tenant, SHOPSOCIALLY)
    _, reason, _ = error(_post(tenant, SHOPSOCIALLY, WRONG[ctype], ctype), SHOPSOCIALLY, 415)
    assert "application/x-www-form-urlencoded" in reason and "application/json" in reason
    assert written(tenant, SHOPSOCIALLY) == before


def test_shopsocially_still_reads_a_form(tenant: Tenant) -> None:
    before = written(tenant, SHOPSOCIALLY)
    body = create_body(SHOPSOCIALLY)
    r = tenant.client.post(
        SHOPSOCIALLY + "/users", data=body, headers=headers(tenant, SHOPSOCIALLY)
    )
    assert r.status_code == 200, r.text
    assert written(tenant, SHOPSOCIALLY) == before + 1


def test_an_endpoint_without_a_body_takes_an_empty_one_without_a_type(tenant: Tenant) -> None:
    # No body, no content type: the endpoint runs (here: an unknown post, 404).
    r = tenant.client.post("/api/v2/posts/pst_0000/hide", headers=headers(tenant, NATIVE))
    assert error(r, NATIVE, 404)[0] == "NOT_FOUND"


def test_an_empty_body_on_a_json_endpoint_is_not_a_415(tenant: Tenant) -> None:
    r = tenant.client.post("/api/v2/members", headers=headers(tenant, NATIVE, "text/plain"))
    assert r.status_code == 400, r.text


@pytest.mark.parametrize("face", FACES)
def test_every_face_documents_its_415(client: Any, face: str) -> None:
    doc = client.get(f"{face}/openapi.json").json()
    unsupported = doc["paths"][face + CREATE[face]]["post"]["responses"]["415"]
    expected = "application/x-www-form-urlencoded" if face == SHOPSOCIALLY else "application/json"
    assert expected in unsupported["description"]
    for ops in doc["paths"].values():
        for op in ops.values():
            if "requestBody" in op:
                assert "415" in op["responses"], op.get("summary")


def test_addglow_bulk_refuses_a_form(tenant: Tenant) -> None:
    r = tenant.client.post(
        ADDGLOW + "/products/bulk",
        content=b"upsertRecords=1",
        headers=headers(tenant, ADDGLOW, "application/x-www-form-urlencoded"),
    )
    assert error(r, ADDGLOW, 415)[0] == "UNSUPPORTED_MEDIA_TYPE"
