"""The Brand Product Variants group (``/product-variants``): variants under their
product's store id, ``priceCents`` + ``currency`` kept as the native price, moves
between products, filters, paging, scopes and tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.addglow.catalog_helpers import make_product, make_variant, variant_body
from tests.api.addglow.conftest import NIL, ag, native_id, refused, without
from tests.conftest import TestClock
from tests.factories import Api, Tenant

REQUIRED = ["storeId", "productStoreId", "title", "position"]
NULLABLE = ["barcode", "sku", "priceCents", "currency", "imageUrl", "imageWidth", "imageHeight"]
BAD: list[tuple[str, Any]] = [
    ("storeId", ""),
    ("storeId", "s" * 129),
    ("storeId", None),
    ("productStoreId", ""),
    ("productStoreId", None),
    ("title", ""),
    ("title", "t" * 501),
    ("title", None),
    ("position", None),
    ("position", -1),
    ("position", "1"),
    ("position", 2**31),
    ("barcode", "b" * 129),
    ("sku", "s" * 129),
    ("sku", 12),
    ("priceCents", -1),
    ("priceCents", 1.5),
    ("priceCents", "100"),
    ("priceCents", 10**15),
    ("currency", "usd"),
    ("currency", "US"),
    ("currency", "USDX"),
    ("imageUrl", "cdn.example.com/a.png"),
    ("imageWidth", 0),
    ("imageHeight", 100_001),
]


@pytest.fixture
def product(api: Api) -> dict[str, Any]:
    return make_product(api)


def _native_variant(t: Tenant, variant: dict[str, Any]) -> dict[str, Any]:
    native = t.api.get(f"/products/{native_id('prd', variant['productId'])}").json()
    return next(v for v in native["variants"] if v["externalId"] == variant["storeId"])


def test_a_created_variant_carries_every_field(
    tenant: Tenant, api: Api, product: dict[str, Any]
) -> None:
    body = variant_body(product["storeId"], imageUrl="https://cdn.example.com/v.png")
    r = api.post("/product-variants", json=body)
    assert r.status_code == 200, r.text
    made = r.json()["data"]
    assert {k: made[k] for k in body} == body
    assert made["productId"] == product["id"]
    assert api.get(f"/product-variants/{made['id']}").json() == {"data": made}
    # The same row the native face shows under the product, its price in money.
    native = _native_variant(tenant, made)
    assert native["price"] == "29.99" and native["sku"] == body["sku"]


@pytest.mark.parametrize(
    ("cents", "currency", "price"),
    [
        (2999, "USD", "29.99"),
        (500, "JPY", "500.00"),
        (1500, "KWD", "1.50"),
        (250, None, "2.50"),
        (0, "EUR", "0.00"),
    ],
)
def test_price_cents_are_the_currencys_minor_unit(
    tenant: Tenant,
    api: Api,
    product: dict[str, Any],
    cents: int,
    currency: str | None,
    price: str,
) -> None:
    made = make_variant(api, product["storeId"], priceCents=cents, currency=currency)
    assert made["priceCents"] == cents and made["currency"] == currency
    assert _native_variant(tenant, made)["price"] == price


def test_a_price_finer_than_a_cent_is_refused(api: Api, product: dict[str, Any]) -> None:
    r = api.post(
        "/product-variants", json=variant_body(product["storeId"], priceCents=1501, currency="KWD")
    )
    refused(r, 400, "VALIDATION_ERROR", "priceCents")


@pytest.mark.parametrize("field", REQUIRED)
def test_every_required_field_must_be_present(
    api: Api, product: dict[str, Any], field: str
) -> None:
    body = variant_body(product["storeId"])
    del body[field]
    refused(api.post("/product-variants", json=body), 400, "VALIDATION_ERROR", field)


@pytest.mark.parametrize("field", NULLABLE)
def test_the_optional_fields_may_be_null_or_absent(
    api: Api, product: dict[str, Any], field: str
) -> None:
    assert make_variant(api, product["storeId"], **{field: None})[field] is None
    body = variant_body(product["storeId"])
    del body[field]
    r = api.post("/product-variants", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["data"][field] is None


@pytest.mark.parametrize(("field", "value"), BAD, ids=[f"{f}={str(v)[:12]}" for f, v in BAD])
def test_a_bad_value_is_a_400_naming_its_field(
    api: Api, product: dict[str, Any], field: str, value: Any
) -> None:
    r = api.post("/product-variants", json=variant_body(product["storeId"], **{field: value}))
    refused(r, 400, "VALIDATION_ERROR", field)


def test_an_unknown_or_other_tenants_product_store_id_is_404_naming_it(
    api: Api, other_tenant: Tenant
) -> None:
    theirs = make_product(ag(other_tenant))
    for store_id in ("gid://shopify/Product/none", theirs["storeId"]):
        r = api.post("/product-variants", json=variant_body(store_id))
        refused(r, 404, "NOT_FOUND", "productStoreId")
    assert api.get("/product-variants").json()["data"] == []


def test_a_duplicate_store_id_is_409(api: Api, product: dict[str, Any]) -> None:
    made = make_variant(api, product["storeId"])
    other = make_product(api)
    r = api.post("/product-variants", json=variant_body(other["storeId"], storeId=made["storeId"]))
    refused(r, 409, "CONFLICT", "storeId")


def test_patch_with_another_product_store_id_moves_the_variant(
    api: Api, product: dict[str, Any], clock: TestClock
) -> None:
    clock.freeze()
    made = make_variant(api, product["storeId"])
    other = make_product(api)
    clock.advance(seconds=2)
    r = api.patch(f"/product-variants/{made['id']}", json={"productStoreId": other["storeId"]})
    assert r.status_code == 200, r.text
    moved = r.json()["data"]
    assert moved["productId"] == other["id"] and moved["productStoreId"] == other["storeId"]
    assert moved["updatedAt"] > made["updatedAt"]
    by_old = api.get("/product-variants", params={"productId": product["id"]}).json()["data"]
    by_new = api.get("/product-variants", params={"productStoreId": other["storeId"]}).json()
    assert by_old == [] and [v["id"] for v in by_new["data"]] == [made["id"]]


def test_patch_with_an_unknown_product_store_id_is_404_and_changes_nothing(
    api: Api, product: dict[str, Any]
) -> None:
    made = make_variant(api, product["storeId"])
    r = api.patch(f"/product-variants/{made['id']}", json={"productStoreId": "nope", "title": "x"})
    refused(r, 404, "NOT_FOUND", "productStoreId")
    assert api.get(f"/product-variants/{made['id']}").json()["data"] == made


def test_patch_changes_prices_and_nullable_fields(api: Api, product: dict[str, Any]) -> None:
    made = make_variant(api, product["storeId"], priceCents=1000, currency="USD")
    v = f"/product-variants/{made['id']}"
    data = api.patch(v, json={"currency": "JPY"}).json()["data"]
    assert data["priceCents"] == 1000 and data["currency"] == "JPY"  # ¥1000 now
    data = api.patch(v, json={"priceCents": 1234, "currency": "EUR", "sku": None}).json()["data"]
    assert (data["priceCents"], data["currency"], data["sku"]) == (1234, "EUR", None)
    data = api.patch(v, json={"priceCents": None, "position": 3, "title": "Small"}).json()["data"]
    assert data["priceCents"] is None and data["position"] == 3 and data["title"] == "Small"
    assert data["barcode"] == made["barcode"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("storeId", "new"),
        ("productId", NIL),
        ("title", None),
        ("position", None),
        ("productStoreId", None),
        ("priceCents", -5),
        ("currency", "eur"),
        ("imageWidth", 0),
    ],
)
def test_a_bad_patch_is_a_400_naming_its_field(
    api: Api, product: dict[str, Any], field: str, value: Any
) -> None:
    made = make_variant(api, product["storeId"])
    refused(
        api.patch(f"/product-variants/{made['id']}", json={field: value}),
        400,
        "VALIDATION_ERROR",
        field,
    )
    assert api.get(f"/product-variants/{made['id']}").json()["data"] == made


def test_delete_removes_only_the_variant(api: Api, product: dict[str, Any]) -> None:
    a, b = make_variant(api, product["storeId"]), make_variant(api, product["storeId"])
    r = api.delete(f"/product-variants/{a['id']}")
    assert r.status_code == 200 and r.json() == {"success": True}
    refused(api.get(f"/product-variants/{a['id']}"), 404, "NOT_FOUND")
    assert api.get(f"/product-variants/{b['id']}").status_code == 200
    assert api.get(f"/products/{product['id']}").status_code == 200


def test_the_list_pages_by_cursor_and_filters_by_product(api: Api) -> None:
    p1, p2 = make_product(api), make_product(api)
    mine = [make_variant(api, p1["storeId"])["id"] for _ in range(5)]
    theirs = make_variant(api, p2["storeId"])["id"]
    for params in (
        {"productId": p1["id"]},
        {"productStoreId": p1["storeId"]},
        {"productId": p1["id"], "productStoreId": p1["storeId"]},
    ):
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            page = api.get(
                "/product-variants",
                params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})},
            )
            body = page.json()
            pages += 1
            seen += [v["id"] for v in body["data"]]
            if not body["hasMore"]:
                break
            cursor = body["data"][-1]["id"]
        assert seen == mine and pages == 3
    everything = api.get("/product-variants", params={"limit": 100}).json()["data"]
    assert [v["id"] for v in everything] == [*mine, theirs]
    mixed = {"productId": p2["id"], "productStoreId": p1["storeId"]}
    assert api.get("/product-variants", params=mixed).json()["data"] == []
    assert api.get("/product-variants", params={"productStoreId": "nope"}).json()["data"] == []


def test_updated_after_is_exclusive(api: Api, product: dict[str, Any], clock: TestClock) -> None:
    clock.freeze()
    a = make_variant(api, product["storeId"])
    clock.advance(seconds=1)
    b = make_variant(api, product["storeId"])

    def listed(after: str) -> list[str]:
        r = api.get("/product-variants", params={"updatedAfter": after})
        return [v["id"] for v in r.json()["data"]]

    assert listed(a["updatedAt"]) == [b["id"]]
    assert listed(b["updatedAt"]) == []
    assert listed("2000-01-01T00:00:00.000Z") == [a["id"], b["id"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"productId": "nope"}, "productId"),
        ({"cursor": NIL}, "cursor"),
        ({"limit": 101}, "limit"),
        ({"updatedAfter": "soon"}, "updatedAfter"),
    ],
)
def test_bad_list_parameters_are_400_naming_them(
    api: Api, params: dict[str, Any], field: str
) -> None:
    refused(api.get("/product-variants", params=params), 400, "VALIDATION_ERROR", field)


def test_unknown_malformed_or_other_tenants_ids_are_404(api: Api, other_tenant: Tenant) -> None:
    theirs_api = ag(other_tenant)
    theirs = make_variant(theirs_api, make_product(theirs_api)["storeId"])
    for id_ in (NIL, "nope", theirs["id"]):
        refused(api.get(f"/product-variants/{id_}"), 404, "NOT_FOUND")
        refused(api.patch(f"/product-variants/{id_}", json={"title": "x"}), 404, "NOT_FOUND")
        refused(api.delete(f"/product-variants/{id_}"), 404, "NOT_FOUND")
    assert theirs_api.get(f"/product-variants/{theirs['id']}").json()["data"] == theirs
    refused(
        api.get("/product-variants", params={"cursor": theirs["id"]}),
        400,
        "VALIDATION_ERROR",
        "cursor",
    )


def test_scopes_and_credentials(tenant: Tenant, api: Api, product: dict[str, Any]) -> None:
    made = make_variant(api, product["storeId"])
    reader = without(tenant, "catalog:write")
    assert reader.get(f"/product-variants/{made['id']}").status_code == 200
    for r in (
        reader.post("/product-variants", json=variant_body(product["storeId"])),
        reader.patch(f"/product-variants/{made['id']}", json={"title": "x"}),
        reader.delete(f"/product-variants/{made['id']}"),
        reader.post("/product-variants/bulk", json={"deleteRecords": [made["storeId"]]}),
    ):
        refused(r, 403, "INSUFFICIENT_SCOPE")
    blind = without(tenant, "catalog:read")
    refused(blind.get("/product-variants"), 403, "INSUFFICIENT_SCOPE")
    refused(blind.get(f"/product-variants/{made['id']}"), 403, "INSUFFICIENT_SCOPE")
    refused(tenant.client.get(f"/addglow/v1/product-variants/{made['id']}"), 401, "UNAUTHORIZED")
    assert api.get(f"/product-variants/{made['id']}").json()["data"] == made
