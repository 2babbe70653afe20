"""The catalog's bulk sync (``catalog/bulk.py``): set-based, all or nothing, upserts
before deletes, on the real database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from punchcard.catalog import bulk, store
from punchcard.catalog.schemas import ProductRecord, VariantRecord
from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.models import Product, Variant
from tests.factories import Tenant, unique


def _product(store_id: str | None = None, **over: Any) -> ProductRecord:
    values: dict[str, Any] = {
        "store_id": store_id or unique("gid://shopify/Product/"),
        "title": "Serum",
        "description": "Glows",
        "online_store_url": "https://shop.example.com/serum",
        "image_url": None,
        "image_width": None,
        "image_height": None,
    }
    values.update(over)
    return ProductRecord(**values)


def _variant(product_store_id: str, store_id: str | None = None, **over: Any) -> VariantRecord:
    return VariantRecord(
        store_id=store_id or unique("gid://shopify/ProductVariant/"),
        product_store_id=product_store_id,
        title="Large",
        position=1,
        **over,
    )


@pytest.fixture
def principal(tenant: Tenant) -> Principal:
    return Principal(tenant_id=tenant.id, scopes=frozenset())


@pytest.fixture
def statements(tenant: Tenant) -> Iterator[list[str]]:
    seen: list[str] = []
    me = threading.get_ident()

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if threading.get_ident() == me:
            seen.append(sql.strip().split()[0].upper())

    event.listen(tenant.db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(tenant.db.engine, "before_cursor_execute", count)


def _rows(tenant: Tenant, model: Any) -> dict[str, Any]:
    with tenant.db.transaction(write=False) as s:
        found = s.scalars(select(model).where(model.tenant_id == tenant.id))
        return {r.external_id: r for r in found}


def _sync_products(tenant: Tenant, principal: Principal, **kw: Any) -> None:
    with tenant.db.transaction() as s:
        bulk.sync_products(s, principal, **kw)


def test_a_full_call_costs_the_statements_of_a_single_record(
    tenant: Tenant, principal: Principal, statements: list[str]
) -> None:
    existing = [_product() for _ in range(50)]
    _sync_products(tenant, principal, upserts=existing, deletes=[])
    statements.clear()
    _sync_products(tenant, principal, upserts=[_product()], deletes=[existing[0].store_id])
    one = [s for s in statements if s not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]
    statements.clear()
    upserts = [_product(r.store_id, title="Changed") for r in existing[1:]] + [
        _product() for _ in range(51)
    ]
    deletes = [r.store_id for r in existing[1:]] + [f"unknown-{i}" for i in range(51)]
    _sync_products(tenant, principal, upserts=upserts, deletes=deletes)
    hundred = [s for s in statements if s not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]
    # One multi-row upsert, one read of the products to delete, one DELETE per table.
    assert hundred == one
    assert hundred.count("INSERT") == 1 and len(hundred) <= 4, hundred
    rows = _rows(tenant, Product)
    assert len(rows) == 51 + 1  # the 51 new ones and the single one of the first call


def test_an_upsert_keeps_the_rows_id_and_creation_time(
    tenant: Tenant, principal: Principal
) -> None:
    record = _product()
    _sync_products(tenant, principal, upserts=[record], deletes=[])
    before = _rows(tenant, Product)[record.store_id]
    tenant.db.clock.advance(seconds=3)  # type: ignore[attr-defined]
    _sync_products(tenant, principal, upserts=[_product(record.store_id, title="New")], deletes=[])
    after = _rows(tenant, Product)[record.store_id]
    assert (after.id, after.created_at) == (before.id, before.created_at)
    assert after.title == "New" and after.updated_at > before.updated_at


def test_upserts_run_before_deletes_and_deletes_take_the_variants(
    tenant: Tenant, principal: Principal
) -> None:
    kept, doomed = _product(), _product()
    _sync_products(tenant, principal, upserts=[kept, doomed], deletes=[])
    with tenant.db.transaction() as s:
        bulk.sync_variants(
            s,
            principal,
            upserts=[_variant(kept.store_id), _variant(doomed.store_id), _variant(doomed.store_id)],
            deletes=[],
        )
    again = _product()
    _sync_products(tenant, principal, upserts=[again], deletes=[doomed.store_id, again.store_id])
    assert set(_rows(tenant, Product)) == {kept.store_id}
    variants = list(_rows(tenant, Variant).values())
    assert len(variants) == 1 and variants[0].product_id == _rows(tenant, Product)[kept.store_id].id


def test_a_bad_record_is_refused_before_any_write(
    tenant: Tenant, principal: Principal, statements: list[str]
) -> None:
    product = _product()
    _sync_products(tenant, principal, upserts=[product], deletes=[])
    statements.clear()
    cases: list[tuple[Any, str]] = [
        (lambda s: bulk.sync_products(s, principal, upserts=[product, _product(),
                                                             product], deletes=[]),
         "upsertRecords[2].storeId"),
        (lambda s: bulk.sync_products(s, principal, upserts=[_product()] * 101, deletes=[]),
         "upsertRecords"),
        (lambda s: bulk.sync_variants(s, principal, upserts=[], deletes=["x"] * 101),
         "deleteRecords"),
        (lambda s: bulk.sync_variants(
            s, principal, upserts=[_variant(product.store_id), _variant("nope")],
            deletes=[product.store_id]), "upsertRecords[1].productStoreId"),
        (lambda s: bulk.sync_variants(
            s, principal, upserts=[_variant(product.store_id, price_cents=1, currency="BHD")],
            deletes=[]), "upsertRecords[0].priceCents"),
    ]  # fmt: skip
    for call, field in cases:
        with tenant.db.transaction() as s, pytest.raises(ValidationFailed) as caught:
            call(s)
        assert caught.value.field == field
    writes = [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert set(_rows(tenant, Product)) == {product.store_id} and _rows(tenant, Variant) == {}


def test_a_known_variant_moves_to_the_product_its_record_names(
    tenant: Tenant, principal: Principal
) -> None:
    a, b = _product(), _product()
    _sync_products(tenant, principal, upserts=[a, b], deletes=[])
    record = _variant(a.store_id, price_cents=1999, currency="USD")
    with tenant.db.transaction() as s:
        bulk.sync_variants(s, principal, upserts=[record], deletes=[])
    first = _rows(tenant, Variant)[record.store_id]
    moved = _variant(b.store_id, store_id=record.store_id, price_cents=500, currency="JPY")
    with tenant.db.transaction() as s:
        bulk.sync_variants(s, principal, upserts=[moved], deletes=[])
    after = _rows(tenant, Variant)[record.store_id]
    assert after.id == first.id and after.product_id == _rows(tenant, Product)[b.store_id].id
    assert str(after.price) == "500.00" and after.currency == "JPY"
    assert store.price_cents_of(after) == 500
