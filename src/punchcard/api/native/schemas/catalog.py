"""Catalog wire models: the renderings of products, variants, brands and categories
(``prd_``/``var_``/``brd_``/``cat_`` ids) and the body and answer of ``/catalog/import``."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from punchcard.api.common import ids
from punchcard.catalog.importer import Outcome
from punchcard.catalog.schemas import MAX_IMPORT, ImportFormat, ProductStatus, ProductView
from punchcard.kit.money import money_str
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import Variant


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
            id=ids.render("var", v.id),
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
            id=ids.render("prd", p.id),
            external_id=p.external_id,
            title=p.title,
            description=p.description,
            handle=p.handle,
            brand=NamedRef(id=ids.render("brd", p.brand_id), name=brand)
            if p.brand_id and brand is not None
            else None,
            category=NamedRef(id=ids.render("cat", p.category_id), name=category)
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
        return [cls(id=ids.render(prefix, g.id), name=g.name, product_count=n) for g, n in rows]


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


# Import ----------------------------------------------------------------------------


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
