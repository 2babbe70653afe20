"""Bulk sync of a store's catalog (the AddGlow face's ``POST /products/bulk`` and
``POST /product-variants/bulk``): up to ``MAX_BULK`` upserts and ``MAX_BULK`` deletes
by store id, all or nothing.

Every record is checked before anything is written (a bad one is a 400 naming
``upsertRecords[i].field`` / ``deleteRecords[i]``); then the upserts, then the deletes
(a store id in both ends deleted). Set-based: one query reads what the records refer
to, one multi-row ``INSERT ... ON CONFLICT DO UPDATE`` writes every upsert (a new store
id is inserted, a known one updated in place: its id and ``created_at`` kept), one
``DELETE`` per table removes the deletes. Deleting unknown store ids is not an error
(the call states what should not exist). Field formats are the face's to check.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from punchcard.catalog.repository import ProductRepository, VariantRepository
from punchcard.catalog.schemas import MAX_BULK, ProductRecord, VariantRecord
from punchcard.catalog.store import price_of
from punchcard.db.dialect import upsert_many
from punchcard.db.uow import now
from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.models import Product, Variant

UPSERTS = "upsertRecords"
DELETES = "deleteRecords"

_PRODUCT_UPDATES = (
    "title",
    "description",
    "online_store_url",
    "image_url",
    "image_width",
    "image_height",
    "updated_at",
)
_VARIANT_UPDATES = (
    "product_id",
    "title",
    "position",
    "barcode",
    "sku",
    "price",
    "currency",
    "image_url",
    "image_width",
    "image_height",
    "updated_at",
)


def _check_sizes(upserts: Sequence[Any], deletes: Sequence[str]) -> None:
    for name, items in ((UPSERTS, upserts), (DELETES, deletes)):
        if len(items) > MAX_BULK:
            raise ValidationFailed(f"{name}: at most {MAX_BULK} records", field=name)


def _check_unique(store_ids: Sequence[str]) -> None:
    """One record per store id: two would leave the outcome to their order."""
    seen: set[str] = set()
    for i, store_id in enumerate(store_ids):
        if store_id in seen:
            field = f"{UPSERTS}[{i}].storeId"
            raise ValidationFailed(f"{field}: {store_id!r} appears twice", field=field)
        seen.add(store_id)


def sync_products(
    session: Session,
    principal: Principal,
    *,
    upserts: Sequence[ProductRecord],
    deletes: Sequence[str],
) -> None:
    """Upsert then delete products by store id; deleting a product deletes its variants."""
    _check_sizes(upserts, deletes)
    _check_unique([r.store_id for r in upserts])
    tenant_id = principal.tenant_id
    at = now(session)
    rows = [
        {
            "tenant_id": tenant_id,
            "id": new_id(),
            "external_id": r.store_id,
            "images": [],
            "status": "active",
            "created_at": at,
            "updated_at": at,
            **r.values(),
        }
        for r in upserts
    ]
    upsert_many(session, Product, rows, keys=("tenant_id", "external_id"), update=_PRODUCT_UPDATES)
    repo = ProductRepository(session, tenant_id)
    doomed = repo.by_external_ids(deletes)
    repo.delete_with_variants(p.id for p in doomed.values())
    _forget(session)


def sync_variants(
    session: Session,
    principal: Principal,
    *,
    upserts: Sequence[VariantRecord],
    deletes: Sequence[str],
) -> None:
    """Upsert then delete variants by store id. Each upsert's ``productStoreId`` must
    name an existing product (checked for all records in one query); a known variant
    given another one moves to that product."""
    _check_sizes(upserts, deletes)
    _check_unique([r.store_id for r in upserts])
    tenant_id = principal.tenant_id
    products = ProductRepository(session, tenant_id).by_external_ids(
        r.product_store_id for r in upserts
    )
    at = now(session)
    rows: list[dict[str, Any]] = []
    for i, r in enumerate(upserts):
        product = products.get(r.product_store_id)
        if product is None:
            field = f"{UPSERTS}[{i}].productStoreId"
            raise ValidationFailed(f"{field}: no product has this store id", field=field)
        rows.append(_variant_row(tenant_id, i, r, product.id, at))
    upsert_many(session, Variant, rows, keys=("tenant_id", "external_id"), update=_VARIANT_UPDATES)
    VariantRepository(session, tenant_id).delete_by_external_ids(deletes)
    _forget(session)


def _variant_row(
    tenant_id: uuid.UUID, i: int, r: VariantRecord, product_id: uuid.UUID, at: Any
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": new_id(),
        "product_id": product_id,
        "external_id": r.store_id,
        "title": r.title,
        "position": r.position,
        "barcode": r.barcode,
        "sku": r.sku,
        "price": price_of(r.price_cents, r.currency, field=f"{UPSERTS}[{i}].priceCents"),
        "currency": r.currency,
        "image_url": r.image_url,
        "image_width": r.image_width,
        "image_height": r.image_height,
        "created_at": at,
        "updated_at": at,
    }


def _forget(session: Session) -> None:
    """The statements ran in Core: drop the rows the session had loaded (now stale)."""
    session.expire_all()
