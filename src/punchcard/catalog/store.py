"""Products and variants as a store's feed addresses them (the AddGlow face): by store
id (``external_id``, unique per tenant, any string: ``gid://shopify/Product/123``).

The same rows the native ``/api/v2/products`` lists and the Shopify import writes. A
store id is given on creation and never changes; a variant moves to another product
when it is given another ``product_store_id``; deleting a product deletes its variants.
A variant's ``price_cents`` and ``currency`` are kept as the native ``price`` (money,
to the cent) and the currency's code. Set-based bulk writes are in ``bulk.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from punchcard.catalog.repository import ProductRepository, VariantRepository
from punchcard.catalog.schemas import (
    PRODUCT_CHANGES,
    VARIANT_CHANGES,
    ProductRecord,
    VariantRecord,
    VariantView,
)
from punchcard.db.uow import now
from punchcard.errors import Conflict, NotFound, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.money import from_minor, to_minor
from punchcard.kit.paging import Cursor
from punchcard.models import Product, Variant


def price_of(price_cents: int | None, currency: str | None, *, field: str) -> Any:
    """The native price of a price in the currency's minor unit (400 naming ``field``
    when money cannot hold it)."""
    if price_cents is None:
        return None
    try:
        return from_minor(price_cents, currency)
    except ValueError as exc:
        raise ValidationFailed(f"{field}: {exc}", field=field) from exc


def price_cents_of(variant: Variant) -> int | None:
    """The variant's price in its currency's minor unit (cents when it has none)."""
    return None if variant.price is None else to_minor(variant.price, variant.currency)


# Products ---------------------------------------------------------------------------


def get_product(session: Session, principal: Principal, *, product_id: uuid.UUID) -> Product:
    product = ProductRepository(session, principal.tenant_id).get(product_id)
    if product is None:
        raise NotFound("Product not found", field="id")
    return product


def list_products(
    session: Session, principal: Principal, *, cursor: Cursor, updated_after: datetime | None
) -> tuple[list[Product], bool]:
    """Products in creation order, updated strictly after ``updated_after`` if given."""
    return ProductRepository(session, principal.tenant_id).after(
        cursor, updated_after=updated_after
    )


def create_product(session: Session, principal: Principal, *, record: ProductRecord) -> Product:
    """A new product (409 when its store id is taken)."""
    repo = ProductRepository(session, principal.tenant_id)
    if repo.get_by_external_id(record.store_id) is not None:
        raise Conflict("A product with this storeId already exists", field="storeId")
    at = now(session)
    return repo.add(
        Product(
            id=new_id(),
            external_id=record.store_id,
            images=[],
            status="active",
            created_at=at,
            updated_at=at,
            **record.values(),
        )
    )


def update_product(
    session: Session, principal: Principal, *, product_id: uuid.UUID, changes: Mapping[str, Any]
) -> Product:
    """Change the given columns (never the store id); ``updated_at`` moves only when a
    value changed."""
    unknown = set(changes) - PRODUCT_CHANGES
    if unknown:
        raise ValidationFailed(f"{sorted(unknown)[0]} cannot be changed", field=sorted(unknown)[0])
    product = ProductRepository(session, principal.tenant_id).get(product_id, lock=True)
    if product is None:
        raise NotFound("Product not found", field="id")
    if _assign(product, changes):
        product.updated_at = now(session)
        session.flush()
    return product


def delete_product(session: Session, principal: Principal, *, product_id: uuid.UUID) -> None:
    """Delete the product and its variants."""
    repo = ProductRepository(session, principal.tenant_id)
    product = repo.get(product_id, lock=True)
    if product is None:
        raise NotFound("Product not found", field="id")
    repo.delete_with_variants([product.id])


# Variants ---------------------------------------------------------------------------


def views(session: Session, tenant_id: uuid.UUID, variants: list[Variant]) -> list[VariantView]:
    """Variants with their products' store ids (one query for a whole page)."""
    store_ids = ProductRepository(session, tenant_id).store_ids(v.product_id for v in variants)
    return [VariantView(v, store_ids.get(v.product_id)) for v in variants]


def get_variant(session: Session, principal: Principal, *, variant_id: uuid.UUID) -> VariantView:
    variant = VariantRepository(session, principal.tenant_id).get(variant_id)
    if variant is None:
        raise NotFound("Variant not found", field="id")
    return views(session, principal.tenant_id, [variant])[0]


def list_variants(
    session: Session,
    principal: Principal,
    *,
    cursor: Cursor,
    product_id: uuid.UUID | None = None,
    product_store_id: str | None = None,
    updated_after: datetime | None = None,
) -> tuple[list[VariantView], bool]:
    """Variants in creation order, of one product if asked (by id or store id: an
    unknown one lists nothing, as a filter matching nothing does)."""
    products = ProductRepository(session, principal.tenant_id)
    if product_store_id is not None:
        product = products.get_by_external_id(product_store_id)
        if product is None or (product_id is not None and product.id != product_id):
            return [], False
        product_id = product.id
    rows, more = VariantRepository(session, principal.tenant_id).after(
        cursor, product_id=product_id, updated_after=updated_after
    )
    return views(session, principal.tenant_id, rows), more


def _product_by_store_id(session: Session, tenant_id: uuid.UUID, store_id: str) -> Product:
    product = ProductRepository(session, tenant_id).get_by_external_id(store_id)
    if product is None:
        raise NotFound("No product has this productStoreId", field="productStoreId")
    return product


def create_variant(session: Session, principal: Principal, *, record: VariantRecord) -> VariantView:
    """A new variant of the product with ``product_store_id`` (404 naming it when there
    is none; 409 when the variant's store id is taken)."""
    repo = VariantRepository(session, principal.tenant_id)
    if repo.get_by_external_id(record.store_id) is not None:
        raise Conflict("A variant with this storeId already exists", field="storeId")
    product = _product_by_store_id(session, principal.tenant_id, record.product_store_id)
    at = now(session)
    variant = repo.add(
        Variant(
            id=new_id(),
            product_id=product.id,
            external_id=record.store_id,
            title=record.title,
            position=record.position,
            barcode=record.barcode,
            sku=record.sku,
            price=price_of(record.price_cents, record.currency, field="priceCents"),
            currency=record.currency,
            image_url=record.image_url,
            image_width=record.image_width,
            image_height=record.image_height,
            created_at=at,
            updated_at=at,
        )
    )
    return VariantView(variant, product.external_id)


def update_variant(
    session: Session, principal: Principal, *, variant_id: uuid.UUID, changes: Mapping[str, Any]
) -> VariantView:
    """Change the given fields; another ``product_store_id`` moves the variant to that
    product (404 naming it when there is none). A new ``currency`` alone keeps the
    price's minor-unit amount (``priceCents``) and reads it in that currency."""
    unknown = set(changes) - VARIANT_CHANGES
    if unknown:
        raise ValidationFailed(f"{sorted(unknown)[0]} cannot be changed", field=sorted(unknown)[0])
    variant = VariantRepository(session, principal.tenant_id).get(variant_id, lock=True)
    if variant is None:
        raise NotFound("Variant not found", field="id")
    values = dict(changes)
    store_id = values.pop("product_store_id", None)
    if store_id is not None:
        values["product_id"] = _product_by_store_id(session, principal.tenant_id, store_id).id
    if "price_cents" in values or "currency" in values:
        cents = values.pop("price_cents", price_cents_of(variant))
        currency = values.get("currency", variant.currency)
        field = "priceCents" if "price_cents" in changes else "currency"
        values["price"] = price_of(cents, currency, field=field)
    if _assign(variant, values):
        variant.updated_at = now(session)
        session.flush()
    return views(session, principal.tenant_id, [variant])[0]


def delete_variant(session: Session, principal: Principal, *, variant_id: uuid.UUID) -> None:
    repo = VariantRepository(session, principal.tenant_id)
    variant = repo.get(variant_id, lock=True)
    if variant is None:
        raise NotFound("Variant not found", field="id")
    repo.delete(variant)
    session.flush()


def _assign(row: Any, values: Mapping[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed
