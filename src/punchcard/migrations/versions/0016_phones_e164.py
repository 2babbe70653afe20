"""Phones in E.164; tenants.country and tenants.max_points_per_award

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 02:10:00.000000

Every stored phone is rewritten in E.164, read in its tenant's country (the new
``country`` setting is empty, so the country derived from the timezone, else the
currency, else US: ``punchcard.kit.phones.default_country``, copied here so this
migration keeps doing what it did). Members are never merged: where several members'
phones are one number, the one already in E.164 (else the oldest) gets it and the others
keep theirs as written, so the (tenant_id, phone) unique index holds. Those are logged
here and listed by ``punchcard members phone-duplicates``. A phone that is not a
possible number is left as it was (and logged). The downgrade drops the two columns and
leaves the phones in E.164, which the old format (+ and digits) accepts.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources

import phonenumbers
import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")


def _e164(raw: str, country: str) -> str | None:
    try:
        number = phonenumbers.parse(raw.strip(), country)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != (
        phonenumbers.ValidationResult.IS_POSSIBLE
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _country(timezone: str | None, currency: str | None) -> str:
    regions = phonenumbers.SUPPORTED_REGIONS
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        text = ""
    for line in text.splitlines():
        parts = line.split("\t")
        found = len(parts) >= 3 and not line.startswith("#") and parts[2] == timezone
        if found and parts[0] in regions:
            return parts[0]
    prefix = (currency or "")[:2].upper()
    return prefix if prefix in regions else "US"


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "max_points_per_award",
                sa.BigInteger(),
                server_default="1000000",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=True))
    bind = op.get_bind()
    tenants = bind.execute(sa.text("SELECT id, timezone, currency FROM tenants")).all()
    for tenant_id, timezone, currency in tenants:
        _normalise_tenant(bind, tenant_id, _country(timezone, currency))


def _normalise_tenant(bind: sa.engine.Connection, tenant_id: object, country: str) -> None:
    rows = bind.execute(
        sa.text(
            "SELECT id, phone FROM members WHERE tenant_id = :t AND phone IS NOT NULL "
            "ORDER BY created_at, id"
        ),
        {"t": tenant_id},
    ).all()
    groups: dict[str, list[tuple[object, str]]] = defaultdict(list)
    for member_id, phone in rows:
        e164 = _e164(phone, country)
        if e164 is None:
            log.warning(
                "tenant %s member %s: phone %r is not a phone number; kept",
                tenant_id,
                member_id,
                phone,
            )
            continue
        groups[e164].append((member_id, phone))
    # Who moves where: the E.164 holder (else the oldest) of each number. Members that
    # give up a spelling first, so no update meets a value another still holds.
    moves = []
    for e164, holders in groups.items():
        kept = next((h for h in holders if h[1] == e164), holders[0])
        for other in holders:
            if other is not kept:
                log.warning(
                    "tenant %s: member %s's phone %r is %s, held by member %s; kept as "
                    "written, not merged (punchcard members phone-duplicates)",
                    tenant_id,
                    other[0],
                    other[1],
                    e164,
                    kept[0],
                )
        if kept[1] != e164:
            moves.append((kept[0], e164))
    for member_id, e164 in moves:
        bind.execute(
            sa.text("UPDATE members SET phone = :p WHERE tenant_id = :t AND id = :m"),
            {"p": e164, "t": tenant_id, "m": member_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("country")
        batch_op.drop_column("max_points_per_award")
