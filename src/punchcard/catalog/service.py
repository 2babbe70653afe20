"""Catalog use cases: read products (with variants), brands and categories."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from punchcard.catalog.repository import (
    BrandRepository,
    CategoryRepository,
    ProductRepository,
    VariantRepository,
)
from punchcard.catalog.schemas import ProductView
from punchcard.db.repository import by_id_or_key
from punchcard.errors import NotFound
from punchcard.identity.principal import Principal
from punchcard.kit.paging import Page
from punchcard.models import Product


def _views(session: Session, tenant_id: uuid.UUID, products: list[Product]) -> list[ProductView]:
    """Attach variants and group names to a page of products (three queries in all)."""
    variants = VariantRepository(session, tenant_id).for_products(p.id for p in products)
    brands = BrandRepository(session, tenant_id).names(p.brand_id for p in products)
    categories = CategoryRepository(session, tenant_id).names(p.category_id for p in products)
    return [
        ProductView(
            product=p,
            variants=variants.get(p.id, []),
            brand=brands.get(p.brand_id) if p.brand_id else None,
            category=categories.get(p.category_id) if p.category_id else None,
        )
        for p in products
    ]


def get(session: Session, principal: Principal, *, product_ref: uuid.UUID | str) -> ProductView:
    """A product by its id (a UUID) or by its external id (a string). A UUID no product
    has is tried as an external id too (a shop may use UUIDs as product ids)."""
    repo = ProductRepository(session, principal.tenant_id)
    product = by_id_or_key(product_ref, repo.get, repo.get_by_external_id)
    if product is None:
        raise NotFound("Product not found", field="id")
    return _views(session, principal.tenant_id, [product])[0]


def list_products(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    q: str | None = None,
    brand_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
    status: str | None = None,
) -> tuple[list[ProductView], int]:
    rows, total = ProductRepository(session, principal.tenant_id).list(
        page,
        q=q.strip() if q and q.strip() else None,
        brand_id=brand_id,
        category_id=category_id,
        status=status,
    )
    return _views(session, principal.tenant_id, rows), total


def list_brands(
    session: Session, principal: Principal, *, page: Page
) -> tuple[list[tuple[Any, int]], int]:
    """Brands by name, each with its product count."""
    return BrandRepository(session, principal.tenant_id).list_with_counts(page)


def list_categories(
    session: Session, principal: Principal, *, page: Page
) -> tuple[list[tuple[Any, int]], int]:
    """Categories by name, each with its product count."""
    return CategoryRepository(session, principal.tenant_id).list_with_counts(page)
