"""Product catalog: brands, categories, products and their variants."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned, tenant_fk


class Brand(TenantOwned, Base):
    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Category(TenantOwned, Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Product(TenantOwned, Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        tenant_fk("brand_id", "brands"),
        tenant_fk("category_id", "categories"),
    )

    external_id: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    handle: Mapped[str | None] = mapped_column(String(255))
    brand_id: Mapped[uuid.UUID | None]
    category_id: Mapped[uuid.UUID | None]
    images: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(16), default="active")
    # What a store's product feed carries (the AddGlow face): one main image and the
    # product's page in the online store.
    image_url: Mapped[str | None] = mapped_column(String(2048))
    image_width: Mapped[int | None]
    image_height: Mapped[int | None]
    online_store_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Variant(TenantOwned, Base):
    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        tenant_fk("product_id", "products", ondelete="CASCADE"),
    )

    product_id: Mapped[uuid.UUID]
    external_id: Mapped[str | None] = mapped_column(String(128))
    sku: Mapped[str | None] = mapped_column(String(128))
    barcode: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str | None] = mapped_column(String(500))
    price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    position: Mapped[int] = mapped_column(default=1)
    # ISO 4217 code of ``price`` when the store said it (the AddGlow face's
    # ``priceCents`` + ``currency``); None: the tenant's own currency.
    currency: Mapped[str | None] = mapped_column(String(3))
    image_url: Mapped[str | None] = mapped_column(String(2048))
    image_width: Mapped[int | None]
    image_height: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
