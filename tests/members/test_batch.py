"""``POST /members/batch`` is set-based, and its answer and rows are exactly those of the
same rows sent one at a time."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from sqlalchemy import event

from punchcard.kit.ids import parse
from punchcard.members import batch as member_batch
from punchcard.models import Capture, Member, OutboxEvent, ReferralCode, WebhookDelivery
from tests.batch_compare import Names, name_fixtures, rows, savepoints
from tests.factories import Tenant, make_tenant

EXISTING: list[dict[str, Any]] = [
    {"externalId": "X0", "email": "a0@example.com"},
    {"email": "a1@example.com"},
    {"externalId": "X2", "email": "a2@example.com", "phone": "+15550000002"},
    {"phone": "+15550000003", "firstName": "P"},
    {"externalId": "X4"},
]
EXTERNAL_IDS = [None, None, "X0", "X2", "X4", "N1", "N2", "N3", "N4"]
EMAILS = [
    None,
    None,
    "a0@example.com",
    "A1@Example.com",
    "a2@example.com",
    "n1@example.com",
    "n2@example.com",
    "n3@example.com",
    "not-an-email",
]
PHONES = [
    None,
    None,
    None,
    "+15550000002",
    "+1 555 000 0003",
    "+15550000009",
    "+1555000001",
    "12ab",
]


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _setup(t: Tenant) -> Names:
    """Stores, a default tier, a webhook taking every event, five members (one tagged)."""
    for code in ("S1", "S2"):
        _ok(t.api.post("/stores", json={"code": code, "name": code}), 201)
    _ok(t.api.post("/tiers", json={"name": "Base", "isDefault": True}), 201)
    _ok(t.api.post("/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["*"]}), 201)
    names = Names()
    for i, body in enumerate(EXISTING):
        with savepoints(t.db.engine) as taken:
            member = _ok(t.api.post("/members", json=body), 201)
        # The savepoints an enrolment takes (its identity guard; SQLite's group commit).
        t.extra["enrol_savepoints"] = taken()
        names.add(parse("mem", member["id"]), f"m{i}")
        if i == 0:
            _ok(t.api.post(f"/members/{member['id']}/tags", json={"tags": ["vip"]}))
    name_fixtures(t, names)
    return names


def _random_rows(rng: random.Random, n: int) -> list[Any]:
    """Rows matching existing members by externalId or email (in another case), new
    ones, the same identity twice, identities held by someone else, bad emails and
    phones, unknown stores, rows without identity, rows the face cannot read."""
    out: list[Any] = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.04:
            out.append("not an object")
            continue
        row: dict[str, Any] = {
            "externalId": rng.choice(EXTERNAL_IDS),
            "email": rng.choice(EMAILS),
            "phone": rng.choice(PHONES),
            "firstName": rng.choice([None, "Ann", "Bob"]),
        }
        if rng.random() < 0.3:
            row["lastName"] = rng.choice(["L", "M"])
        if rng.random() < 0.2:
            row["metadata"] = {"k": rng.randint(0, 2)}
        if rng.random() < 0.15:
            row["storeId"] = rng.choice(["S1", "NO-SUCH-STORE"])
        if rng.random() < 0.03:
            row["unknownField"] = 1
        # Absent and null are the same in a batch row; send both spellings.
        out.append({k: v for k, v in row.items() if v is not None or rng.random() < 0.5})
    return out


def _comparable(result: dict[str, Any], names: Names) -> dict[str, Any]:
    out = {k: v for k, v in result.items() if k != "index"}
    if "id" in out:
        out["id"] = names.value(out["id"])
    if "error" in out and "existingId" in out["error"]:
        out["error"] = {**out["error"], "existingId": names.value(out["error"]["existingId"])}
    return out


def _state(t: Tenant, names: Names) -> dict[str, Any]:
    return {
        "members": rows(t, names, Member),
        "codes": rows(t, names, ReferralCode),
        "captures": rows(t, names, Capture),
        "events": rows(t, names, OutboxEvent),
        "deliveries": rows(t, names, WebhookDelivery, skip=("event_id", "endpoint_id")),
    }


@pytest.mark.parametrize("seed", range(10))
def test_a_batch_answers_and_writes_exactly_what_sending_rows_one_at_a_time_does(
    db: Any, client: Any, seed: int
) -> None:
    rng = random.Random(seed)
    batched, single = make_tenant(db, client), make_tenant(db, client)
    names_a, names_b = _setup(batched), _setup(single)
    batch = _random_rows(rng, 30)

    with savepoints(db.engine) as taken:
        body = _ok(batched.api.post("/members/batch", json={"members": batch}))
    # Set-based: one savepoint around the batch (an enrolment alone takes one more than
    # a request does, for its identity guard), not one per row (nor the fallback).
    assert taken() == batched.extra["enrol_savepoints"]
    alone = [_ok(single.api.post("/members/batch", json={"members": [r]})) for r in batch]
    expected = [{**one["results"][0], "index": i} for i, one in enumerate(alone)]

    assert [x["index"] for x in body["results"]] == list(range(len(batch)))
    for i, (a, b) in enumerate(zip(body["results"], expected, strict=True)):
        if a["status"] == b["status"] == "created":
            names_a.add(parse("mem", a["id"]), f"new{i}")
            names_b.add(parse("mem", b["id"]), f"new{i}")
    got = [_comparable(x, names_a) for x in body["results"]]
    assert got == [_comparable(x, names_b) for x in expected]
    statuses = [x["status"] for x in expected]
    assert (body["created"], body["updated"], body["failed"]) == tuple(
        statuses.count(s) for s in ("created", "updated", "error")
    )
    assert {"created", "updated", "error"} <= set(statuses)
    assert _state(batched, names_a) == _state(single, names_b)


def _statements(t: Tenant, batch: list[dict[str, Any]]) -> int:
    count = 0

    def on_execute(*_: Any) -> None:
        nonlocal count
        # The audit writer's background flushes are not the request's.
        if threading.current_thread().name != "audit-writer":
            count += 1

    event.listen(t.db.engine, "before_cursor_execute", on_execute)
    try:
        body = _ok(t.api.post("/members/batch", json={"members": batch}))
    finally:
        event.remove(t.db.engine, "before_cursor_execute", on_execute)
    assert body["failed"] == 0
    return count


def test_a_batch_costs_the_same_statements_at_10_and_100_rows(tenant: Tenant) -> None:
    _setup(tenant)

    def rows_(n: int, tag: str) -> list[dict[str, Any]]:
        new = [
            {"externalId": f"{tag}{i}", "email": f"{tag}{i}@example.com", "storeId": "S1"}
            for i in range(n)
        ]
        # The same members again (updates), and an existing member changed.
        again = [{**r, "firstName": "Again"} for r in new]
        return [*new, *again, {"externalId": "X0", "lastName": tag}]

    _statements(tenant, rows_(5, "w"))
    small = _statements(tenant, rows_(10, "s"))
    large = _statements(tenant, rows_(100, "l"))
    # A per-row statement would add about 180 (201 rows against 21).
    assert large <= small + 2, (small, large)


def test_a_failure_the_checks_cannot_foresee_falls_back_to_row_by_row_with_the_same_results(
    db: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A referral code taken between the batch's check and its insert (another process
    # allocated it): the insert fails, the batch rolls back and runs row by row.
    batched, single = make_tenant(db, client), make_tenant(db, client)
    names_a, names_b = _setup(batched), _setup(single)
    taken_code = batched.api.get("/members", params={"externalId": "X0"}).json()["members"][0]
    monkeypatch.setattr(
        member_batch, "generate_referral_codes", lambda _s, _p, n: [taken_code["referralCode"]] * n
    )
    batch = _random_rows(random.Random(1), 30)
    with savepoints(db.engine) as taken:
        body = _ok(batched.api.post("/members/batch", json={"members": batch}))
    assert taken() > batched.extra["enrol_savepoints"]
    monkeypatch.undo()
    alone = [_ok(single.api.post("/members/batch", json={"members": [r]})) for r in batch]
    expected = [{**one["results"][0], "index": i} for i, one in enumerate(alone)]
    for i, (a, b) in enumerate(zip(body["results"], expected, strict=True)):
        if a["status"] == b["status"] == "created":
            names_a.add(parse("mem", a["id"]), f"new{i}")
            names_b.add(parse("mem", b["id"]), f"new{i}")
    assert "created" in {x["status"] for x in expected}
    got = [_comparable(x, names_a) for x in body["results"]]
    assert got == [_comparable(x, names_b) for x in expected]
    assert _state(batched, names_a) == _state(single, names_b)
