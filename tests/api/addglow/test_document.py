"""The face against AddGlow's document, operation by operation (``document.py`` reads
it): every operation is served at its path and method; every query parameter and body
field it lists is in the face's OpenAPI with the document's rule (required or not,
nullable or not, bounds, length, pattern, default); and the face *answers* by those
rules: a missing required field, a null where none is allowed, an over-long string, a
malformed URI, email, UUID or date-time, a limit out of 1..100 are each a 400 naming
the field, and a null where the document allows one is accepted."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.addglow.conftest import ag
from tests.api.addglow.document import DOCUMENT, Field, Operation
from tests.factories import Tenant, unique

PREFIX = "/addglow/v1"
IDS = [o.id for o in DOCUMENT]
NULLABLE_NOT = {"string", "integer", "boolean", "array", "object"}

# Where the face allows a null the document does not list, on purpose (docs/addglow.md):
# a null badge means "no badge" (create without one, remove it on PATCH), since the
# document offers no other way to remove a group's badge.
NULL_ALLOWED = {("POST /member-groups", "brandMemberBadge"),
                ("PATCH /member-groups/{id}", "brandMemberBadge")}  # fmt: skip


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    r = client.get(f"{PREFIX}/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _operation(spec: dict[str, Any], o: Operation) -> dict[str, Any]:
    ops = spec["paths"].get(PREFIX + o.op.path)
    assert ops is not None, f"{o.op.path} is not served"
    op = ops.get(o.op.method.lower())
    assert op is not None, f"{o.id} is not served"
    return dict(op)


def _body_schema(spec: dict[str, Any], o: Operation) -> dict[str, Any]:
    op = _operation(spec, o)
    return _resolve(spec, op["requestBody"]["content"]["application/json"]["schema"])


def _variants(spec: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """A property's schema and, for ``X | None``, its alternatives (resolved)."""
    schema = _resolve(spec, schema)
    return [_resolve(spec, s) for s in schema.get("anyOf", [])] or [schema]


def _nullable(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    return any(s.get("type") == "null" for s in _variants(spec, schema))


def _of(spec: dict[str, Any], schema: dict[str, Any], key: str) -> Any:
    for s in _variants(spec, schema):
        if key in s:
            return s[key]
    return None


@pytest.mark.parametrize("o", DOCUMENT, ids=IDS)
def test_every_operation_is_served_and_refuses_a_missing_key_with_401(
    spec: dict[str, Any], client: TestClient, o: Operation
) -> None:
    _operation(spec, o)
    path = o.op.path.replace("{id}", "575afa13-cf79-439d-8be8-2751615dc0f5")
    r = client.request(o.op.method, PREFIX + path, json={} if o.op.method != "GET" else None)
    assert r.status_code == 401, r.text
    assert set(r.json()["error"]) == {"code", "message", "field"}


@pytest.mark.parametrize("o", DOCUMENT, ids=IDS)
def test_every_query_parameter_has_the_documents_bounds_and_default(
    spec: dict[str, Any], o: Operation
) -> None:
    op = _operation(spec, o)
    query = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    for f in o.where("query"):
        assert f.name in query, f"{o.id}: no query parameter {f.name}"
        schema = query[f.name]["schema"]
        if f.minimum is not None:
            assert (_of(spec, schema, "minimum"), _of(spec, schema, "maximum")) == (
                f.minimum,
                f.maximum,
            ), f.name
        if f.default is not None:
            assert schema.get("default") == f.default, f.name
        assert not query[f.name].get("required", False), f"{f.name} is optional"


WITH_BODY = [o for o in DOCUMENT if o.where("body")]


@pytest.mark.parametrize("o", WITH_BODY, ids=[o.id for o in WITH_BODY])
def test_every_body_field_has_the_documents_rule(spec: dict[str, Any], o: Operation) -> None:
    schema = _body_schema(spec, o)
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    for f in o.where("body"):
        assert f.name in props, f"{o.id}: no body field {f.name}"
        prop = props[f.name]
        assert (f.name in required) == f.required, f"{f.name}: required is {f.required}"
        nullable = f.nullable or (o.id, f.name) in NULL_ALLOWED
        assert _nullable(spec, prop) == nullable, f"{f.name}: nullable is {nullable}"
        if f.max_length is not None:
            assert _of(spec, prop, "maxLength") == f.max_length, f.name
        if f.max_items is not None:
            assert _of(spec, prop, "maxItems") == f.max_items, f.name
        if f.pattern is not None:
            assert (_of(spec, prop, "pattern") or "").startswith(f.pattern), f.name


# --- the face answers by the rules ---------------------------------------------------


def _custom_auth(t: Tenant) -> None:
    r = t.api.patch("/settings", json={"customAuthEnabled": True})
    assert r.status_code == 200, r.text


def _product(t: Tenant) -> dict[str, Any]:
    body = _bodies["POST /products"](t)
    r = ag(t).post("/products", json=body)
    assert r.status_code in (200, 201), r.text
    return dict(r.json()["data"])


def _group(t: Tenant) -> dict[str, Any]:
    r = ag(t).post("/member-groups", json={"name": unique("group")})
    assert r.status_code in (200, 201), r.text
    return dict(r.json()["data"])


def _variant(t: Tenant) -> dict[str, Any]:
    r = ag(t).post("/product-variants", json=_bodies["POST /product-variants"](t))
    assert r.status_code in (200, 201), r.text
    return dict(r.json()["data"])


def _magic_body(t: Tenant) -> dict[str, Any]:
    _custom_auth(t)
    return {"customAuthSub": unique("sub"), "email": f"{unique('m')}@example.com"}


def _product_body(t: Tenant) -> dict[str, Any]:
    return {
        "storeId": unique("gid://shopify/Product/"),
        "title": "Tee",
        "description": "A tee",
        "imageUrl": "https://example.com/tee.png",
        "imageWidth": 800,
        "imageHeight": 600,
        "onlineStoreUrl": "https://shop.example.com/tee",
    }


def _variant_body(t: Tenant) -> dict[str, Any]:
    product = _product(t)
    return {
        "storeId": unique("gid://shopify/ProductVariant/"),
        "productStoreId": product["storeId"],
        "title": "Large / Blue",
        "position": 1,
    }


# A valid body for each operation that takes one, and the path it is sent to.
_bodies: dict[str, Callable[[Tenant], dict[str, Any]]] = {
    "POST /auth/magic-link": _magic_body,
    "POST /member-groups": lambda t: {"name": unique("group")},
    "PATCH /member-groups/{id}": lambda t: {"name": unique("group")},
    "PATCH /members/{id}": lambda t: {"isBanned": False},
    "POST /products": _product_body,
    "PATCH /products/{id}": lambda t: {"title": "Tee 2"},
    "POST /product-variants": _variant_body,
    "PATCH /product-variants/{id}": lambda t: {"title": "Small"},
    "POST /products/bulk": lambda t: {"upsertRecords": [], "deleteRecords": []},
    "POST /product-variants/bulk": lambda t: {"upsertRecords": [], "deleteRecords": []},
}


def _member(t: Tenant) -> dict[str, Any]:
    r = t.api.post("/members", json={"email": f"{unique('m')}@example.com"})
    assert r.status_code == 201, r.text
    return {"id": r.json()["id"].split("_", 1)[1]}


_targets: dict[str, Callable[[Tenant], dict[str, Any]]] = {
    "/members/{id}": _member,
    "/member-groups/{id}": _group,
    "/products/{id}": _product,
    "/product-variants/{id}": _variant,
}


def _path(t: Tenant, o: Operation) -> str:
    if "{id}" not in o.op.path:
        return o.op.path
    target = _targets[o.op.path](t)
    return o.op.path.replace("{id}", str(uuid.UUID(target["id"])))


def _send(t: Tenant, o: Operation, body: dict[str, Any], path: str) -> Any:
    api = ag(t)
    return getattr(api, o.op.method.lower())(path, json=body)


def _field_cases(o: Operation) -> list[tuple[Operation, Field]]:
    return [(o, f) for f in o.where("body") if f.kind in NULLABLE_NOT]


CASES = [c for o in WITH_BODY for c in _field_cases(o)]
CASE_IDS = [f"{o.id} {f.name}" for o, f in CASES]


def _error(r: Any, field: str) -> None:
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["field"] == field or error["field"].startswith(f"{field}["), error


@pytest.mark.parametrize(("o", "f"), CASES, ids=CASE_IDS)
def test_a_field_is_refused_or_accepted_by_its_rule(tenant: Tenant, o: Operation, f: Field) -> None:
    body = _bodies[o.id](tenant)
    path = _path(tenant, o)
    if f.required:
        # Left out: a 400 naming it.
        _error(_send(tenant, o, {k: v for k, v in body.items() if k != f.name}, path), f.name)
        body = _bodies[o.id](tenant)
    # Null: accepted where the document allows it, else a 400 naming it.
    r = _send(tenant, o, {**body, f.name: None}, path)
    if f.nullable or (o.id, f.name) in NULL_ALLOWED:
        assert r.status_code < 300, r.text
    else:
        _error(r, f.name)
    if f.max_length is not None:
        body = _bodies[o.id](tenant)
        long = ("/" if f.pattern == "^/" else "") + "x" * f.max_length  # one over (or /)
        long = long if len(long) > f.max_length else long + "x"
        _error(_send(tenant, o, {**body, f.name: long}, path), f.name)
    if f.pattern == "^/":
        body = _bodies[o.id](tenant)
        _error(_send(tenant, o, {**body, f.name: "https://evil.example/"}, path), f.name)
    if f.format in ("uri", "email"):
        body = _bodies[o.id](tenant)
        _error(_send(tenant, o, {**body, f.name: "not a " + f.format}, path), f.name)
    if f.max_items is not None:
        body = _bodies[o.id](tenant)
        many = ["x"] * (f.max_items + 1) if f.name == "deleteRecords" else [{}] * (f.max_items + 1)
        _error(_send(tenant, o, {**body, f.name: many}, path), f.name)


LISTS = [o for o in DOCUMENT if any(f.name == "limit" for f in o.where("query"))]


@pytest.mark.parametrize("o", LISTS, ids=[o.id for o in LISTS])
def test_a_list_refuses_a_limit_out_of_range_and_malformed_ids_and_times(
    tenant: Tenant, o: Operation
) -> None:
    api = ag(tenant)
    for limit in (0, 101, "ten"):
        _error(api.get(o.op.path, params={"limit": limit}), "limit")
    r = api.get(o.op.path)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"hasMore", "data"}
    for f in o.where("query"):
        if f.format == "uuid" and f.name != "productStoreId":
            # productStoreId is a store id (any string, the document's own example is
            # gid://shopify/Product/123) although its filter says <uuid>.
            _error(api.get(o.op.path, params={f.name: "not-a-uuid"}), f.name)
        if f.format == "date-time":
            _error(api.get(o.op.path, params={f.name: "yesterday"}), f.name)
        if f.name in ("after", "cursor"):
            # The id of no item: a 400 naming it.
            _error(api.get(o.op.path, params={f.name: "575afa13-cf79-439d-8be8-2751615dc0f5"}),
                   f.name)  # fmt: skip
