"""A Shopify REST Admin API product, as ``GET /admin/api/2024-01/products/{id}.json``
returns it (fields Punchcard ignores included on purpose)."""

from __future__ import annotations

import copy
from typing import Any

_IPOD: dict[str, Any] = {
    "id": 632910392,
    "title": "IPod Nano - 8GB",
    "body_html": "<p>It's the small iPod with one very big idea: Video.</p>",
    "vendor": "Apple",
    "product_type": "Cult Products",
    "created_at": "2024-01-02T09:28:43-05:00",
    "handle": "ipod-nano",
    "updated_at": "2024-01-02T09:28:43-05:00",
    "published_at": "2007-12-31T19:00:00-05:00",
    "template_suffix": None,
    "published_scope": "web",
    "tags": "Emotive, Flash Memory, MP3, Music",
    "status": "active",
    "admin_graphql_api_id": "gid://shopify/Product/632910392",
    "variants": [
        {
            "id": 808950810,
            "product_id": 632910392,
            "title": "Pink",
            "price": "199.00",
            "sku": "IPOD2008PINK",
            "position": 1,
            "inventory_policy": "continue",
            "compare_at_price": None,
            "fulfillment_service": "manual",
            "inventory_management": "shopify",
            "option1": "Pink",
            "option2": None,
            "option3": None,
            "created_at": "2024-01-02T09:28:43-05:00",
            "updated_at": "2024-01-02T09:28:43-05:00",
            "taxable": True,
            "barcode": "1234_pink",
            "grams": 567,
            "image_id": 562641783,
            "weight": 1.25,
            "weight_unit": "lb",
            "inventory_item_id": 808950810,
            "inventory_quantity": 10,
            "old_inventory_quantity": 10,
            "requires_shipping": True,
            "admin_graphql_api_id": "gid://shopify/ProductVariant/808950810",
        },
        {
            "id": 49148385,
            "product_id": 632910392,
            "title": "Red",
            "price": "199.00",
            "sku": "IPOD2008RED",
            "position": 2,
            "inventory_policy": "continue",
            "compare_at_price": None,
            "option1": "Red",
            "taxable": True,
            "barcode": "1234_red",
            "grams": 567,
            "image_id": None,
            "inventory_quantity": 20,
            "requires_shipping": True,
        },
        {
            "id": 39072856,
            "product_id": 632910392,
            "title": "Green",
            "price": "199.00",
            "sku": "IPOD2008GREEN",
            "position": 3,
            "option1": "Green",
            "barcode": "1234_green",
            "image_id": None,
            "inventory_quantity": 30,
        },
        {
            "id": 457924702,
            "product_id": 632910392,
            "title": "Black",
            "price": "199.00",
            "sku": "IPOD2008BLACK",
            "position": 4,
            "option1": "Black",
            "barcode": "1234_black",
            "image_id": None,
            "inventory_quantity": 13,
        },
    ],
    "options": [
        {
            "id": 594680422,
            "product_id": 632910392,
            "name": "Color",
            "position": 1,
            "values": ["Pink", "Red", "Green", "Black"],
        }
    ],
    "images": [
        {
            "id": 562641783,
            "product_id": 632910392,
            "position": 1,
            "alt": None,
            "width": 123,
            "height": 456,
            "src": "https://cdn.shopify.com/s/files/1/0005/4838/0009/products/ipod-nano.png?v=1704205723",
            "variant_ids": [808950810],
        },
        {
            "id": 378407906,
            "product_id": 632910392,
            "position": 2,
            "alt": None,
            "width": 123,
            "height": 456,
            "src": "https://cdn.shopify.com/s/files/1/0005/4838/0009/products/ipod-nano-2.png?v=1704205723",
            "variant_ids": [],
        },
    ],
    "image": {
        "id": 562641783,
        "src": "https://cdn.shopify.com/s/files/1/0005/4838/0009/products/ipod-nano.png?v=1704205723",
    },
}

_SHIRT: dict[str, Any] = {
    "id": 921728736,
    "title": "IPod Touch 8GB",
    "body_html": "<p>Revolutionary multi-touch interface.</p>",
    "vendor": "Apple",
    "product_type": "Cult Products",
    "handle": "ipod-touch",
    "status": "draft",
    "tags": "",
    "variants": [
        {
            "id": 447654529,
            "product_id": 921728736,
            "title": "Black",
            "price": "199.00",
            "sku": "IPOD2009BLACK",
            "position": 1,
            "barcode": "1234_black_touch",
            "inventory_quantity": 13,
        }
    ],
    "options": [{"id": 891236591, "name": "Title", "position": 1, "values": ["Black"]}],
    "images": [],
}


def ipod_nano() -> dict[str, Any]:
    return copy.deepcopy(_IPOD)


def ipod_touch() -> dict[str, Any]:
    return copy.deepcopy(_SHIRT)
