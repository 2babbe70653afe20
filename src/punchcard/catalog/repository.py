"""Catalog SQL."""

from __future__ import annotations

import builtins
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, or_, select

from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Cursor, Page
from punchcard.models import Brand, Category, Product, Variant


class ProductRepository(TenantRepository[Product]):
    model = Product

    def get_by_external_id(self, external_id: str) -> Product | None:
        stmt = self.scoped().where(Product.external_id == external_id)
        return self.session.scalars(stmt).first()

    def by_external_ids(self, external_ids: Iterable[str]) -> dict[str, Product]:
        wanted = sorted(set(external_ids))
        if not wanted:
            return {}
        stmt = self.scoped().where(Product.external_id.in_(wanted))
        return {p.external_id or "": p for p in self.session.scalars(stmt)}

    def list(
        self,
        page: Page,
        *,
        q: str | None = None,
        brand_id: uuid.UUID | None = None,
        category_id: uuid.UUID | None = None,
        status: str | None = None,
    ) -> tuple[list[Product], int]:
        stmt = self.scoped()
        if q:
            # A POS looks products up by what is printed on them: sku or barcode too.
            by_variant = exists().where(
                Variant.tenant_id == Product.tenant_id,
                Variant.product_id == Product.id,
                or_(Variant.sku == q, Variant.barcode == q),
            )
            stmt = stmt.where(
                or_(
                    Product.title.icontains(q, autoescape=True),
                    Product.handle.icontains(q, autoescape=True),
                    Product.external_id == q,
                    by_variant,
                )
            )
        if brand_id is not None:
            stmt = stmt.where(Product.brand_id == brand_id)
        if category_id is not None:
            stmt = stmt.where(Product.category_id == category_id)
        if status:
            stmt = stmt.where(Product.status == status)
        return self.page(stmt, page, Product.created_at, Product.id)

    def after(
        self, cursor: Cursor, *, updated_after: datetime | None = None
    ) -> tuple[builtins.list[Product], bool]:
        """A keyset page in creation order; ``updated_after`` is exclusive."""
        stmt = self.scoped()
        if updated_after is not None:
            stmt = stmt.where(Product.updated_at > updated_after)
        return self.after_page(stmt, cursor)

    def store_ids(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str | None]:
        """Product id -> store id, for a page of variants (one query)."""
        wanted = set(ids)
        if not wanted:
            return {}
        stmt = self.scoped(select(Product.id, Product.external_id)).where(Product.id.in_(wanted))
        return {row[0]: row[1] for row in self.session.execute(stmt)}

    def delete_with_variants(self, product_ids: Iterable[uuid.UUID]) -> None:
        """Delete products and their variants, set-based (not left to ON DELETE CASCADE:
        SQLite enforces it only with its foreign keys pragma on)."""
        wanted = sorted(set(product_ids))
        if not wanted:
            return
        self.session.execute(
            delete(Variant).where(
                Variant.tenant_id == self.tenant_id, Variant.product_id.in_(wanted)
            )
        )
        self.session.execute(
            delete(Product).where(Product.tenant_id == self.tenant_id, Product.id.in_(wanted))
        )


class VariantRepository(TenantRepository[Variant]):
    model = Variant

    def for_products(self, product_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Variant]]:
        """Each product's variants in display order (one query for a whole page)."""
        wanted = set(product_ids)
        result: dict[uuid.UUID, list[Variant]] = defaultdict(list)
        if not wanted:
            return result
        stmt = (
            self.scoped()
            .where(Variant.product_id.in_(wanted))
            .order_by(Variant.product_id, Variant.position, Variant.created_at, Variant.id)
        )
        for v in self.session.scalars(stmt):
            result[v.product_id].append(v)
        return result

    def by_external_ids(self, external_ids: Iterable[str]) -> dict[str, Variant]:
        wanted = sorted(set(external_ids))
        if not wanted:
            return {}
        stmt = self.scoped().where(Variant.external_id.in_(wanted))
        return {v.external_id or "": v for v in self.session.scalars(stmt)}

    def delete(self, variant: Variant) -> None:
        self.session.delete(variant)

    def get_by_external_id(self, external_id: str) -> Variant | None:
        stmt = self.scoped().where(Variant.external_id == external_id)
        return self.session.scalars(stmt).first()

    def after(
        self,
        cursor: Cursor,
        *,
        product_id: uuid.UUID | None = None,
        updated_after: datetime | None = None,
    ) -> tuple[list[Variant], bool]:
        """A keyset page in creation order; ``updated_after`` is exclusive."""
        stmt = self.scoped()
        if product_id is not None:
            stmt = stmt.where(Variant.product_id == product_id)
        if updated_after is not None:
            stmt = stmt.where(Variant.updated_at > updated_after)
        return self.after_page(stmt, cursor)

    def delete_by_external_ids(self, external_ids: Iterable[str]) -> None:
        wanted = sorted(set(external_ids))
        if wanted:
            self.session.execute(
                delete(Variant).where(
                    Variant.tenant_id == self.tenant_id, Variant.external_id.in_(wanted)
                )
            )


class _GroupRepository(TenantRepository[Any]):
    """Brands and categories: named groups of products, found by name."""

    # The products column pointing at this group ("brand_id" / "category_id").
    fk: str

    def names(self, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        stmt = self.scoped(select(self.model.id, self.model.name)).where(self.model.id.in_(wanted))
        return {row[0]: row[1] for row in self.session.execute(stmt)}

    def find_by_name(self, name: str) -> Any:
        """Exact name first, else the case-insensitive match ("Nike" is "nike")."""
        stmt = self.scoped().where(func.lower(self.model.name) == name.lower())
        rows = list(self.session.scalars(stmt))
        return next((r for r in rows if r.name == name), rows[0] if rows else None)

    def list_with_counts(self, page: Page) -> tuple[list[tuple[Any, int]], int]:
        count = (
            select(func.count())
            .where(Product.tenant_id == self.tenant_id, getattr(Product, self.fk) == self.model.id)
            .correlate(self.model)
            .scalar_subquery()
        )
        base = self.scoped()
        total = self.session.scalar(select(func.count()).select_from(base.subquery()))
        stmt = (
            self.scoped(select(self.model, count.label("n")))
            .order_by(self.model.name, self.model.id)
            .limit(page.limit)
            .offset(page.offset)
        )
        return [(row[0], int(row[1])) for row in self.session.execute(stmt)], int(total or 0)


class BrandRepository(_GroupRepository):
    model = Brand
    fk = "brand_id"


class CategoryRepository(_GroupRepository):
    model = Category
    fk = "category_id"
