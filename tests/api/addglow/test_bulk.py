"""``POST /products/bulk`` and ``POST /product-variants/bulk``: up to 100 upserts and
100 deletes by store id, every record checked before anything is written, upserts
before deletes, and 10 calls a minute per API key and endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.addglow.catalog_helpers import make_product, make_variant, product_body, variant_body
from tests.api.addglow.conftest import ag, refused
from tests.factories import Api, Tenant


def _listed(api: Api, path: str) -> list[dict[str, Any]]:
    return list(api.get(path, params={"limit": 100}).json()["data"])


def _store_ids(api: Api, path: str) -> set[str]:
    return {x["storeId"] for x in _listed(api, path)}


def _upsertable(variant: dict[str, Any], **over: Any) -> dict[str, Any]:
    """A variant as returned, as an upsert record."""
    body = {
        k: v for k, v in variant.items() if k not in ("id", "productId", "createdAt", "updatedAt")
    }
    return {**body, **over}


def test_products_are_created_updated_and_deleted_by_store_id(api: Api) -> None:
    kept = make_product(api)
    gone = make_product(api)
    gone_variant = make_variant(api, gone["storeId"])
    new = [product_body(title=f"New {i}") for i in range(3)]
    changed = product_body(storeId=kept["storeId"], title="Changed", imageUrl=None)
    r = api.post(
        "/products/bulk",
        json={
            "upsertRecords": [*new, changed],
            "deleteRecords": [gone["storeId"], "never-existed"],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"success": True}
    listed = {p["storeId"]: p for p in _listed(api, "/products")}
    assert set(listed) == {kept["storeId"], *(b["storeId"] for b in new)}
    updated = listed[kept["storeId"]]
    assert updated["id"] == kept["id"] and updated["createdAt"] == kept["createdAt"]
    assert updated["title"] == "Changed" and updated["imageUrl"] is None
    for b in new:
        assert {k: listed[b["storeId"]][k] for k in b} == b
    refused(api.get(f"/product-variants/{gone_variant['id']}"), 404, "NOT_FOUND")


def test_upserts_run_before_deletes(api: Api) -> None:
    both = product_body()
    r = api.post(
        "/products/bulk", json={"upsertRecords": [both], "deleteRecords": [both["storeId"]]}
    )
    assert r.status_code == 200, r.text
    assert _listed(api, "/products") == []


def test_an_empty_call_does_nothing(api: Api) -> None:
    make_product(api)
    for body in ({}, {"upsertRecords": [], "deleteRecords": []}):
        assert api.post("/products/bulk", json=body).json() == {"success": True}
    assert len(_listed(api, "/products")) == 1


def test_a_hundred_of_each_is_the_limit(api: Api) -> None:
    upserts = [product_body() for _ in range(100)]
    deletes = [f"gone-{i}" for i in range(100)]
    r = api.post("/products/bulk", json={"upsertRecords": upserts, "deleteRecords": deletes})
    assert r.status_code == 200, r.text
    assert len(_listed(api, "/products")) == 100
    refused(
        api.post("/products/bulk", json={"upsertRecords": [*upserts, product_body()]}),
        400,
        "VALIDATION_ERROR",
        "upsertRecords",
    )
    refused(
        api.post("/products/bulk", json={"deleteRecords": [*deletes, "x"]}),
        400,
        "VALIDATION_ERROR",
        "deleteRecords",
    )
    refused(
        api.post("/product-variants/bulk", json={"deleteRecords": [*deletes, "x"]}),
        400,
        "VALIDATION_ERROR",
        "deleteRecords",
    )


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"title": None}, "upsertRecords[2].title"),
        ({"imageUrl": "nope"}, "upsertRecords[2].imageUrl"),
        ({"imageWidth": 0}, "upsertRecords[2].imageWidth"),
        ({"storeId": ""}, "upsertRecords[2].storeId"),
        ({"extra": 1}, "upsertRecords[2].extra"),
    ],
)
def test_one_bad_product_record_writes_nothing(
    api: Api, record: dict[str, Any], field: str
) -> None:
    existing = make_product(api)
    existing_variant = make_variant(api, existing["storeId"])
    upserts = [
        product_body(),
        product_body(storeId=existing["storeId"], title="Changed"),
        product_body(**record),
    ]
    r = api.post(
        "/products/bulk", json={"upsertRecords": upserts, "deleteRecords": [existing["storeId"]]}
    )
    refused(r, 400, "VALIDATION_ERROR", field)
    assert _listed(api, "/products") == [existing]
    assert _listed(api, "/product-variants") == [existing_variant]


def test_a_missing_field_is_named_with_its_record(api: Api) -> None:
    body = product_body()
    del body["imageHeight"]
    r = api.post("/products/bulk", json={"upsertRecords": [product_body(), body]})
    error = refused(r, 400, "VALIDATION_ERROR", "upsertRecords[1].imageHeight")
    assert "upsertRecords[1].imageHeight" in error["message"]
    assert _listed(api, "/products") == []


def test_a_bad_delete_record_or_a_repeated_store_id_writes_nothing(api: Api) -> None:
    existing = make_product(api)
    for bad in ("", "x" * 129, None, 7):
        r = api.post(
            "/products/bulk",
            json={
                "upsertRecords": [product_body()],
                "deleteRecords": [existing["storeId"], "a", bad],
            },
        )
        refused(r, 400, "VALIDATION_ERROR", "deleteRecords[2]")
    twice = product_body()
    r = api.post(
        "/products/bulk",
        json={
            "upsertRecords": [twice, product_body(), twice],
            "deleteRecords": [existing["storeId"]],
        },
    )
    refused(r, 400, "VALIDATION_ERROR", "upsertRecords[2].storeId")
    assert _listed(api, "/products") == [existing]


def test_variants_are_created_updated_moved_and_deleted(api: Api) -> None:
    p1, p2 = make_product(api), make_product(api)
    moving = make_variant(api, p1["storeId"], priceCents=100)
    gone = make_variant(api, p1["storeId"])
    new = variant_body(p2["storeId"], priceCents=500, currency="JPY")
    r = api.post(
        "/product-variants/bulk",
        json={
            "upsertRecords": [
                new,
                _upsertable(moving, productStoreId=p2["storeId"], priceCents=250),
            ],
            "deleteRecords": [gone["storeId"], "never-existed"],
        },
    )
    assert r.status_code == 200, r.text
    listed = {v["storeId"]: v for v in _listed(api, "/product-variants")}
    assert set(listed) == {moving["storeId"], new["storeId"]}
    moved = listed[moving["storeId"]]
    assert moved["id"] == moving["id"] and moved["productId"] == p2["id"]
    assert moved["priceCents"] == 250 and moved["productStoreId"] == p2["storeId"]
    assert {k: listed[new["storeId"]][k] for k in new} == new


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"productStoreId": "no-such-product"}, "upsertRecords[1].productStoreId"),
        ({"priceCents": 1501, "currency": "KWD"}, "upsertRecords[1].priceCents"),
        ({"position": None}, "upsertRecords[1].position"),
        ({"currency": "usd"}, "upsertRecords[1].currency"),
    ],
)
def test_one_bad_variant_record_writes_nothing(
    api: Api, record: dict[str, Any], field: str
) -> None:
    product = make_product(api)
    existing = make_variant(api, product["storeId"])
    upserts = [variant_body(product["storeId"]), variant_body(product["storeId"], **record)]
    r = api.post(
        "/product-variants/bulk",
        json={"upsertRecords": upserts, "deleteRecords": [existing["storeId"]]},
    )
    refused(r, 400, "VALIDATION_ERROR", field)
    assert _listed(api, "/product-variants") == [existing]


def test_another_tenants_product_is_unknown_to_bulk(api: Api, other_tenant: Tenant) -> None:
    theirs = make_product(ag(other_tenant))
    r = api.post(
        "/product-variants/bulk", json={"upsertRecords": [variant_body(theirs["storeId"])]}
    )
    refused(r, 400, "VALIDATION_ERROR", "upsertRecords[0].productStoreId")
    r = api.post("/products/bulk", json={"deleteRecords": [theirs["storeId"]]})
    assert r.status_code == 200, r.text
    assert ag(other_tenant).get(f"/products/{theirs['id']}").json()["data"] == theirs


def test_eleven_bulk_calls_a_minute_the_eleventh_is_refused(tenant: Tenant) -> None:
    api = ag(tenant)
    for _ in range(10):
        assert api.post("/products/bulk", json={}).status_code == 200
    r = api.post("/products/bulk", json={"upsertRecords": [product_body()]})
    error = refused(r, 429, "RATE_LIMITED")
    assert 1 <= int(r.headers["Retry-After"]) <= 60, r.headers
    assert "10" in error["message"]
    assert _listed(api, "/products") == []  # the refused call wrote nothing
    # The other endpoint and another key have counters of their own.
    assert api.post("/product-variants/bulk", json={}).status_code == 200
    other_key = ag(tenant, tenant.key_without("members:read"))
    assert other_key.post("/products/bulk", json={}).status_code == 200
    # Other calls are not limited by it.
    assert api.post("/products", json=product_body()).status_code == 200


def test_the_variant_endpoint_counts_on_its_own(tenant: Tenant) -> None:
    api = ag(tenant)
    for _ in range(10):
        assert api.post("/product-variants/bulk", json={}).status_code == 200
    refused(api.post("/product-variants/bulk", json={}), 429, "RATE_LIMITED")
    assert api.post("/products/bulk", json={}).status_code == 200
