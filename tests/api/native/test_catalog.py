"""Catalog: /api/v2/products, /categories, /brands and /catalog/import."""

from __future__ import annotations

from typing import Any

from tests.catalog.shopify_sample import ipod_nano, ipod_touch
from tests.factories import Tenant, unique


def import_(t: Tenant, fmt: str, products: list[Any]) -> dict[str, Any]:
    r = t.api.post("/catalog/import", json={"format": fmt, "products": products})
    assert r.status_code == 200, r.text
    return dict(r.json())


def generic(**kw: Any) -> dict[str, Any]:
    return {"externalId": unique("SKU-"), "title": "Espresso beans 1kg", **kw}


def test_shopify_import_creates_products_with_variants_images_brand_and_category(
    tenant: Tenant,
) -> None:
    result = import_(tenant, "shopify", [ipod_nano(), ipod_touch()])
    assert result == {"created": 2, "updated": 0, "failed": 0, "errors": []}

    products = tenant.api.get("/products").json()["products"]
    nano = next(p for p in products if p["externalId"] == "632910392")
    assert nano["id"].startswith("prd_")
    assert nano["title"] == "IPod Nano - 8GB"
    assert nano["description"].startswith("<p>It's the small iPod")
    assert nano["handle"] == "ipod-nano"
    assert nano["status"] == "active"
    assert nano["brand"]["name"] == "Apple" and nano["brand"]["id"].startswith("brd_")
    assert nano["category"]["name"] == "Cult Products"
    assert nano["category"]["id"].startswith("cat_")
    assert nano["images"] == [
        "https://cdn.shopify.com/s/files/1/0005/4838/0009/products/ipod-nano.png?v=1704205723",
        "https://cdn.shopify.com/s/files/1/0005/4838/0009/products/ipod-nano-2.png?v=1704205723",
    ]
    assert [v["title"] for v in nano["variants"]] == ["Pink", "Red", "Green", "Black"]
    pink = nano["variants"][0]
    assert pink["id"].startswith("var_")
    assert pink == {
        "id": pink["id"],
        "externalId": "808950810",
        "sku": "IPOD2008PINK",
        "barcode": "1234_pink",
        "title": "Pink",
        "price": "199.00",
        "position": 1,
    }
    assert nano["createdAt"].endswith("Z") and nano["updatedAt"].endswith("Z")

    one = tenant.api.get(f"/products/{nano['id']}")
    assert one.status_code == 200 and one.json() == nano
    # The external id works as the path id too (an ERP knows its own ids).
    assert tenant.api.get("/products/632910392").json()["id"] == nano["id"]

    touch = next(p for p in products if p["externalId"] == "921728736")
    assert touch["status"] == "draft" and touch["images"] == []
    assert touch["brand"]["id"] == nano["brand"]["id"]


def test_reimporting_the_same_payload_updates_and_duplicates_nothing(tenant: Tenant) -> None:
    payload = [ipod_nano(), ipod_touch()]
    import_(tenant, "shopify", payload)
    before = tenant.api.get("/products").json()

    again = import_(tenant, "shopify", payload)
    assert again == {"created": 0, "updated": 2, "failed": 0, "errors": []}
    after = tenant.api.get("/products").json()
    assert after["total"] == 2
    assert after == before
    assert tenant.api.get("/brands").json()["total"] == 1
    assert tenant.api.get("/categories").json()["total"] == 1


def test_graphql_ids_and_wrapped_products_match_the_same_rows(tenant: Tenant) -> None:
    import_(tenant, "shopify", [ipod_nano()])
    wrapped = ipod_nano()
    wrapped["id"] = "gid://shopify/Product/632910392"
    wrapped["variants"][0]["id"] = "gid://shopify/ProductVariant/808950810"
    result = import_(tenant, "shopify", [{"product": wrapped}])
    assert result["updated"] == 1 and result["created"] == 0
    assert tenant.api.get("/products").json()["total"] == 1


def test_reimport_applies_changes_and_drops_missing_variants(tenant: Tenant) -> None:
    import_(tenant, "shopify", [ipod_nano()])
    changed = ipod_nano()
    changed["title"] = "IPod Nano - 16GB"
    changed["variants"][0]["price"] = "249.50"
    del changed["variants"][3]  # Black is discontinued
    changed["vendor"] = "Apple Inc."
    import_(tenant, "shopify", [changed])

    nano = tenant.api.get("/products/632910392").json()
    assert nano["title"] == "IPod Nano - 16GB"
    assert [v["title"] for v in nano["variants"]] == ["Pink", "Red", "Green"]
    assert nano["variants"][0]["price"] == "249.50"
    assert nano["brand"]["name"] == "Apple Inc."
    brands = {b["name"]: b["productCount"] for b in tenant.api.get("/brands").json()["brands"]}
    assert brands == {"Apple": 0, "Apple Inc.": 1}


def test_fields_left_out_keep_their_values(tenant: Tenant) -> None:
    item = generic(
        description="Dark roast", brand="Lavazza", variants=[{"externalId": unique("V")}]
    )
    import_(tenant, "generic", [item])
    import_(tenant, "generic", [{"externalId": item["externalId"], "title": "Beans 1kg"}])
    p = tenant.api.get(f"/products/{item['externalId']}").json()
    assert p["title"] == "Beans 1kg"
    assert p["description"] == "Dark roast" and p["brand"]["name"] == "Lavazza"
    assert len(p["variants"]) == 1
    import_(tenant, "generic", [{"externalId": item["externalId"], "title": "B", "brand": None}])
    assert tenant.api.get(f"/products/{item['externalId']}").json()["brand"] is None


def test_one_bad_product_does_not_fail_the_others(tenant: Tenant) -> None:
    no_title = ipod_touch()
    del no_title["title"]
    bad_price = ipod_touch()
    bad_price["id"] = 555
    bad_price["variants"][0]["id"] = 556
    bad_price["variants"][0]["price"] = "cheap"
    result = import_(tenant, "shopify", [ipod_nano(), no_title, "nope", bad_price])
    assert result["created"] == 1 and result["updated"] == 0 and result["failed"] == 3
    assert [(e["index"], e["field"]) for e in result["errors"]] == [
        (1, "title"),
        (2, None),
        (3, "variants.0.price"),
    ]
    assert all(e["message"] for e in result["errors"])
    assert tenant.api.get("/products").json()["total"] == 1


def test_a_variant_owned_by_another_product_is_refused_and_nothing_of_it_is_written(
    tenant: Tenant,
) -> None:
    v = unique("V")
    import_(tenant, "generic", [generic(variants=[{"externalId": v}])])
    thief = generic(brand="Ghost Brand", variants=[{"externalId": v}])
    twice = generic(variants=[{"externalId": "dup"}, {"externalId": "dup"}])
    result = import_(tenant, "generic", [thief, twice])
    assert result["failed"] == 2
    assert [(e["index"], e["field"]) for e in result["errors"]] == [
        (0, "variants.0.externalId"),
        (1, "variants.1.externalId"),
    ]
    assert [b["name"] for b in tenant.api.get("/brands").json()["brands"]] == []


def test_generic_import_refuses_unknown_fields_per_product(tenant: Tenant) -> None:
    result = import_(
        tenant,
        "generic",
        [
            generic(colour="red"),
            generic(variants=[{"externalId": "x1", "price": "-1"}]),
            generic(images=["https://img.example.com/a.png"], category="Coffee"),
        ],
    )
    assert result["created"] == 1 and result["failed"] == 2
    assert [(e["index"], e["field"]) for e in result["errors"]] == [
        (0, "colour"),
        (1, "variants.0.price"),
    ]


def test_import_validation_names_the_field(tenant: Tenant) -> None:
    r = tenant.api.post("/catalog/import", json={"format": "csv", "products": []})
    assert r.status_code == 400 and r.json()["error"]["field"] == "format"
    r = tenant.api.post("/catalog/import", json={"format": "generic"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "products"
    r = tenant.api.post(
        "/catalog/import", json={"format": "generic", "products": [generic()] * 1001}
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "products"


def test_list_products_filters_and_pages(tenant: Tenant) -> None:
    import_(tenant, "shopify", [ipod_nano(), ipod_touch()])
    import_(
        tenant,
        "generic",
        [
            generic(
                title="Moka pot",
                brand="Bialetti",
                category="Brewing",
                handle="moka-pot",
                variants=[{"externalId": unique("V"), "sku": "MOKA-3", "barcode": "8006363011"}],
            )
        ],
    )
    everything = tenant.api.get("/products").json()
    assert everything["total"] == 3 and everything["limit"] == 50 and everything["offset"] == 0

    def ids(**params: Any) -> list[str]:
        r = tenant.api.get("/products", params=params)
        assert r.status_code == 200, r.text
        return [p["title"] for p in r.json()["products"]]

    assert ids(q="ipod") == ["IPod Nano - 8GB", "IPod Touch 8GB"]
    assert ids(q="MOKA-3") == ["Moka pot"]
    assert ids(q="8006363011") == ["Moka pot"]
    assert ids(q="100%") == []
    assert ids(status="draft") == ["IPod Touch 8GB"]
    brands = {b["name"]: b["id"] for b in tenant.api.get("/brands").json()["brands"]}
    assert ids(brandId=brands["Bialetti"]) == ["Moka pot"]
    cats = {c["name"]: c["id"] for c in tenant.api.get("/categories").json()["categories"]}
    assert ids(categoryId=cats["Cult Products"]) == ["IPod Nano - 8GB", "IPod Touch 8GB"]
    page = tenant.api.get("/products", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 3 and len(page["products"]) == 1


def test_categories_and_brands_count_products(tenant: Tenant) -> None:
    import_(tenant, "shopify", [ipod_nano(), ipod_touch()])
    import_(tenant, "generic", [generic(brand="Bialetti", category="Brewing")])
    cats = tenant.api.get("/categories").json()
    assert cats["total"] == 2
    assert [(c["name"], c["productCount"]) for c in cats["categories"]] == [
        ("Brewing", 1),
        ("Cult Products", 2),
    ]
    brands = tenant.api.get("/brands", params={"limit": 1}).json()
    assert brands["total"] == 2 and brands["limit"] == 1
    assert brands["brands"] == [
        {"id": brands["brands"][0]["id"], "name": "Apple", "productCount": 2}
    ]


def test_catalog_query_validation_names_the_field(tenant: Tenant) -> None:
    r = tenant.api.get("/products", params={"brandId": "nope"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "brandId"
    r = tenant.api.get("/products", params={"categoryId": "brd_x"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "categoryId"
    r = tenant.api.get("/products", params={"status": "sold"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "status"
    r = tenant.api.get("/categories", params={"limit": 500})
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"


def test_catalog_needs_credentials(tenant: Tenant) -> None:
    for path in ("/products", "/categories", "/brands"):
        assert tenant.client.get("/api/v2" + path).status_code == 401
    r = tenant.client.post("/api/v2/catalog/import", json={"format": "generic", "products": []})
    assert r.status_code == 401


def test_catalog_needs_its_scope(tenant: Tenant) -> None:
    no_read = tenant.key_without("catalog:read")
    for path in ("/products", "/products/prd_x", "/categories", "/brands"):
        assert no_read.get(path).status_code == 403
    r = tenant.key("catalog:read").post(
        "/catalog/import", json={"format": "generic", "products": []}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"


def test_another_tenants_catalog_is_invisible(tenant: Tenant, other_tenant: Tenant) -> None:
    import_(other_tenant, "shopify", [ipod_nano()])
    theirs = other_tenant.api.get("/products").json()["products"][0]
    assert tenant.api.get(f"/products/{theirs['id']}").status_code == 404
    assert tenant.api.get("/products/632910392").status_code == 404
    assert tenant.api.get("/products").json()["total"] == 0
    assert tenant.api.get("/brands").json()["total"] == 0
    assert tenant.api.get("/categories").json()["total"] == 0
    r = tenant.api.get("/products", params={"brandId": theirs["brand"]["id"]})
    assert r.json()["total"] == 0
    # The same Shopify ids import independently in each tenant.
    assert import_(tenant, "shopify", [ipod_nano()])["created"] == 1
    assert other_tenant.api.get("/products").json()["total"] == 1


def test_a_product_is_found_by_an_external_id_shaped_like_a_uuid(tenant: Tenant) -> None:
    external = "0190f3c2-a4b8-7c4e-9a1b-2c3d4e5f6a7b"
    import_(tenant, "generic", [generic(externalId=external)])
    r = tenant.api.get(f"/products/{external}")
    assert r.status_code == 200, r.text
    assert r.json()["externalId"] == external
