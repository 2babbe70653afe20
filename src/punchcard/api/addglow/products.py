"""The document's Brand Products group: ``GET/POST /products``, ``GET/PATCH/DELETE
/products/{id}``, ``POST /products/bulk``. A product is the core catalog's row (the one
``/api/v2/products`` lists), addressed here by its canonical UUID or, in bulk, by its
store id (``storeId``, which never changes). Deleting a product deletes its variants.
Bulk calls are limited to 10 a minute per API key (``BULK_LIMIT``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from punchcard.api.addglow import ids
from punchcard.api.addglow.auth import CatalogRead, CatalogWrite
from punchcard.api.addglow.catalog_fields import (
    Description,
    Pixels,
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
from punchcard.catalog.schemas import MAX_BULK, ProductRecord
from punchcard.kit.schema import UtcTime
from punchcard.models import Product as ProductRow

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Brand Products"])

BULK_LIMIT = EndpointLimit("addglow:products/bulk", "10/minute")


class Product(Wire):
    """A product of the brand's catalog: every stored field in the document's naming.
    ``description`` and ``onlineStoreUrl`` are null only for a product that came in by
    another way (the Shopify import, the native face)."""

    id: str
    store_id: str | None
    title: str
    description: str | None
    image_url: str | None
    image_width: int | None
    image_height: int | None
    online_store_url: str | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, p: ProductRow) -> Product:
        return cls(
            id=ids.render(p.id),
            store_id=p.external_id,
            title=p.title,
            description=p.description,
            image_url=p.image_url,
            image_width=p.image_width,
            image_height=p.image_height,
            online_store_url=p.online_store_url,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


class ProductInput(WireInput):
    """A new product; ``imageUrl``, ``imageWidth`` and ``imageHeight`` must be present
    and may be null."""

    store_id: StoreId
    title: Title
    description: Description
    image_url: Uri | None
    image_width: Pixels | None
    image_height: Pixels | None
    online_store_url: Uri

    def record(self) -> ProductRecord:
        return ProductRecord(
            store_id=self.store_id,
            title=self.title,
            description=self.description,
            online_store_url=self.online_store_url,
            image_url=self.image_url,
            image_width=self.image_width,
            image_height=self.image_height,
        )


class ProductPatch(WireInput):
    """The fields to change; ``storeId`` cannot change. Only the image fields may be
    null."""

    title: Omittable[Title] = None
    description: Omittable[Description] = None
    image_url: Uri | None = None
    image_width: Pixels | None = None
    image_height: Pixels | None = None
    online_store_url: Omittable[Uri] = None


class ProductBulk(WireInput):
    """Up to 100 products to create or update (by ``storeId``) and up to 100 store ids
    to delete (with their variants), upserts first; all or nothing."""

    upsert_records: Annotated[list[ProductInput], Field(max_length=MAX_BULK)] = []
    delete_records: Annotated[list[StoreId], Field(max_length=MAX_BULK)] = []


@router.get("/products", response_model=Listing[Product])
def list_products(
    p: CatalogRead,
    session: DbSession,
    cursor: CursorParams,
    updated_after_: Annotated[
        str | None,
        Query(
            alias="updatedAfter",
            description="Only products updated strictly after this date-time "
            "(ISO 8601 with an offset, e.g. 2024-01-01T00:00:00.000Z).",
        ),
    ] = None,
) -> Listing[Product]:
    """Returns a paginated list of products, oldest first."""
    rows, more = store.list_products(
        session, p, cursor=cursor, updated_after=updated_after(updated_after_)
    )
    return Listing[Product].of([Product.of(r) for r in rows], more)


@router.post("/products", response_model=Data[Product])
def create_product(p: CatalogWrite, session: DbSession, body: ProductInput) -> Data[Product]:
    """Creates a new product (409: a product with this ``storeId`` exists)."""
    return Data[Product](data=Product.of(store.create_product(session, p, record=body.record())))


async def _bulk_limit(request: Request, p: CatalogWrite) -> None:
    await BULK_LIMIT.enforce(request, p)


@router.post(
    "/products/bulk",
    response_model=Success,
    dependencies=[Depends(_bulk_limit)],
    openapi_extra=BULK_BODY,
)
def bulk_products(p: CatalogWrite, session: DbSession, body: ProductBulk) -> Success:
    """Creates or updates (by ``storeId``) up to 100 products, then deletes up to 100 by
    store id, with their variants; nothing is written if any record is invalid (400
    naming ``upsertRecords[i].field``). Rate limited to 10 calls a minute per API key."""
    bulk.sync_products(
        session,
        p,
        upserts=[r.record() for r in body.upsert_records],
        deletes=body.delete_records,
    )
    return Success()


@router.get("/products/{id}", response_model=Data[Product])
def get_product(p: CatalogRead, session: DbSession, id: str) -> Data[Product]:
    """Returns details of a specific product."""
    return Data[Product](data=Product.of(store.get_product(session, p, product_id=ids.path_id(id))))


@router.patch("/products/{id}", response_model=Data[Product])
def update_product(
    p: CatalogWrite, session: DbSession, id: str, body: ProductPatch
) -> Data[Product]:
    """Updates the given fields of a product (``storeId`` cannot change)."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    product = store.update_product(session, p, product_id=ids.path_id(id), changes=changes)
    return Data[Product](data=Product.of(product))


@router.delete("/products/{id}", response_model=Success)
def delete_product(p: CatalogWrite, session: DbSession, id: str) -> Success:
    """Deletes a product and all its variants."""
    store.delete_product(session, p, product_id=ids.path_id(id))
    return Success()
