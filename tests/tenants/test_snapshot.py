"""The tenant snapshot: a per-process copy of a tenant's configuration, used while its
version is the database's, bumped by every write to what it holds."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from punchcard.db.uow import Database
from punchcard.kit.ids import new_id, parse
from punchcard.models import Activity, Tenant, Tier, WebhookEndpoint
from punchcard.tenants import snapshot as snap
from punchcard.tenants.schemas import SETTINGS
from punchcard.tiers import service as tiers
from punchcard.webhooks.repository import WebhookRepository
from tests.config_guard import ConfigWriteGuard
from tests.factories import Tenant as Made
from tests.factories import award, insert_member


def _version(db: Database, tenant_id: uuid.UUID) -> int:
    with db.transaction(write=False) as s:
        return int(s.scalar(select(Tenant.config_version).where(Tenant.id == tenant_id)) or 0)


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def _names(cls: type[Any]) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_the_snapshot_holds_every_setting_and_every_tier_and_activity_column() -> None:
    # A setting or a column added later is in the snapshot (and so bumps) or fails here.
    assert _names(snap.TenantSettings) == {"id", *SETTINGS}
    assert _names(snap.TierRule) == {c.name for c in Tier.__table__.columns}
    assert _names(snap.ActivityRule) == {c.name for c in Activity.__table__.columns}


def test_every_write_to_the_configuration_bumps_the_version(tenant: Made) -> None:
    api = tenant.api
    made: dict[str, str] = {}

    def tier() -> None:
        made["tier"] = _ok(api.post("/tiers", json={"name": "Gold", "minPoints": 5}), 201)["id"]

    def activity() -> None:
        body = {"name": "Review", "key": "review", "points": 3}
        made["act"] = _ok(api.post("/activities", json=body), 201)["id"]

    def hook() -> None:
        body = {"url": "http://127.0.0.1:9/h", "events": ["points.awarded"]}
        made["hook"] = _ok(api.post("/webhooks", json=body), 201)["id"]

    changes: list[tuple[str, Callable[[], Any]]] = [
        ("settings", lambda: _ok(api.patch("/settings", json={"pointsExpiryDays": 90}))),
        ("tier created", tier),
        ("tier changed", lambda: _ok(api.patch(f"/tiers/{made['tier']}", json={"minPoints": 7}))),
        ("activity created", activity),
        ("activity changed", lambda: _ok(api.patch("/activities/review", json={"points": 4}))),
        ("endpoint created", hook),
        (
            "endpoint events",
            lambda: _ok(api.patch(f"/webhooks/{made['hook']}", json={"events": ["*"]})),
        ),
        (
            "endpoint disabled",
            lambda: _ok(api.patch(f"/webhooks/{made['hook']}", json={"enabled": False})),
        ),
        ("endpoint deleted", lambda: _ok(api.delete(f"/webhooks/{made['hook']}"), 204)),
    ]
    for label, change in changes:
        before = _version(tenant.db, tenant.id)
        change()
        assert _version(tenant.db, tenant.id) != before, label


def test_writes_outside_the_snapshot_leave_the_version_alone(tenant: Made) -> None:
    api = tenant.api
    hook = _ok(api.post("/webhooks", json={"url": "http://127.0.0.1:9/h", "events": ["*"]}), 201)
    member = insert_member(tenant)
    before = _version(tenant.db, tenant.id)
    _ok(api.patch(f"/webhooks/{hook['id']}", json={"url": "http://127.0.0.1:9/other"}))
    _ok(api.patch(f"/webhooks/{hook['id']}", json={"description": "the shop"}))
    _ok(api.post(f"/webhooks/{hook['id']}/rotate-secret"))
    _ok(api.post("/settings/sso-secret"))
    award(tenant, member, 10)
    with tenant.db.transaction() as s:
        row = s.get(Tenant, tenant.id)
        assert row is not None
        row.tier_period_started_at = tenant.db.clock.now()  # the rollover's bookkeeping
    assert _version(tenant.db, tenant.id) == before


def test_an_award_uses_the_process_copy_until_another_database_changes_the_tenant(
    db: Database, tenant: Made
) -> None:
    member = insert_member(tenant)
    award(tenant, member, 1)
    warm = db.snapshots.get(tenant.id)
    award(tenant, member, 1)
    assert db.snapshots.get(tenant.id) is warm  # no change: the same copy, not reloaded

    # Another Database (another process's cache, in effect) changes the expiry setting.
    other = Database(db.url, clock=db.clock)
    try:
        with other.transaction() as s:
            row = s.get(Tenant, tenant.id)
            assert row is not None
            row.points_expiry_days = 10
    finally:
        other.dispose()
    entry = award(tenant, member, 1)
    assert db.snapshots.get(tenant.id) is not warm
    assert db.snapshots.get(tenant.id).settings.points_expiry_days == 10
    txn = parse("txn", entry["transactionId"])
    with db.transaction(write=False) as s:
        from punchcard.models import PointsEntry

        written = s.get(PointsEntry, (tenant.id, txn))
        assert written is not None and written.expires_at is not None


def test_threads_reading_while_the_tenant_changes_converge_on_the_last_change(
    db: Database, tenant: Made
) -> None:
    """The copy is shared by every thread of the process: readers loading and
    publishing it concurrently with changes end on the committed configuration."""
    stop, errors = threading.Event(), []

    def read() -> None:
        try:
            while not stop.is_set():
                with db.transaction(write=False) as s:
                    assert snap.snapshot(s, tenant.id).settings.id == tenant.id
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    try:
        for days in range(1, 11):
            with db.transaction() as s:
                row = s.get(Tenant, tenant.id)
                assert row is not None
                row.points_expiry_days = days
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert errors == []
    with db.transaction(write=False) as s:
        final = snap.snapshot(s, tenant.id)
    assert final.settings.points_expiry_days == 10
    assert final.version == _version(db, tenant.id)


def _gold(tenant_id: uuid.UUID, at: Any) -> Tier:
    return Tier(
        tenant_id=tenant_id,
        id=new_id(),
        key=f"gold_{new_id().hex[-6:]}",
        name="Gold",
        type="lifetime",
        position=1,
        min_points=0,
        multiplier=Decimal(2),
        is_active=True,
        is_default=False,
        created_at=at,
        updated_at=at,
    )


def test_a_transaction_sees_its_own_change_and_shares_none_of_it(
    db: Database, tenant: Made
) -> None:
    member = insert_member(tenant)
    award(tenant, member, 1)  # the process holds a copy of the tenant
    shared = db.snapshots.get(tenant.id)
    with pytest.raises(RuntimeError), db.transaction() as s:
        s.add(_gold(tenant.id, db.clock.now()))  # not flushed: the snapshot flushes it
        assert [t.name for t in tiers.active_tiers(s, tenant.id)] == ["Gold"]
        assert db.snapshots.get(tenant.id) is shared  # the private copy is not published
        raise RuntimeError("roll the tier back")
    with db.transaction() as s:
        assert tiers.active_tiers(s, tenant.id) == ()
    assert db.snapshots.get(tenant.id).version == shared.version


def test_the_worker_disabling_an_endpoint_bumps_the_version(db: Database, tenant: Made) -> None:
    body = {"url": "http://127.0.0.1:9/h", "events": ["*"]}
    hook = parse("wh", _ok(tenant.api.post("/webhooks", json=body), 201)["id"])
    before = _version(db, tenant.id)
    with db.transaction() as s:
        assert [r.id for r in snap.snapshot(s, tenant.id).endpoints] == [hook]
        endpoint = s.get(WebhookEndpoint, (tenant.id, hook))
        assert endpoint is not None
        assert WebhookRepository(s, tenant.id).disable(endpoint, reason="410", at=db.clock.now())
        assert snap.snapshot(s, tenant.id).endpoints == ()
    assert _version(db, tenant.id) != before


def test_a_bump_rolled_back_is_not_reused_by_the_next_one(db: Database, tenant: Made) -> None:
    """A group-commit batch can show a request a version another request wrote, then roll
    back: the next change must not get that number again (a random step, not +1)."""

    def bumped(s: Session) -> int:
        snap.bump(s, tenant.id)
        return int(s.scalar(select(Tenant.config_version).where(Tenant.id == tenant.id)) or 0)

    with pytest.raises(RuntimeError), db.transaction() as s:
        lost = bumped(s)
        raise RuntimeError("the batch rolls back")
    with db.transaction() as s:
        assert bumped(s) != lost


def test_the_guard_fails_a_core_write_that_does_not_bump(
    db: Database, tenant: Made, config_guard: ConfigWriteGuard
) -> None:
    rename = update(Tier).where(Tier.tenant_id == tenant.id).values(name="Renamed")
    with db.transaction() as s:
        s.execute(rename)
    found = config_guard.take()
    assert len(found) == 1 and found[0].startswith("UPDATE tiers SET name="), found

    with db.transaction() as s:
        snap.bump(s, tenant.id)
        s.execute(rename)
    assert config_guard.take() == []
