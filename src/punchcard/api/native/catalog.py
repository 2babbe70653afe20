"""Catalog (PIM): ``/products``, ``/categories``, ``/brands``, ``/catalog/import``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from punchcard.api.common import ids
from punchcard.api.common.auth import CatalogRead, CatalogWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.catalog import (
    BrandList,
    CatalogImport,
    CategoryList,
    GroupRead,
    ImportResult,
    ProductList,
    ProductRead,
)
from punchcard.catalog import importer, service
from punchcard.catalog.schemas import ProductStatus

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Catalog"])


@router.get("/products", response_model=ProductList)
def list_products(
    p: CatalogRead,
    session: DbSession,
    page: PageParams,
    q: Annotated[
        str | None,
        Query(
            max_length=200, description="Title or handle contains; exact externalId, sku or barcode"
        ),
    ] = None,
    brand_id: Annotated[str | None, Query(alias="brandId")] = None,
    category_id: Annotated[str | None, Query(alias="categoryId")] = None,
    status: Annotated[ProductStatus | None, Query()] = None,
) -> ProductList:
    """List products, each with its variants."""
    rows, total = service.list_products(
        session,
        p,
        page=page,
        q=q,
        brand_id=ids.parse_filter(
            "brd", brand_id, field="brandId", message="brandId is not a brd_ id"
        ),
        category_id=ids.parse_filter(
            "cat", category_id, field="categoryId", message="categoryId is not a cat_ id"
        ),
        status=status.value if status else None,
    )
    return ProductList(
        products=[ProductRead.of(v) for v in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/products/{id}", response_model=ProductRead)
def get_product(p: CatalogRead, session: DbSession, id: str) -> ProductRead:
    """Get one product (by `prd_` id or external id) with its variants."""
    return ProductRead.of(service.get(session, p, product_ref=ids.ref("prd", id)))


@router.get("/categories", response_model=CategoryList)
def list_categories(p: CatalogRead, session: DbSession, page: PageParams) -> CategoryList:
    """List categories by name, with product counts."""
    rows, total = service.list_categories(session, p, page=page)
    return CategoryList(
        categories=GroupRead.rows("cat", rows),
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/brands", response_model=BrandList)
def list_brands(p: CatalogRead, session: DbSession, page: PageParams) -> BrandList:
    """List brands by name, with product counts."""
    rows, total = service.list_brands(session, p, page=page)
    return BrandList(
        brands=GroupRead.rows("brd", rows),
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/catalog/import", response_model=ImportResult)
def import_catalog(p: CatalogWrite, session: DbSession, body: CatalogImport) -> ImportResult:
    """Upsert up to 1000 products (Shopify product JSON or the generic format) by external id.

    `shopify` takes Shopify's product JSON: `id`, `title`, `body_html`, `vendor` (→ brand),
    `product_type` (→ category), `handle`, `status`, `variants[{id, sku, barcode, price,
    title, position}]`, `images[{src}]`; other Shopify fields are ignored. `generic`
    takes `{externalId, title, description?, brand?, category?, handle?, status?,
    images?: [url], variants?: [{externalId, sku?, barcode?, price?, title?, position?}]}`.

    Products and variants are matched by external id, so re-importing is safe. A field
    left out keeps its stored value; `variants`, when sent, is the complete set (others
    are removed). Each product is written on its own: a bad one is listed in `errors`
    (`index`, `field`, `message`) and the rest are kept.
    """
    outcome = importer.import_products(session, p, format=body.format, products=body.products)
    return ImportResult.of(outcome)
