"""The face against the document's own tables (`document.py`): every endpoint it
lists is served at its path and method, with every listed query parameter and body
field, every listed response status, and the listed keys in each success body; every
list pages with `page` and `limit`; every endpoint answers a missing key with 401 in
the document's error object."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.advocate.document import ROWS, Row

PREFIX = "/api/v1"
IDS = [row.id for row in ROWS]


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    r = client.get(f"{PREFIX}/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _operation(spec: dict[str, Any], row: Row) -> dict[str, Any]:
    ops = spec["paths"].get(PREFIX + row.path)
    assert ops is not None, f"{row.path} is not served"
    op = ops.get(row.method.lower())
    assert op is not None, f"{row.method} {row.path} is not served"
    return dict(op)


def _properties(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    schema = _resolve(spec, schema)
    props = set(schema.get("properties", {}))
    for alt in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
        props |= _properties(spec, alt)
    return props


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_every_listed_query_parameter_is_accepted(spec: dict[str, Any], row: Row) -> None:
    op = _operation(spec, row)
    query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
    assert set(row.params) <= query, f"missing {set(row.params) - query}"


@pytest.mark.parametrize("row", [r for r in ROWS if r.body], ids=[r.id for r in ROWS if r.body])
def test_every_listed_body_field_is_accepted(spec: dict[str, Any], row: Row) -> None:
    op = _operation(spec, row)
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    fields = _properties(spec, schema)
    assert set(row.body) <= fields, f"missing {set(row.body) - fields}"


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_every_listed_status_is_documented(spec: dict[str, Any], row: Row) -> None:
    op = _operation(spec, row)
    documented = {int(s) for s in op["responses"]}
    assert set(row.statuses) <= documented, f"missing {set(row.statuses) - documented}"
    # The document has no 409 or 422: business refusals are 400 here.
    assert not documented & {409, 422}


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_every_success_body_has_the_listed_keys(spec: dict[str, Any], row: Row) -> None:
    op = _operation(spec, row)
    for status, keys in row.keys.items():
        if status >= 300 or not keys:
            continue
        schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
        props = _properties(spec, schema)
        assert set(keys) <= props, f"{status}: missing {set(keys) - props}"


# The document's lists: a GET of a collection (its last segment is not an id).
LISTS = [
    r for r in ROWS if r.method == "GET" and not r.path.endswith("}") and "stats" not in r.path
]


@pytest.mark.parametrize("row", LISTS, ids=[r.id for r in LISTS])
def test_every_list_pages_with_page_and_limit(spec: dict[str, Any], row: Row) -> None:
    op = _operation(spec, row)
    query = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    assert {"page", "limit"} <= set(query)
    limit = query["limit"]["schema"]
    assert (limit.get("minimum"), limit.get("maximum"), limit.get("default")) == (1, 100, 20)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_every_endpoint_refuses_a_missing_key_with_401(client: TestClient, row: Row) -> None:
    path = row.path.replace("{id}", "mem_0").replace("{code}", "NOPE")
    r = client.request(row.method, PREFIX + path, json={} if row.method != "GET" else None)
    assert r.status_code == 401
    error = r.json()["error"]
    assert set(error) >= {"code", "message", "field"}
