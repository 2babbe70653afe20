"""The catalog importer: one SAVEPOINT per product."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from punchcard.catalog import importer
from punchcard.catalog.repository import BrandRepository
from punchcard.catalog.schemas import ImportFormat
from punchcard.identity.principal import Principal
from punchcard.models import Brand, Product, Variant
from tests.factories import Tenant


def _item(ext: str, brand: str, variant: str) -> dict[str, Any]:
    return {"externalId": ext, "title": ext, "brand": brand, "variants": [{"externalId": variant}]}


def test_a_product_failing_mid_write_is_rolled_back_alone(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importer._Importer._write_variants

    def flaky(self: Any, product: Product, variants: list[Any]) -> list[Variant]:
        # The product row and its new brand are already flushed when this fails.
        if product.external_id == "P2":
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        return real(self, product, variants)

    monkeypatch.setattr(importer._Importer, "_write_variants", flaky)
    principal = Principal(tenant_id=tenant.id, scopes=frozenset())
    items = [_item("P1", "Acme", "V1"), _item("P2", "Ghost", "V2"), _item("P3", "Ghost", "V3")]
    with tenant.db.transaction() as s:
        outcome = importer.import_products(
            s, principal, format=ImportFormat.generic, products=items
        )
    assert (outcome.created, outcome.updated, outcome.failed) == (2, 0, 1)
    assert outcome.errors[0].index == 1

    with tenant.db.transaction(write=False) as s:
        products = s.scalars(
            select(Product.external_id).where(Product.tenant_id == tenant.id)
        ).all()
        brands = s.scalars(select(Brand.name).where(Brand.tenant_id == tenant.id)).all()
        variants = s.scalar(
            select(func.count()).select_from(Variant).where(Variant.tenant_id == tenant.id)
        )
    assert sorted(products) == ["P1", "P3"]
    # P3's "Ghost" was created again, not taken from P2's rolled-back savepoint.
    assert sorted(brands) == ["Acme", "Ghost"]
    assert variants == 2


def test_a_real_unique_violation_fails_only_its_product(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    principal = Principal(tenant_id=tenant.id, scopes=frozenset())
    with tenant.db.transaction() as s:
        importer.import_products(
            s, principal, format=ImportFormat.generic, products=[_item("P0", "Acme", "V0")]
        )
    # As if a concurrent import had created "Acme" after this one looked: the INSERT
    # of a second "Acme" violates (tenant_id, name) inside P1's savepoint.
    real = BrandRepository.find_by_name
    monkeypatch.setattr(
        BrandRepository,
        "find_by_name",
        lambda self, name: None if name == "Acme" else real(self, name),
    )
    items = [_item("P1", "Acme", "V1"), _item("P2", "Zeta", "V2")]
    with tenant.db.transaction() as s:
        outcome = importer.import_products(
            s, principal, format=ImportFormat.generic, products=items
        )
    assert (outcome.created, outcome.failed) == (1, 1)
    assert outcome.errors[0].index == 0 and "retry" in outcome.errors[0].message
    with tenant.db.transaction(write=False) as s:
        products = s.scalars(
            select(Product.external_id).where(Product.tenant_id == tenant.id)
        ).all()
    assert sorted(products) == ["P0", "P2"]


def test_the_same_external_id_twice_in_one_import_is_created_then_updated(
    tenant: Tenant,
) -> None:
    principal = Principal(tenant_id=tenant.id, scopes=frozenset())
    items = [_item("P1", "Acme", "V1"), {**_item("P1", "Acme", "V1"), "title": "Renamed"}]
    with tenant.db.transaction() as s:
        outcome = importer.import_products(
            s, principal, format=ImportFormat.generic, products=items
        )
    assert (outcome.created, outcome.updated, outcome.failed) == (1, 1, 0)
    with tenant.db.transaction(write=False) as s:
        titles = s.scalars(select(Product.title).where(Product.tenant_id == tenant.id)).all()
    assert titles == ["Renamed"]
