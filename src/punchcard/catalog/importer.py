"""``POST /catalog/import``: upsert products and variants by external id.

Each item is normalised from its dialect (Shopify product JSON or Punchcard's generic
format) and written inside its own SAVEPOINT, so one bad product is reported by index
and rolled back alone while the others are kept.

Upsert semantics: a field present in the item is written (``null`` clears it); a field
left out keeps its stored value (and its default on create). A ``variants`` list, when
present, is the product's complete set: variants not in it are removed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.catalog.repository import (
    BrandRepository,
    CategoryRepository,
    ProductRepository,
    VariantRepository,
)
from punchcard.catalog.schemas import (
    GenericProduct,
    ImportFormat,
    ShopifyProduct,
)
from punchcard.db.repository import TenantRepository
from punchcard.db.uow import now
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.schema import first_error
from punchcard.models import Brand, Category, Product, Variant


class ItemError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Issue:
    index: int
    field: str | None
    message: str


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    failed: int = 0
    errors: list[Issue] = field(default_factory=list)


@dataclass
class VariantData:
    external_id: str
    values: dict[str, Any]  # model attribute -> value, only for fields present
    field: str  # where this variant sits in the item, for error messages


@dataclass
class ProductData:
    external_id: str
    values: dict[str, Any]
    # "brand" / "category" -> name (None clears), only when present in the item.
    groups: dict[str, str | None]
    group_fields: dict[str, str]
    variants: list[VariantData] | None
    variant_id_field: str


# Normalisation ---------------------------------------------------------------------


def _validate(model: type[BaseModel], item: Any) -> Any:
    if not isinstance(item, dict):
        raise ItemError(None, "A product must be an object")
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        raise ItemError(*first_error(exc)) from exc


def _from_shopify(item: Any) -> ProductData:
    # Accept an item as the Admin API returns it, ``{"product": {...}}``, too.
    if isinstance(item, dict) and set(item) == {"product"} and isinstance(item["product"], dict):
        item = item["product"]
    p: ShopifyProduct = _validate(ShopifyProduct, item)
    sent = p.model_fields_set
    values: dict[str, Any] = {"title": p.title}
    if "body_html" in sent:
        values["description"] = p.body_html
    if "handle" in sent:
        values["handle"] = p.handle
    if "status" in sent and p.status is not None:
        values["status"] = p.status.value
    if "images" in sent:
        images = sorted(
            enumerate(p.images or []),
            key=lambda pair: (pair[1].position is None, pair[1].position or 0, pair[0]),
        )
        values["images"] = [img.src for _, img in images]
    groups: dict[str, str | None] = {}
    if "vendor" in sent:
        groups["brand"] = p.vendor
    if "product_type" in sent:
        groups["category"] = p.product_type
    variants = None
    if "variants" in sent:
        variants = [
            VariantData(
                external_id=v.id,
                values={
                    k: getattr(v, k)
                    for k in ("sku", "barcode", "title", "price", "position")
                    if k in v.model_fields_set
                },
                field=f"variants.{i}",
            )
            for i, v in enumerate(p.variants or [])
        ]
    return ProductData(
        external_id=p.id,
        values=values,
        groups=groups,
        group_fields={"brand": "vendor", "category": "product_type"},
        variants=variants,
        variant_id_field="id",
    )


def _from_generic(item: Any) -> ProductData:
    p: GenericProduct = _validate(GenericProduct, item)
    sent = p.model_fields_set
    values: dict[str, Any] = {"title": p.title}
    for name in ("description", "handle"):
        if name in sent:
            values[name] = getattr(p, name)
    if "status" in sent and p.status is not None:
        values["status"] = p.status.value
    if "images" in sent:
        values["images"] = list(p.images or [])
    groups: dict[str, str | None] = {
        name: getattr(p, name) for name in ("brand", "category") if name in sent
    }
    variants = None
    if "variants" in sent:
        variants = [
            VariantData(
                external_id=v.external_id,
                values={
                    k: getattr(v, k)
                    for k in ("sku", "barcode", "title", "price", "position")
                    if k in v.model_fields_set
                },
                field=f"variants.{i}",
            )
            for i, v in enumerate(p.variants or [])
        ]
    return ProductData(
        external_id=p.external_id,
        values=values,
        groups=groups,
        group_fields={"brand": "brand", "category": "category"},
        variants=variants,
        variant_id_field="externalId",
    )


NORMALISERS = {ImportFormat.shopify: _from_shopify, ImportFormat.generic: _from_generic}


# Writing ---------------------------------------------------------------------------


class _Importer:
    """One import run: lookups prefetched in bulk, caches kept across items."""

    def __init__(self, session: Session, tenant_id: uuid.UUID, items: list[ProductData]) -> None:
        self.session = session
        self.at: datetime = now(session)
        self.products = ProductRepository(session, tenant_id)
        self.variants = VariantRepository(session, tenant_id)
        self.groups: dict[str, TenantRepository[Any]] = {
            "brand": BrandRepository(session, tenant_id),
            "category": CategoryRepository(session, tenant_id),
        }
        self.by_external = self.products.by_external_ids(d.external_id for d in items)
        self.variant_by_external = self.variants.by_external_ids(
            v.external_id for d in items for v in d.variants or []
        )
        self.product_variants = self.variants.for_products(p.id for p in self.by_external.values())
        # Group name (lower-cased) -> id. Only updated once an item's savepoint is
        # released: rows created in a rolled-back savepoint do not exist.
        self.group_ids: dict[str, dict[str, uuid.UUID]] = {"brand": {}, "category": {}}

    def write(self, data: ProductData) -> bool:
        """Upsert one product inside its savepoint. True when it was created."""
        self._check_variants(data)
        pending: dict[str, dict[str, uuid.UUID]] = {"brand": {}, "category": {}}
        with self.session.begin_nested():
            product = self.by_external.get(data.external_id)
            created = product is None
            values = dict(data.values)
            for kind, name in data.groups.items():
                values[f"{kind}_id"] = self._group(kind, name, pending[kind])
            if product is None:
                product = Product(
                    id=new_id(),
                    external_id=data.external_id,
                    title=values["title"],
                    description=values.get("description"),
                    handle=values.get("handle"),
                    brand_id=values.get("brand_id"),
                    category_id=values.get("category_id"),
                    images=values.get("images") or [],
                    status=values.get("status") or "active",
                    created_at=self.at,
                    updated_at=self.at,
                )
                self.products.add(product)
            elif _assign(product, values):
                product.updated_at = self.at
            kept = (
                self._write_variants(product, data.variants) if data.variants is not None else None
            )
            self.session.flush()
        # Released: the rows exist; remember them for the items that follow.
        for kind, found in pending.items():
            self.group_ids[kind].update(found)
        self.by_external[data.external_id] = product
        if kept is not None:
            for v in self.product_variants.get(product.id, []):
                if v not in kept and v.external_id:
                    self.variant_by_external.pop(v.external_id, None)
            for v in kept:
                self.variant_by_external[v.external_id or ""] = v
            self.product_variants[product.id] = kept
        return created

    def _check_variants(self, data: ProductData) -> None:
        """Refuse, before writing anything, variant ids that repeat or belong elsewhere."""
        seen: set[str] = set()
        own = self.by_external.get(data.external_id)
        for v in data.variants or []:
            where = f"{v.field}.{data.variant_id_field}"
            if v.external_id in seen:
                raise ItemError(where, f"{where}: variant {v.external_id} appears twice")
            seen.add(v.external_id)
            existing = self.variant_by_external.get(v.external_id)
            if existing is not None and (own is None or existing.product_id != own.id):
                raise ItemError(
                    where, f"{where}: variant {v.external_id} belongs to another product"
                )

    def _group(
        self, kind: str, name: str | None, pending: dict[str, uuid.UUID]
    ) -> uuid.UUID | None:
        if name is None:
            return None
        key = name.lower()
        known = self.group_ids[kind].get(key) or pending.get(key)
        if known is not None:
            return known
        repo = self.groups[kind]
        row = repo.find_by_name(name)  # type: ignore[attr-defined]
        if row is None:
            model = Brand if kind == "brand" else Category
            row = repo.add(model(id=new_id(), name=name, created_at=self.at))
        pending[key] = row.id
        return row.id

    def _write_variants(self, product: Product, variants: list[VariantData]) -> list[Variant]:
        current = self.product_variants.get(product.id, [])
        kept: list[Variant] = []
        for position, data in enumerate(variants, start=1):
            variant = self.variant_by_external.get(data.external_id)
            if variant is None:
                variant = Variant(
                    id=new_id(),
                    product_id=product.id,
                    external_id=data.external_id,
                    sku=data.values.get("sku"),
                    barcode=data.values.get("barcode"),
                    title=data.values.get("title"),
                    price=data.values.get("price"),
                    position=data.values.get("position") or position,
                    created_at=self.at,
                    updated_at=self.at,
                )
                self.variants.add(variant)
            elif _assign(variant, data.values):
                variant.updated_at = self.at
            kept.append(variant)
        for old in current:
            if old not in kept:
                self.variants.delete(old)
        return kept


def _assign(row: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def import_products(
    session: Session, principal: Principal, *, format: ImportFormat, products: list[Any]
) -> Outcome:
    """Upsert ``products`` (already capped at 1000 by the schema); never raises for one
    bad item: its index, field and message are reported and the others are written."""
    outcome = Outcome()
    normalised: list[tuple[int, ProductData]] = []
    for index, item in enumerate(products):
        try:
            normalised.append((index, NORMALISERS[format](item)))
        except ItemError as exc:
            outcome.errors.append(Issue(index, exc.field, exc.message))
    importer = _Importer(session, principal.tenant_id, [d for _, d in normalised])
    for index, data in normalised:
        try:
            created = importer.write(data)
        except ItemError as exc:
            outcome.errors.append(Issue(index, exc.field, exc.message))
        except IntegrityError:
            # A concurrent import created the same row first; the savepoint is gone
            # and this item alone is reported.
            outcome.errors.append(
                Issue(index, None, "Conflicts with a concurrent change; retry this product")
            )
        else:
            if created:
                outcome.created += 1
            else:
                outcome.updated += 1
    outcome.errors.sort(key=lambda e: e.index)
    outcome.failed = len(outcome.errors)
    return outcome
