"""Catalog schemas: the native rendering, and the two import dialects.

Import items are validated one by one (``CatalogImport.products`` is a list of raw
objects), so that one bad product is reported by index instead of failing the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from punchcard.kit.ids import render
from punchcard.kit.money import money_str, to_money
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import Product, Variant

if TYPE_CHECKING:
    from punchcard.catalog.importer import Outcome

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


class NamedRef(Schema):
    id: str
    name: str


class VariantRead(Schema):
    id: str
    external_id: str | None
    sku: str | None
    barcode: str | None
    title: str | None
    price: str | None = Field(description='Decimal string, e.g. `"19.99"`')
    position: int

    @classmethod
    def of(cls, v: Variant) -> VariantRead:
        return cls(
            id=render("var", v.id) or "",
            external_id=v.external_id,
            sku=v.sku,
            barcode=v.barcode,
            title=v.title,
            price=money_str(v.price),
            position=v.position,
        )


class ProductRead(Schema):
    id: str
    external_id: str | None
    title: str
    description: str | None
    handle: str | None
    brand: NamedRef | None
    category: NamedRef | None
    images: list[str]
    status: ProductStatus
    variants: list[VariantRead]
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, view: ProductView) -> ProductRead:
        p, brand, category = view.product, view.brand, view.category
        return cls(
            id=render("prd", p.id) or "",
            external_id=p.external_id,
            title=p.title,
            description=p.description,
            handle=p.handle,
            brand=NamedRef(id=render("brd", p.brand_id) or "", name=brand)
            if p.brand_id and brand is not None
            else None,
            category=NamedRef(id=render("cat", p.category_id) or "", name=category)
            if p.category_id and category is not None
            else None,
            images=[str(i) for i in p.images or []],
            status=ProductStatus(p.status),
            variants=[VariantRead.of(v) for v in view.variants],
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


class ProductList(Schema):
    products: list[ProductRead]
    total: int
    limit: int
    offset: int


class GroupRead(Schema):
    """A brand or a category."""

    id: str
    name: str
    product_count: int

    @classmethod
    def rows(cls, prefix: str, rows: list[tuple[Any, int]]) -> list[GroupRead]:
        return [cls(id=render(prefix, g.id) or "", name=g.name, product_count=n) for g, n in rows]


class CategoryList(Schema):
    categories: list[GroupRead]
    total: int
    limit: int
    offset: int


class BrandList(Schema):
    brands: list[GroupRead]
    total: int
    limit: int
    offset: int


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


class CatalogImport(InputSchema):
    format: ImportFormat
    products: list[Any] = Field(
        max_length=MAX_IMPORT,
        description="Up to 1000 products in the chosen format; each is validated on its own",
    )


class ImportIssue(Schema):
    index: int
    field: str | None
    message: str


class ImportResult(Schema):
    created: int
    updated: int
    failed: int
    errors: list[ImportIssue]

    @classmethod
    def of(cls, o: Outcome) -> ImportResult:
        return cls(
            created=o.created,
            updated=o.updated,
            failed=o.failed,
            errors=[ImportIssue(index=e.index, field=e.field, message=e.message) for e in o.errors],
        )


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
