"""Members' phones: read in the tenant's country, stored and looked up in E.164.

Every way a phone comes in (enrol, update, ``GET /members?phone=``, batches, magic
links, the advocate and ShopSocially faces) goes through :func:`normalize_phone` with
the tenant's country (:func:`country`), so one number written two ways is one member.
Migration 0016 rewrote the phones stored before; where two members' phones turned out
to be one number it left the later one's as it was (never merging members), and
:func:`duplicates` lists those (``punchcard members phone-duplicates``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from punchcard.errors import ValidationFailed
from punchcard.kit import phones
from punchcard.models import Member
from punchcard.tenants.service import phone_country
from punchcard.tenants.snapshot import snapshot


def country(session: Session, tenant_id: uuid.UUID) -> str:
    """The country the tenant's phones without a country code are read in (snapshot)."""
    return phone_country(snapshot(session, tenant_id).settings)


def normalize_phone(raw: str, *, country: str, field: str = "phone") -> str:
    """``raw`` in E.164 (``(212) 555-0100`` in the US → ``+12125550100``); a 400 naming
    ``field`` when it is not a possible phone number."""
    e164 = phones.to_e164(raw.strip(), country) if len(raw) <= 64 else None
    if e164 is None:
        raise ValidationFailed(
            f"{field} must be a phone number: E.164 (+ and country code) or a number of "
            f"the program's country ({country})",
            field=field,
        )
    return e164


@dataclass(frozen=True)
class Duplicate:
    """Members whose stored phones are one number (``e164``): ``kept`` holds it, the
    ``others`` still hold their phone as it was written."""

    e164: str
    kept: Member
    others: tuple[Member, ...]


def duplicates(session: Session, tenant_id: uuid.UUID) -> list[Duplicate]:
    """The tenant's members whose phones are the same number written differently
    (what migration 0016 found and left alone), oldest member first."""
    where = phone_country(snapshot(session, tenant_id).settings)
    rows = session.scalars(
        select(Member)
        .where(Member.tenant_id == tenant_id, Member.phone.is_not(None))
        .order_by(Member.created_at, Member.id)
    )
    groups: dict[str, list[Member]] = defaultdict(list)
    for member in rows:
        e164 = phones.to_e164(member.phone or "", where)
        if e164 is not None:
            groups[e164].append(member)
    out = []
    for e164, members in groups.items():
        if len(members) > 1:
            kept = next((m for m in members if m.phone == e164), members[0])
            out.append(Duplicate(e164, kept, tuple(m for m in members if m is not kept)))
    return sorted(out, key=lambda d: d.e164)
