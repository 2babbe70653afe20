"""Bodies and makers for the AddGlow face's product and variant tests."""

from __future__ import annotations

from typing import Any

from tests.factories import Api, unique


def product_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "storeId": f"gid://shopify/Product/{unique('p')}",
        "title": "Glow serum",
        "description": "A serum that glows",
        "imageUrl": "https://cdn.example.com/serum.png",
        "imageWidth": 800,
        "imageHeight": 600,
        "onlineStoreUrl": "https://shop.example.com/products/serum",
    }
    body.update(over)
    return body


def variant_body(product_store_id: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "storeId": f"gid://shopify/ProductVariant/{unique('v')}",
        "productStoreId": product_store_id,
        "title": "Large / Blue",
        "barcode": "123456789012",
        "sku": "PROD-123-L-BLUE",
        "position": 1,
        "priceCents": 2999,
        "currency": "USD",
        "imageUrl": None,
        "imageWidth": 800,
        "imageHeight": 600,
    }
    body.update(over)
    return body


def make_product(api: Api, **over: Any) -> dict[str, Any]:
    r = api.post("/products", json=product_body(**over))
    assert r.status_code == 200, r.text
    return dict(r.json()["data"])


def make_variant(api: Api, product_store_id: str, **over: Any) -> dict[str, Any]:
    r = api.post("/product-variants", json=variant_body(product_store_id, **over))
    assert r.status_code == 200, r.text
    return dict(r.json()["data"])
