"""``POST /orders/batch`` is set-based, and its answer and rows are exactly those of the
same orders posted one by one to ``POST /orders``."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select, update

from punchcard.kit.ids import new_id, parse
from punchcard.ledger import service as ledger_service
from punchcard.models import (
    Activity,
    Member,
    Order,
    OutboxEvent,
    PointsEntry,
    PointsLot,
    WebhookDelivery,
)
from punchcard.tenants.snapshot import bump
from tests.batch_compare import Names, name_fixtures, rows, savepoints
from tests.factories import Tenant, insert_member, make_tenant, verify_tenant

MEMBERS = 5
EXTERNAL_IDS = [f"E{i}" for i in range(12)]
STORES = ("S1", "S2")


def _setup(t: Tenant, *, pending: bool) -> tuple[list[str], Names]:
    """Stores, two tiers with multipliers (an order can move its member up mid-batch),
    a webhook taking every event, the purchase rule (awaiting approval if ``pending``),
    members, and two orders already placed."""
    for code in STORES:
        assert t.api.post("/stores", json={"code": code, "name": code}).status_code == 201
    for name, minimum, mult in (("Silver", 30, "1.5"), ("Gold", 90, "2")):
        body = {"name": name, "minPoints": minimum, "multiplier": mult, "position": minimum}
        assert t.api.post("/tiers", json=body).status_code == 201
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["*"]}
    assert t.api.post("/webhooks", json=hook).status_code == 201, "webhook"
    if pending:
        with t.db.transaction() as s:
            bump(s, t.id)  # a configuration write: the tenant snapshot must see it
            s.execute(
                update(Activity)
                .where(Activity.tenant_id == t.id, Activity.system_key == "purchase")
                .values(approval="manual")
            )
    members = [insert_member(t, email=f"m{i}@example.com") for i in range(MEMBERS)]
    names = Names()
    for i, m in enumerate(members):
        names.add(parse("mem", m), f"m{i}")
    for ext in EXTERNAL_IDS[:2]:
        body = {"externalOrderId": ext, "memberId": members[0], "total": "12.00"}
        with savepoints(t.db.engine) as taken:
            assert t.api.post("/orders", json=body).status_code == 201
        # The savepoints any write request takes (SQLite's group commit takes one).
        t.extra["request_savepoints"] = taken()
    name_fixtures(t, names)
    return members, names


def _random_rows(rng: random.Random, n: int) -> list[dict[str, Any]]:
    """Abstract rows (``member`` an index, or None for an unknown id): repeated external
    ids (the same body again, or another), repeated members, unknown members, unknown
    stores, eligible amounts over the total, items."""
    out: list[dict[str, Any]] = []
    sent: dict[str, dict[str, Any]] = {}
    for _ in range(n):
        ext = rng.choice(EXTERNAL_IDS)
        if ext in sent and rng.random() < 0.5:
            out.append(dict(sent[ext]))
            continue
        row: dict[str, Any] = {
            "externalOrderId": ext,
            "member": rng.choice([*range(MEMBERS), *range(3), None]),
            "total": rng.choice(["10.00", "25.50", "0.99", "40", "7.25"]),
        }
        roll = rng.random()
        if roll < 0.25:
            row["storeId"] = rng.choice([*STORES, "NO-SUCH-STORE"])
        elif roll < 0.3:
            row["eligibleAmount"] = "999.00"
        elif roll < 0.4:
            row["items"] = [{"price": "3.00", "quantity": 2}, {"price": "5", "eligible": False}]
        sent[ext] = row
        out.append(dict(row))
    return out


def _wire(row: dict[str, Any], members: list[str], unknown: str) -> dict[str, Any]:
    body = {k: v for k, v in row.items() if k != "member"}
    body["memberId"] = members[row["member"]] if row["member"] is not None else unknown
    return body


def _one_by_one(t: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    """A single post's answer, as the batch reports a row."""
    r = t.api.post("/orders", json=body)
    if r.status_code in (200, 201):
        got = r.json()
        return {
            "status": "created" if r.status_code == 201 else "duplicate",
            "externalOrderId": got["externalOrderId"],
            "id": got["id"],
            "pointsAwarded": got["pointsAwarded"],
        }
    error = r.json()["error"]
    return {
        "status": "error",
        "externalOrderId": body["externalOrderId"],
        "error": {k: error.get(k) for k in ("code", "message", "field")},
    }


def _comparable(result: dict[str, Any], names: Names) -> dict[str, Any]:
    out = {k: v for k, v in result.items() if k != "index" and v is not None}
    if "id" in out:
        out["id"] = names.value(out["id"])
    return out


def _state(t: Tenant, names: Names) -> dict[str, Any]:
    with t.db.transaction(write=False) as s:
        for o in s.scalars(select(Order).where(Order.tenant_id == t.id)):
            names.add(o.id, f"order:{o.external_order_id}")
    return {
        "orders": rows(t, names, Order, skip=("body_hash",)),
        "entries": rows(t, names, PointsEntry),
        "lots": rows(t, names, PointsLot, skip=("entry_id",)),
        "members": rows(t, names, Member),
        "events": rows(t, names, OutboxEvent),
        "deliveries": rows(t, names, WebhookDelivery, skip=("event_id", "endpoint_id")),
    }


@pytest.mark.parametrize("seed", range(8))
def test_a_batch_answers_and_writes_exactly_what_posting_one_by_one_does(
    db: Any, client: Any, seed: int
) -> None:
    rng = random.Random(seed)
    pending = seed % 3 == 2
    batched, single = make_tenant(db, client), make_tenant(db, client)
    members_a, names_a = _setup(batched, pending=pending)
    members_b, names_b = _setup(single, pending=pending)
    abstract = _random_rows(rng, 40)
    unknown = f"mem_{new_id().hex}"

    with savepoints(db.engine) as taken:
        r = batched.api.post(
            "/orders/batch", json={"orders": [_wire(x, members_a, unknown) for x in abstract]}
        )
    assert r.status_code == 200, r.text
    # Set-based: one savepoint around the batch, not one per row (nor the fallback).
    assert taken() == batched.extra["request_savepoints"] + 1
    body = r.json()
    expected = [_one_by_one(single, _wire(x, members_b, unknown)) for x in abstract]

    assert [x["index"] for x in body["results"]] == list(range(len(abstract)))
    state_a, state_b = _state(batched, names_a), _state(single, names_b)
    got = [_comparable(x, names_a) for x in body["results"]]
    assert got == [_comparable(x, names_b) for x in expected]
    statuses = [x["status"] for x in expected]
    assert (body["created"], body["duplicates"], body["failed"]) == tuple(
        statuses.count(s) for s in ("created", "duplicate", "error")
    )
    # The batch is a real mix (the generator is seeded: this holds for every seed).
    assert {"created", "duplicate", "error"} <= set(statuses)
    assert state_a == state_b
    verify_tenant(batched)


# --- cost -------------------------------------------------------------------------


@contextmanager
def _statements_outside_the_ledger(engine: Any) -> Iterator[Callable[[], tuple[int, int]]]:
    """Count the statements the request runs outside the ledger's credits (``credit``, and
    the bulk credit's ``Credits.add`` and ``Credits.write``, whose cost belongs to the
    ledger: see ``test_the_bulk_credit_costs_the_same_statements_at_10_and_100_rows``), by
    wrapping the ledger's public functions with a flag. Yields a reading of (statements
    outside, statements inside)."""
    count = 0
    count_inside = 0
    inside = 0
    original = ledger_service.credit
    add, write = ledger_service.Credits.add, ledger_service.Credits.write

    def flagged(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            nonlocal inside
            inside += 1
            try:
                return function(*args, **kwargs)
            finally:
                inside -= 1

        return call

    credit = flagged(original)

    def on_execute(*_: Any) -> None:
        nonlocal count, count_inside
        # The audit writer's background flushes are not the request's.
        if threading.current_thread().name == "audit-writer":
            return
        if inside:
            count_inside += 1
        else:
            count += 1

    ledger_service.credit = credit  # type: ignore[assignment]
    ledger_service.Credits.add = flagged(add)  # type: ignore[method-assign]
    ledger_service.Credits.write = flagged(write)  # type: ignore[method-assign]
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield lambda: (count, count_inside)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        ledger_service.credit = original  # type: ignore[assignment]
        ledger_service.Credits.add = add  # type: ignore[method-assign]
        ledger_service.Credits.write = write  # type: ignore[method-assign]


def _batch_cost(t: Tenant, members: list[str], n: int, tag: str) -> tuple[int, int]:
    """Statements outside the ledger's credits and inside them, for ``n`` new orders and
    half as many duplicates."""
    rows_ = [
        {
            "externalOrderId": f"{tag}-{i}",
            "memberId": members[i % len(members)],
            "total": "10.00",
            **({"storeId": STORES[i % 2]} if i % 3 == 0 else {}),
        }
        for i in range(n)
    ]
    # Every other row again, as a duplicate.
    rows_ += rows_[::2]
    with _statements_outside_the_ledger(t.db.engine) as counted:
        r = t.api.post("/orders/batch", json={"orders": rows_})
        outside, inside = counted()
    assert r.status_code == 200, r.text
    assert r.json()["created"] == n and r.json()["duplicates"] == len(rows_[n:])
    return outside, inside


def test_a_batch_costs_the_same_statements_outside_the_ledger_at_10_and_100_rows(
    tenant: Tenant,
) -> None:
    members, _ = _setup(tenant, pending=False)
    _batch_cost(tenant, members, 5, "warm")
    small, _ = _batch_cost(tenant, members, 10, "small")
    large, _ = _batch_cost(tenant, members, 100, "large")
    # A per-row statement would add about 90 (135 rows against 15).
    assert large <= small + 2, (small, large)


def test_the_bulk_credit_costs_the_same_statements_at_10_and_100_rows(tenant: Tenant) -> None:
    members, _ = _setup(tenant, pending=False)
    # Every member's first credit counts its tier period (the journal summed, the
    # period set: the ledger's own path); from then on each is in the common case.
    _batch_cost(tenant, members, 5, "warm")
    _, small = _batch_cost(tenant, members, 10, "small")
    _, large = _batch_cost(tenant, members, 100, "large")
    # One statement per member at most may differ (a tier id moving with the points);
    # a per-credit statement would add about 450 (five per credit, 90 more credits).
    assert small > 0
    assert large <= small + len(members), (small, large)


def test_a_failure_the_checks_cannot_foresee_falls_back_to_row_by_row_with_the_same_results(
    db: Any, client: Any
) -> None:
    # The ledger refuses an award over the tenant's maximum: E6's 60 points pass the
    # batch's check at the base rate, but E5 moves its member up to Gold (x2) first, so
    # its credit is 120, over 100. The batch cannot know it before crediting, so it rolls
    # back and places the rows one by one, each in a savepoint.
    batched, single = make_tenant(db, client), make_tenant(db, client)
    members_a, names_a = _setup(batched, pending=False)
    members_b, names_b = _setup(single, pending=False)
    for t in (batched, single):
        r = t.api.patch("/settings", json={"maxPointsPerAward": 100})
        assert r.status_code == 200, r.text
    abstract = [
        {"externalOrderId": "E5", "member": 1, "total": "95.00"},
        {"externalOrderId": "E6", "member": 1, "total": "60.00"},
        {"externalOrderId": "E7", "member": 2, "total": "20.00"},
        {"externalOrderId": "E5", "member": 1, "total": "95.00"},
    ]
    with savepoints(db.engine) as taken:
        r = batched.api.post(
            "/orders/batch", json={"orders": [_wire(x, members_a, "") for x in abstract]}
        )
    assert r.status_code == 200, r.text
    assert taken() > batched.extra["request_savepoints"] + 1
    expected = [_one_by_one(single, _wire(x, members_b, "")) for x in abstract]
    assert [x["status"] for x in expected] == ["created", "error", "created", "duplicate"]
    assert expected[1]["error"]["code"] == "POINTS_LIMIT_EXCEEDED"
    assert expected[1]["error"]["field"] == "total"
    got = [_comparable(x, names_a) for x in r.json()["results"]]
    assert got == [_comparable(x, names_b) for x in expected]
    assert _state(batched, names_a) == _state(single, names_b)
    verify_tenant(batched)
