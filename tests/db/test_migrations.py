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


def _tenant(engine: Engine, timezone: str, currency: str) -> uuid.UUID:
    tenant, at = new_id(), datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tenants (id, name, partner_id, timezone, currency,"
                " points_per_currency_unit, tier_period, plan, custom_auth_enabled,"
                " created_at, updated_at) VALUES (:id, 'T', :partner, :tz, :cur, 1,"
                " 'year', 'unlimited', false, :at, :at)"
            ),
            {
                "id": _bind(engine, tenant),
                "partner": tenant.hex[:16],
                "tz": timezone,
                "cur": currency,
                "at": at,
            },
        )
    return tenant


def _members_with_phones(engine: Engine, tenant: uuid.UUID, phones: list[str]) -> list[str]:
    """Members holding ``phones`` as stored before 0016, oldest first; their bound ids."""
    out = []
    with engine.begin() as conn:
        for i, phone in enumerate(phones):
            member = _bind(engine, new_id())
            at = datetime(2026, 1, 1, 0, i, tzinfo=UTC)
            conn.execute(
                text(
                    "INSERT INTO members (tenant_id, id, phone, status, tier_manual,"
                    " points_balance, pending_points, lifetime_points, points_debt,"
                    " points_redeemed, points_expired, points_deducted, period_points,"
                    " enrolled_at, created_at, updated_at) VALUES (:t, :m, :p, 'active',"
                    " false, 0, 0, 0, 0, 0, 0, 0, 0, :at, :at, :at)"
                ),
                {"t": _bind(engine, tenant), "m": member, "p": phone, "at": at},
            )
            out.append(member)
    return out


def _phones(engine: Engine, members: list[str]) -> list[str | None]:
    with engine.connect() as conn:
        return [
            conn.execute(text("SELECT phone FROM members WHERE id = :m"), {"m": m}).scalar_one()
            for m in members
        ]


def test_phones_become_e164_in_the_tenants_country_and_duplicates_are_kept_apart(
    scratch: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    _migrate(scratch, _previous("0016"))
    us = _tenant(scratch, "UTC", "USD")  # no zone country: the currency's, US
    gb = _tenant(scratch, "Europe/London", "EUR")  # the zone's country, GB
    us_members = _members_with_phones(
        scratch,
        us,
        [
            "2125550100",  # the oldest spelling of a number another holds in E.164
            "+12125550100",
            "2125550101",
            "5550100199",
            "2125550103",  # two spellings, neither E.164: the oldest gets it
            "12125550103",
            "12",  # not a number: left alone
        ],
    )
    gb_members = _members_with_phones(scratch, gb, ["02079460958", "+15550100177"])
    caplog.set_level("WARNING", logger="alembic.runtime.migration")

    _migrate(scratch, "0016")

    assert _phones(scratch, us_members) == [
        "2125550100",
        "+12125550100",
        "+12125550101",
        "+15550100199",
        "+12125550103",
        "12125550103",
        "12",
    ]
    assert _phones(scratch, gb_members) == ["+442079460958", "+15550100177"]
    logged = caplog.text
    assert "'2125550100' is +12125550100" in logged and "not merged" in logged
    assert "'12125550103' is +12125550103" in logged
    assert "'12' is not a phone number" in logged
    with scratch.connect() as conn:
        limits = conn.execute(text("SELECT max_points_per_award, country FROM tenants")).all()
    assert sorted(tuple(r) for r in limits) == [(1_000_000, None), (1_000_000, None)]

    _migrate(scratch, _previous("0016"), down=True)
    with scratch.connect() as conn:
        columns = conn.execute(text("SELECT * FROM tenants")).keys()
    assert "max_points_per_award" not in columns and "country" not in columns
    # The phones stay in E.164, which the old rules accept.
    assert _phones(scratch, gb_members) == ["+442079460958", "+15550100177"]
