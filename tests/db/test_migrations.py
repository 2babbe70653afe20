"""Data migrations, run from the previous head on a scratch database of the dialect under
test (a temporary SQLite file, or a scratch PostgreSQL database next to the test one)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text

from punchcard.db.engine import build_engine, normalize_url
from punchcard.db.migrate import alembic_config
from punchcard.kit.ids import new_id
from tests.conftest import database_url


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Engine]:
    url = normalize_url(database_url())
    if url.get_backend_name() == "sqlite":
        engine = build_engine(f"sqlite:///{tmp_path}/migrations.db")
        yield engine
        engine.dispose()
        return
    name = f"{url.database}_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = build_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def _previous(revision: str) -> str:
    """The revision ``revision`` upgrades from (the previous head when it was written)."""
    down = ScriptDirectory.from_config(alembic_config()).get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


def _migrate(engine: Engine, target: str, *, down: bool = False) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


def _seed(engine: Engine, tier_ids: list[str]) -> tuple[uuid.UUID, uuid.UUID]:
    """A tenant and a reward whose tier_ids are as the native face used to store them."""
    tenant, reward, at = new_id(), new_id(), datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tenants (id, name, partner_id, timezone, currency,"
                " points_per_currency_unit, tier_period, plan, custom_auth_enabled,"
                " created_at, updated_at) VALUES (:id, 'T', :partner, 'UTC', 'USD', 1,"
                " 'year', 'unlimited', false, :at, :at)"
            ),
            {"id": _bind(engine, tenant), "partner": tenant.hex[:16], "at": at},
        )
        conn.execute(
            text(
                "INSERT INTO rewards (tenant_id, id, key, name, points_cost, is_active,"
                " tier_ids, created_at, updated_at) VALUES (:tenant, :id, 'r', 'R', 10, true,"
                " :tiers, :at, :at)"
            ),
            {
                "tenant": _bind(engine, tenant),
                "id": _bind(engine, reward),
                "tiers": json.dumps(tier_ids),
                "at": at,
            },
        )
    return tenant, reward


def _bind(engine: Engine, value: uuid.UUID) -> str:
    # Raw SQL: SQLAlchemy's Uuid stores 32 hex characters on SQLite, a uuid on PostgreSQL.
    return value.hex if engine.dialect.name == "sqlite" else str(value)


def _tier_ids(engine: Engine, reward: uuid.UUID) -> list[str]:
    with engine.connect() as conn:
        raw = conn.execute(
            text("SELECT tier_ids FROM rewards WHERE id = :id"), {"id": _bind(engine, reward)}
        ).scalar_one()
    return raw if isinstance(raw, list) else json.loads(raw)


def test_reward_tier_ids_become_canonical_uuids_and_come_back_on_downgrade(
    scratch: Engine,
) -> None:
    gold, silver = new_id(), new_id()
    _migrate(scratch, _previous("0003"))
    _, reward = _seed(scratch, [f"tier_{gold.hex}", f"tier_{silver.hex}"])

    _migrate(scratch, "0003")
    assert _tier_ids(scratch, reward) == [str(gold), str(silver)]

    _migrate(scratch, _previous("0003"), down=True)
    assert _tier_ids(scratch, reward) == [f"tier_{gold.hex}", f"tier_{silver.hex}"]


def test_a_reward_without_tiers_is_left_alone(scratch: Engine) -> None:
    _migrate(scratch, _previous("0003"))
    _, reward = _seed(scratch, [])
    _migrate(scratch, "0003")
    assert _tier_ids(scratch, reward) == []


def test_conversions_of_an_order_get_its_external_id_as_order_ref(scratch: Engine) -> None:
    _migrate(scratch, _previous("0008"))
    tenant, _ = _seed(scratch, [])
    member, code, order, conversion, click = (new_id() for _ in range(5))
    at = datetime.now(UTC)
    b = {
        "t": _bind(scratch, tenant),
        "m": _bind(scratch, member),
        "c": _bind(scratch, code),
        "o": _bind(scratch, order),
        "e": _bind(scratch, conversion),
        "k": _bind(scratch, click),
        "at": at,
    }
    with scratch.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO members (tenant_id, id, status, tier_manual, points_balance,"
                " pending_points, lifetime_points, points_debt, points_redeemed,"
                " points_expired, points_deducted, period_points, enrolled_at, created_at,"
                " updated_at) VALUES (:t, :m, 'active', false, 0, 0, 0, 0, 0, 0, 0, 0,"
                " :at, :at, :at)"
            ),
            b,
        )
        conn.execute(
            text(
                "INSERT INTO referral_codes (tenant_id, id, member_id, code, kind, created_at)"
                " VALUES (:t, :c, :m, 'ABC', 'member', :at)"
            ),
            b,
        )
        conn.execute(
            text(
                "INSERT INTO orders (tenant_id, id, external_order_id, member_id, channel,"
                " total, currency, items, status, points_awarded, points_clawed_back,"
                " refunded_amount, body_hash, placed_at, created_at, updated_at) VALUES"
                " (:t, :o, 'SHOP-7', :m, 'online', 10, 'USD', '[]', 'paid', 0, 0, 0, 'h',"
                " :at, :at, :at)"
            ),
            b,
        )
        conn.execute(
            text(
                "INSERT INTO referral_events (tenant_id, id, code_id, type, order_id, revenue,"
                " points, created_at) VALUES (:t, :e, :c, 'conversion', :o, 10, 0, :at),"
                " (:t, :k, :c, 'click', NULL, 0, 0, :at)"
            ),
            b,
        )
    _migrate(scratch, "0008")
    with scratch.connect() as conn:
        rows = dict(
            conn.execute(text("SELECT type, order_ref FROM referral_events")).tuples().all()
        )
    assert rows == {"conversion": "SHOP-7", "click": None}
    _migrate(scratch, _previous("0008"), down=True)
    with scratch.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM referral_events")).scalar_one()
    assert count == 2
