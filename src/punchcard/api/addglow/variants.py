"""The document's Brand Product Variants group: ``GET/POST /product-variants``,
``GET/PATCH/DELETE /product-variants/{id}``, ``POST /product-variants/bulk``. A variant
is the core catalog's row, under its product's store id (``productStoreId``); a PATCH
with another ``productStoreId`` moves it to that product, and an unknown one is a 404
naming ``productStoreId`` (in bulk, a 400 naming ``upsertRecords[i].productStoreId``).
``priceCents`` and ``currency`` are kept as the native price (``priceCents`` / 10^the
currency's minor-unit exponent; cents when no currency is given). Bulk calls are
limited to 10 a minute per API key (``BULK_LIMIT``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from punchcard.api.addglow import ids
from punchcard.api.addglow.auth import CatalogRead, CatalogWrite
from punchcard.api.addglow.catalog_fields import (
    Cents,
    Code,
    Currency,
    Pixels,
    Position,
    StoreId,
    Title,
    Uri,
    updated_after,
)
from punchcard.api.addglow.paging import CursorParams
from punchcard.api.addglow.schemas import Data, Listing, Omittable, Success, Wire, WireInput
from punchcard.api.common.guards import BULK_BODY
from punchcard.api.common.ratelimit import EndpointLimit
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.catalog import bulk, store
from punchcard.catalog.schemas import MAX_BULK, VariantRecord, VariantView
from punchcard.kit.schema import UtcTime

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Brand Product Variants"])

BULK_LIMIT = EndpointLimit("addglow:product-variants/bulk", "10/minute")


class Variant(Wire):
    """A product variant: every stored field in the document's naming. ``priceCents``
    is in ``currency``'s minor unit (cents when ``currency`` is null)."""

    id: str
    store_id: str | None
    product_id: str
    product_store_id: str | None
    title: str | None
    barcode: str | None
    sku: str | None
    position: int
    price_cents: int | None
    currency: str | None
    image_url: str | None
    image_width: int | None
    image_height: int | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, view: VariantView) -> Variant:
        v = view.variant
        return cls(
            id=ids.render(v.id),
            store_id=v.external_id,
            product_id=ids.render(v.product_id),
            product_store_id=view.product_store_id,
            title=v.title,
            barcode=v.barcode,
            sku=v.sku,
            position=v.position,
            price_cents=store.price_cents_of(v),
            currency=v.currency,
            image_url=v.image_url,
            image_width=v.image_width,
            image_height=v.image_height,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class VariantInput(WireInput):
    """A new variant of the product with ``productStoreId``."""

    store_id: StoreId
    product_store_id: StoreId
    title: Title
    position: Position
    barcode: Code | None = None
    sku: Code | None = None
    price_cents: Cents | None = None
    currency: Currency | None = None
    image_url: Uri | None = None
    image_width: Pixels | None = None
    image_height: Pixels | None = None

    def record(self) -> VariantRecord:
        return VariantRecord(
            store_id=self.store_id,
            product_store_id=self.product_store_id,
            title=self.title,
            position=self.position,
            barcode=self.barcode,
            sku=self.sku,
            price_cents=self.price_cents,
            currency=self.currency,
            image_url=self.image_url,
            image_width=self.image_width,
            image_height=self.image_height,
        )


class VariantPatch(WireInput):
    """The fields to change; ``storeId`` cannot change, another ``productStoreId``
    moves the variant. ``productStoreId``, ``title`` and ``position`` may not be null."""

    product_store_id: Omittable[StoreId] = None
    title: Omittable[Title] = None
    position: Omittable[Position] = None
    barcode: Code | None = None
    sku: Code | None = None
    price_cents: Cents | None = None
    currency: Currency | None = None
    image_url: Uri | None = None
    image_width: Pixels | None = None
    image_height: Pixels | None = None


class VariantBulk(WireInput):
    """Up to 100 variants to create or update (by ``storeId``) and up to 100 store ids
    to delete, upserts first; all or nothing."""

    upsert_records: Annotated[list[VariantInput], Field(max_length=MAX_BULK)] = []
    delete_records: Annotated[list[StoreId], Field(max_length=MAX_BULK)] = []


@router.get("/product-variants", response_model=Listing[Variant])
def list_variants(
    p: CatalogRead,
    session: DbSession,
    cursor: CursorParams,
    product_id: Annotated[
        str | None, Query(alias="productId", description="Filter by product ID")
    ] = None,
    product_store_id: Annotated[
        str | None, Query(alias="productStoreId", description="Filter by product store ID")
    ] = None,
    updated_after_: Annotated[
        str | None,
        Query(
            alias="updatedAfter",
            description="Only variants updated strictly after this date-time "
            "(ISO 8601 with an offset, e.g. 2024-01-01T00:00:00.000Z).",
        ),
    ] = None,
) -> Listing[Variant]:
    """Returns a paginated list of product variants, oldest first."""
    views, more = store.list_variants(
        session,
        p,
        cursor=cursor,
        product_id=ids.optional_field_id(product_id, field="productId"),
        product_store_id=product_store_id,
        updated_after=updated_after(updated_after_),
    )
    return Listing[Variant].of([Variant.of(v) for v in views], more)


@router.post("/product-variants", response_model=Data[Variant])
def create_variant(p: CatalogWrite, session: DbSession, body: VariantInput) -> Data[Variant]:
    """Creates a new product variant (404: no product has ``productStoreId``; 409: a
    variant with this ``storeId`` exists)."""
    return Data[Variant](data=Variant.of(store.create_variant(session, p, record=body.record())))


async def _bulk_limit(request: Request, p: CatalogWrite) -> None:
    await BULK_LIMIT.enforce(request, p)


@router.post(
    "/product-variants/bulk",
    response_model=Success,
    dependencies=[Depends(_bulk_limit)],
    openapi_extra=BULK_BODY,
)
def bulk_variants(p: CatalogWrite, session: DbSession, body: VariantBulk) -> Success:
    """Creates or updates (by ``storeId``) up to 100 variants, then deletes up to 100 by
    store id; nothing is written if any record is invalid (400 naming
    ``upsertRecords[i].field``). Rate limited to 10 calls a minute per API key."""
    bulk.sync_variants(
        session,
        p,
        upserts=[r.record() for r in body.upsert_records],
        deletes=body.delete_records,
    )
    return Success()


@router.get("/product-variants/{id}", response_model=Data[Variant])
def get_variant(p: CatalogRead, session: DbSession, id: str) -> Data[Variant]:
    """Returns details of a specific product variant."""
    return Data[Variant](data=Variant.of(store.get_variant(session, p, variant_id=ids.path_id(id))))


@router.patch("/product-variants/{id}", response_model=Data[Variant])
def update_variant(
    p: CatalogWrite, session: DbSession, id: str, body: VariantPatch
) -> Data[Variant]:
    """Updates the given fields of a variant (``storeId`` cannot change)."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    view = store.update_variant(session, p, variant_id=ids.path_id(id), changes=changes)
    return Data[Variant](data=Variant.of(view))


@router.delete("/product-variants/{id}", response_model=Success)
def delete_variant(p: CatalogWrite, session: DbSession, id: str) -> Success:
    """Deletes a product variant."""
    store.delete_variant(session, p, variant_id=ids.path_id(id))
    return Success()
