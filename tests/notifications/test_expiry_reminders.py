"""Expiry reminders: sent once for points expiring within the tenant's days ahead, in
the tenant's timezone; never for a lot further away, a member without an address, a
banned or erased one; counted by local expiry day."""

from __future__ import annotations

from datetime import timedelta

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.clock import iso_z
from punchcard.models import Member
from punchcard.notifications.repository import MemberMailRepository, SettingsRepository
from punchcard.privacy import service as privacy
from punchcard.tenants.service import update_settings
from tests.conftest import TestClock
from tests.factories import Tenant, award, insert_member
from tests.notifications.conftest import NOW, body, mails, member_uuid, run


def test_a_lot_expiring_within_the_days_ahead_is_reminded_once(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    m = insert_member(tenant, email="ada@example.com", first_name="Ada")
    award(tenant, m, 300, expiresAt=iso_z(NOW + timedelta(days=10)))
    assert run(db, mail_settings, tenant).sent == 0  # 10 days away: not yet (default 7)
    clock.advance(days=3, hours=1)  # the 16th is 7 local days ahead now
    assert run(db, mail_settings, tenant).sent == 1
    [sent] = mails(mail_settings)
    assert sent["To"] == "ada@example.com"
    assert "300 of your Acme Coffee points expire on 16 December 2026" == sent["Subject"]
    text = body(sent)
    assert text.startswith("Hi Ada,")
    assert f"https://loyalty.example.com/portal/{tenant.partner_id}/" in text
    clock.advance(hours=2)
    assert run(db, mail_settings, tenant).sent == 0  # the next run sends nothing more
    clock.advance(days=2)
    assert run(db, mail_settings, tenant).sent == 0
    assert len(mails(mail_settings)) == 1


def test_a_lot_further_away_is_not_reminded(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    near = insert_member(tenant)
    far = insert_member(tenant)
    award(tenant, near, 50, expiresAt=iso_z(NOW + timedelta(days=2)))
    award(tenant, far, 50, expiresAt=iso_z(NOW + timedelta(days=30)))
    assert run(db, mail_settings, tenant).sent == 1
    with db.transaction(write=False) as s:
        repo = MemberMailRepository(s, tenant.id)
        assert len(repo.mails_of(member_uuid(near))) == 1
        assert repo.mails_of(member_uuid(far)) == []


def test_lots_of_one_local_day_make_one_mail_and_another_day_another(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    with db.transaction() as s:
        update_settings(s, tenant.id, {"timezone": "America/New_York"})
    clock.freeze(NOW)
    m = insert_member(tenant)
    # 2026-12-08 local: 09:00 and 23:00 New York (the latter is the 9th in UTC).
    award(tenant, m, 20, expiresAt="2026-12-08T14:00:00Z")
    award(tenant, m, 30, expiresAt="2026-12-09T04:00:00Z")
    award(tenant, m, 5, expiresAt="2026-12-10T15:00:00Z")
    assert run(db, mail_settings, tenant).sent == 2
    subjects = sorted(str(msg["Subject"]) for msg in mails(mail_settings))
    assert subjects == [
        "5 of your Acme Coffee points expire on 10 December 2026",
        "50 of your Acme Coffee points expire on 8 December 2026",
    ]


def test_members_without_email_banned_or_erased_are_skipped(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    no_mail = insert_member(tenant, email=None, phone="+15550001111")
    banned = insert_member(tenant)
    erased = insert_member(tenant)
    kept = insert_member(tenant, email="kept@example.com")
    for m in (no_mail, banned, erased, kept):
        award(tenant, m, 10, expiresAt=iso_z(NOW + timedelta(days=1)))
    with db.transaction() as s:
        row = s.get(Member, (tenant.id, member_uuid(banned)))
        assert row is not None
        row.status = "banned"
    principal = Principal(tenant_id=tenant.id, scopes=frozenset(ALL_SCOPES))
    with db.transaction() as s:
        privacy.erase(s, principal, member_id=member_uuid(erased))
    assert run(db, mail_settings, tenant).sent == 1
    assert [str(m["To"]) for m in mails(mail_settings)] == ["kept@example.com"]


def test_a_smaller_days_ahead_waits_and_disabled_sends_nothing(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    m = insert_member(tenant)
    award(tenant, m, 10, expiresAt=iso_z(NOW + timedelta(days=3)))
    with db.transaction() as s:
        row = SettingsRepository(s, tenant.id).get_or_add(NOW)
        row.expiry_days_ahead = 1
    assert run(db, mail_settings, tenant).sent == 0
    with db.transaction() as s:
        row = SettingsRepository(s, tenant.id).get_or_add(NOW)
        row.expiry_days_ahead = 3
        row.expiry_enabled = False
    assert run(db, mail_settings, tenant).sent == 0
    with db.transaction() as s:
        row = SettingsRepository(s, tenant.id).get_or_add(NOW)
        row.expiry_enabled = True
    assert run(db, mail_settings, tenant).sent == 1


def test_a_run_sends_at_most_its_limit_and_the_next_run_the_rest(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    for _ in range(5):
        award(tenant, insert_member(tenant), 10, expiresAt=iso_z(NOW + timedelta(days=1)))
    assert run(db, mail_settings, tenant, limit=3).sent == 3
    assert run(db, mail_settings, tenant, limit=3).sent == 2
    assert run(db, mail_settings, tenant, limit=3).sent == 0
    assert len({str(m["To"]) for m in mails(mail_settings)}) == 5
