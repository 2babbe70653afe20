"""The Brand Products group (``/products``): the core catalog's rows by canonical UUID,
every field's required / nullable / limit rule, cursor paging, ``updatedAfter``,
scopes and tenant isolation. Bulk calls are in ``test_bulk.py``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.addglow.catalog_helpers import make_product, make_variant, product_body
from tests.api.addglow.conftest import NIL, ag, native_id, refused, without
from tests.conftest import TestClock
from tests.factories import Api, Tenant

REQUIRED = [
    "storeId",
    "title",
    "description",
    "imageUrl",
    "imageWidth",
    "imageHeight",
    "onlineStoreUrl",
]
NULLABLE = ["imageUrl", "imageWidth", "imageHeight"]
BAD: list[tuple[str, Any]] = [
    ("storeId", ""),
    ("storeId", "s" * 129),
    ("storeId", 123),
    ("title", ""),
    ("title", "t" * 501),
    ("description", "d" * 65_536),
    ("description", None),
    ("title", None),
    ("storeId", None),
    ("onlineStoreUrl", None),
    ("onlineStoreUrl", "not a uri"),
    ("onlineStoreUrl", "/products/serum"),
    ("imageUrl", "ftp://cdn.example.com/a.png"),
    ("imageUrl", "https://cdn.example.com/a b.png"),
    ("imageUrl", "https://example.com/" + "a" * 2048),
    ("imageWidth", 0),
    ("imageWidth", 100_001),
    ("imageWidth", "800"),
    ("imageHeight", 1.5),
    ("imageHeight", -1),
]


def test_a_created_product_carries_every_field_and_is_read_by_its_uuid(api: Api) -> None:
    body = product_body()
    r = api.post("/products", json=body)
    assert r.status_code == 200, r.text
    made = r.json()["data"]
    assert {k: made[k] for k in body} == body
    assert made["createdAt"] == made["updatedAt"] and made["createdAt"].endswith("Z")
    got = api.get(f"/products/{made['id']}")
    assert got.status_code == 200, got.text
    assert got.json() == {"data": made}


def test_a_product_created_here_is_the_one_the_native_face_lists(tenant: Tenant, api: Api) -> None:
    made = make_product(api, title="Native twin")
    listed = tenant.api.get("/products", params={"q": made["storeId"]})
    assert listed.status_code == 200, listed.text
    ids = [p["id"] for p in listed.json()["products"]]
    assert ids == [native_id("prd", made["id"])]
    native = tenant.api.get(f"/products/{native_id('prd', made['id'])}").json()
    assert native["externalId"] == made["storeId"] and native["title"] == "Native twin"
    assert native["description"] == made["description"]


@pytest.mark.parametrize("field", REQUIRED)
def test_every_required_field_must_be_present(api: Api, field: str) -> None:
    body = product_body()
    del body[field]
    refused(api.post("/products", json=body), 400, "VALIDATION_ERROR", field)


@pytest.mark.parametrize("field", NULLABLE)
def test_the_image_fields_may_be_null(api: Api, field: str) -> None:
    r = api.post("/products", json=product_body(**{field: None}))
    assert r.status_code == 200, r.text
    assert r.json()["data"][field] is None


@pytest.mark.parametrize(("field", "value"), BAD, ids=[f"{f}={str(v)[:12]}" for f, v in BAD])
def test_a_bad_value_is_a_400_naming_its_field(api: Api, field: str, value: Any) -> None:
    refused(
        api.post("/products", json=product_body(**{field: value})), 400, "VALIDATION_ERROR", field
    )


def test_an_unknown_field_is_refused(api: Api) -> None:
    refused(api.post("/products", json=product_body(price=1)), 400, "VALIDATION_ERROR", "price")


def test_a_duplicate_store_id_is_409_and_writes_nothing(api: Api) -> None:
    made = make_product(api)
    r = api.post("/products", json=product_body(storeId=made["storeId"], title="Other"))
    refused(r, 409, "CONFLICT", "storeId")
    assert api.get(f"/products/{made['id']}").json()["data"]["title"] == made["title"]


def test_store_ids_are_kept_exactly_as_given(api: Api) -> None:
    for store_id in ("gid://shopify/Product/123", "123", " spaced ", "ünï/cødé?x=1"):
        assert make_product(api, storeId=store_id)["storeId"] == store_id


def test_patch_changes_the_given_fields_only(api: Api, clock: TestClock) -> None:
    clock.freeze()
    made = make_product(api)
    clock.advance(seconds=5)
    r = api.patch(
        f"/products/{made['id']}", json={"title": "Renamed", "imageUrl": None, "imageWidth": None}
    )
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["title"] == "Renamed" and data["imageUrl"] is None and data["imageWidth"] is None
    assert data["imageHeight"] == made["imageHeight"]
    assert data["description"] == made["description"]
    assert data["updatedAt"] > made["updatedAt"] and data["createdAt"] == made["createdAt"]
    assert api.get(f"/products/{made['id']}").json()["data"] == data


def test_a_patch_that_changes_nothing_keeps_updated_at(api: Api, clock: TestClock) -> None:
    clock.freeze()
    made = make_product(api)
    clock.advance(seconds=5)
    r = api.patch(f"/products/{made['id']}", json={"title": made["title"]})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["updatedAt"] == made["updatedAt"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("storeId", "new-id"),
        ("title", None),
        ("description", None),
        ("onlineStoreUrl", None),
        ("title", ""),
        ("imageUrl", "nope"),
        ("imageHeight", 0),
        ("id", NIL),
    ],
)
def test_a_bad_patch_is_a_400_naming_its_field(api: Api, field: str, value: Any) -> None:
    made = make_product(api)
    r = api.patch(f"/products/{made['id']}", json={field: value})
    refused(r, 400, "VALIDATION_ERROR", field)
    assert api.get(f"/products/{made['id']}").json()["data"] == made


def test_delete_removes_the_product_and_its_variants(api: Api) -> None:
    made = make_product(api)
    variants = [make_variant(api, made["storeId"]) for _ in range(2)]
    other = make_product(api)
    kept = make_variant(api, other["storeId"])
    r = api.delete(f"/products/{made['id']}")
    assert r.status_code == 200, r.text
    assert r.json() == {"success": True}
    refused(api.get(f"/products/{made['id']}"), 404, "NOT_FOUND")
    for v in variants:
        refused(api.get(f"/product-variants/{v['id']}"), 404, "NOT_FOUND")
    assert api.get(f"/product-variants/{kept['id']}").status_code == 200
    refused(api.delete(f"/products/{made['id']}"), 404, "NOT_FOUND")


def test_the_list_pages_by_cursor_in_creation_order(api: Api) -> None:
    made = [make_product(api)["id"] for _ in range(5)]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/products", params=params).json()
        pages += 1
        seen += [p["id"] for p in body["data"]]
        if not body["hasMore"]:
            break
        cursor = body["data"][-1]["id"]
    assert seen == made and pages == 3
    default = api.get("/products").json()
    assert len(default["data"]) == 5 and default["hasMore"] is False


def test_the_default_page_is_ten(api: Api) -> None:
    for _ in range(11):
        make_product(api)
    body = api.get("/products").json()
    assert len(body["data"]) == 10 and body["hasMore"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"cursor": NIL}, "cursor"),
        ({"cursor": "nope"}, "cursor"),
        ({"updatedAfter": "yesterday"}, "updatedAfter"),
        ({"updatedAfter": "2024-01-01T00:00:00"}, "updatedAfter"),
        ({"updatedAfter": "9999-12-31T23:59:59Z"}, "updatedAfter"),
        ({"updatedAfter": "0001-01-01T00:00:00Z"}, "updatedAfter"),
    ],
)
def test_bad_list_parameters_are_400_naming_them(
    api: Api, params: dict[str, Any], field: str
) -> None:
    refused(api.get("/products", params=params), 400, "VALIDATION_ERROR", field)


def test_updated_after_is_exclusive(api: Api, clock: TestClock) -> None:
    t0 = clock.freeze()
    first = make_product(api)
    clock.advance(seconds=1)
    second = make_product(api)
    clock.advance(seconds=1)
    api.patch(f"/products/{first['id']}", json={"title": "Touched"})

    def listed(after: str) -> list[str]:
        return [
            p["id"] for p in api.get("/products", params={"updatedAfter": after}).json()["data"]
        ]

    assert listed(first["updatedAt"]) == [first["id"], second["id"]]
    assert listed(second["updatedAt"]) == [first["id"]]
    assert listed((t0 + timedelta(seconds=2)).isoformat()) == []
    assert listed((t0 - timedelta(days=1)).isoformat().replace("+00:00", "Z")) == [
        first["id"],
        second["id"],
    ]


def test_unknown_malformed_or_other_tenants_ids_are_404(api: Api, other_tenant: Tenant) -> None:
    theirs = make_product(ag(other_tenant))
    for id_ in (NIL, "not-a-uuid", theirs["id"]):
        refused(api.get(f"/products/{id_}"), 404, "NOT_FOUND")
        refused(api.patch(f"/products/{id_}", json={"title": "x"}), 404, "NOT_FOUND")
        refused(api.delete(f"/products/{id_}"), 404, "NOT_FOUND")
    assert ag(other_tenant).get(f"/products/{theirs['id']}").json()["data"] == theirs
    assert api.get("/products").json()["data"] == []


def test_scopes_and_credentials(tenant: Tenant, api: Api) -> None:
    made = make_product(api)
    reader = without(tenant, "catalog:write")
    assert reader.get(f"/products/{made['id']}").status_code == 200
    assert reader.get("/products").status_code == 200
    for r in (
        reader.post("/products", json=product_body()),
        reader.patch(f"/products/{made['id']}", json={"title": "x"}),
        reader.delete(f"/products/{made['id']}"),
        reader.post("/products/bulk", json={"deleteRecords": [made["storeId"]]}),
    ):
        refused(r, 403, "INSUFFICIENT_SCOPE")
    blind = without(tenant, "catalog:read")
    refused(blind.get("/products"), 403, "INSUFFICIENT_SCOPE")
    refused(blind.get(f"/products/{made['id']}"), 403, "INSUFFICIENT_SCOPE")
    refused(tenant.client.get("/addglow/v1/products"), 401, "UNAUTHORIZED")
    refused(tenant.client.post("/addglow/v1/products", json=product_body()), 401, "UNAUTHORIZED")
    assert api.get(f"/products/{made['id']}").json()["data"] == made


def test_the_faces_openapi_documents_the_objects_and_routes(tenant: Tenant) -> None:
    doc = tenant.client.get("/addglow/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert set(schemas["Product"]["properties"]) == {
        "id", "storeId", "title", "description", "imageUrl", "imageWidth", "imageHeight",
        "onlineStoreUrl", "createdAt", "updatedAt",
    }  # fmt: skip
    assert set(schemas["Variant"]["properties"]) >= {
        "id", "storeId", "productId", "productStoreId", "priceCents", "currency", "position",
    }  # fmt: skip
    assert set(schemas["ProductInput"]["required"]) == set(REQUIRED)
    assert schemas["ProductBulk"]["properties"]["upsertRecords"]["maxItems"] == 100
    assert schemas["VariantBulk"]["properties"]["deleteRecords"]["maxItems"] == 100
    for path in ("/addglow/v1/products/bulk", "/addglow/v1/product-variants/bulk"):
        op = doc["paths"][path]["post"]
        assert op["x-required-scope"] == "catalog:write" and "429" in op["responses"]
