"""Catalog schemas: the product view the faces render, and the two import dialects
(the native face's wire models are in ``api/native/schemas/catalog.py``).

Import items are validated one by one (``CatalogImport.products`` is a list of raw
objects), so that one bad product is reported by index instead of failing the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from punchcard.kit.money import to_money
from punchcard.kit.schema import InputSchema
from punchcard.models import Product, Variant

MAX_IMPORT = 1000


class ProductStatus(StrEnum):
    active = "active"
    draft = "draft"
    archived = "archived"


class ImportFormat(StrEnum):
    shopify = "shopify"
    generic = "generic"


# Read ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductView:
    """A product with what its rendering needs: variants, brand and category names."""

    product: Product
    variants: list[Variant]
    brand: str | None = None
    category: str | None = None


# Import --------------------------------------------------------------------------


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    amount = to_money(value)
    if amount < 0:
        raise ValueError("must not be negative")
    return amount


def _external_id(value: Any) -> Any:
    """Shopify ids arrive as numbers (REST) or ``gid://shopify/Product/123`` (GraphQL);
    both name the same product, so both are stored as the bare number."""
    if isinstance(value, bool):
        raise ValueError("must be a string or a number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        match = re.fullmatch(r"gid://shopify/\w+/(\d+)", value.strip())
        return match.group(1) if match else value
    return value


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Money = Annotated[Decimal | None, BeforeValidator(_money)]
ExternalId = Annotated[str, BeforeValidator(_external_id), Field(min_length=1, max_length=128)]
OptText = Annotated[str | None, BeforeValidator(_blank_to_none)]
Text128 = Annotated[Annotated[str, Field(max_length=128)] | None, BeforeValidator(_blank_to_none)]
Text200 = Annotated[Annotated[str, Field(max_length=200)] | None, BeforeValidator(_blank_to_none)]
Text255 = Annotated[Annotated[str, Field(max_length=255)] | None, BeforeValidator(_blank_to_none)]
Text500 = Annotated[Annotated[str, Field(max_length=500)] | None, BeforeValidator(_blank_to_none)]
Url = Annotated[str, Field(min_length=1, max_length=2048)]


class ShopifyVariant(BaseModel):
    """A Shopify variant; fields Punchcard does not keep are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: ExternalId
    sku: Text128 = None
    barcode: Text128 = None
    title: Text500 = None
    price: Money = None
    position: int | None = Field(default=None, ge=0)


class ShopifyImage(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    src: Url
    position: int | None = None


class ShopifyProduct(BaseModel):
    """Shopify's product JSON (REST Admin API); other Shopify fields are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: ExternalId
    title: str = Field(min_length=1, max_length=500)
    body_html: OptText = None
    vendor: Text200 = None
    product_type: Text200 = None
    handle: Text255 = None
    status: ProductStatus | None = None
    variants: list[ShopifyVariant] | None = None
    images: list[ShopifyImage] | None = None


class GenericVariant(InputSchema):
    external_id: ExternalId
    sku: Text128 = None
    barcode: Text128 = None
    price: Money = None
    title: Text500 = None
    position: int | None = Field(default=None, ge=0)


class GenericProduct(InputSchema):
    """Punchcard's own import format, for ERPs and spreadsheets (camelCase)."""

    external_id: ExternalId
    title: str = Field(min_length=1, max_length=500)
    description: OptText = None
    brand: Text200 = None
    category: Text200 = None
    handle: Text255 = None
    status: ProductStatus | None = None
    images: list[Url] | None = None
    variants: list[GenericVariant] | None = None


# Store records (the AddGlow face) ------------------------------------------------

# Records per bulk call, of each kind (upserts, deletes): the AddGlow document's limit.
MAX_BULK = 100


@dataclass(frozen=True)
class ProductRecord:
    """A product as a store's feed sends it, addressed by its store id (``external_id``).
    Fields are checked by the face; the core checks what spans records."""

    store_id: str
    title: str
    description: str
    online_store_url: str
    image_url: str | None
    image_width: int | None
    image_height: int | None

    def values(self) -> dict[str, Any]:
        """The product's columns (its store id aside)."""
        return {
            "title": self.title,
            "description": self.description,
            "online_store_url": self.online_store_url,
            "image_url": self.image_url,
            "image_width": self.image_width,
            "image_height": self.image_height,
        }


@dataclass(frozen=True)
class VariantRecord:
    """A variant as a store's feed sends it: its price in the currency's minor unit."""

    store_id: str
    product_store_id: str
    title: str
    position: int
    barcode: str | None = None
    sku: str | None = None
    price_cents: int | None = None
    currency: str | None = None
    image_url: str | None = None
    image_width: int | None = None
    image_height: int | None = None


# The columns a store record may change on a product / variant (``storeId`` may not).
PRODUCT_CHANGES = frozenset(
    {"title", "description", "online_store_url", "image_url", "image_width", "image_height"}
)
VARIANT_CHANGES = frozenset(
    {
        "product_store_id",
        "title",
        "position",
        "barcode",
        "sku",
        "price_cents",
        "currency",
        "image_url",
        "image_width",
        "image_height",
    }
)


@dataclass(frozen=True)
class VariantView:
    """A variant with its product's store id (``productStoreId``)."""

    variant: Variant
    product_store_id: str | None
