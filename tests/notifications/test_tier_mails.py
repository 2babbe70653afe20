"""Tier-change mails: read from the tier.changed events the tier service emits, mailed
once per change (promotion and demotion), never for a new member's entry tier, and not
at all while disabled (nor afterwards for changes made meanwhile)."""

from __future__ import annotations

from datetime import UTC, datetime

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.notifications.repository import MemberMailRepository, SettingsRepository
from punchcard.tiers import jobs as tier_jobs
from punchcard.tiers import service as tiers
from tests.conftest import TestClock
from tests.factories import Tenant, award, insert_member
from tests.notifications.conftest import NOW, body, mails, member_uuid, run


def make_tiers(tenant: Tenant) -> dict[str, str]:
    out = {}
    for position, (name, points) in enumerate((("Bronze", 0), ("Silver", 100), ("Gold", 500))):
        r = tenant.api.post(
            "/tiers",
            json={
                "name": name,
                "minPoints": points,
                "position": position,
                "isDefault": points == 0,
            },
        )
        assert r.status_code == 201, r.text
        out[name] = r.json()["id"]
    return out


def set_tier(db: Database, tenant: Tenant, member_id: str, tier: str) -> None:
    principal = Principal(tenant_id=tenant.id, scopes=frozenset(ALL_SCOPES))
    with db.transaction() as s:
        tiers.set_member_tier(
            s, principal, member_id=member_uuid(member_id), tier_id=tier, by_name=True
        )


def test_a_promotion_is_mailed_once(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    make_tiers(tenant)
    m = insert_member(tenant, email="bo@example.com", first_name="Bo")
    award(tenant, m, 10)  # into Bronze, the entry tier: no mail
    assert run(db, mail_settings, tenant).sent == 0
    award(tenant, m, 150)  # Silver
    clock.advance(minutes=1)
    assert run(db, mail_settings, tenant).sent == 1
    [sent] = mails(mail_settings)
    assert sent["To"] == "bo@example.com"
    assert sent["Subject"] == "Welcome to Silver!"
    assert "Congratulations: you have reached Silver (up from Bronze)." in body(sent)
    assert "Your balance is 160 points." in body(sent)
    clock.advance(minutes=15)
    assert run(db, mail_settings, tenant).sent == 0
    assert len(mails(mail_settings)) == 1


def test_a_demotion_is_mailed_once_and_says_so(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    make_tiers(tenant)
    m = insert_member(tenant, first_name="Cy")
    award(tenant, m, 600)  # Gold
    set_tier(db, tenant, m, "Silver")  # by hand: down
    clock.advance(minutes=1)
    assert run(db, mail_settings, tenant).sent == 2
    clock.advance(minutes=11)
    assert run(db, mail_settings, tenant).sent == 0
    subjects = [str(x["Subject"]) for x in mails(mail_settings)]
    assert sorted(subjects) == ["Welcome to Gold!", "Your Acme Coffee tier is now Silver"]
    demoted = next(x for x in mails(mail_settings) if "Silver" in str(x["Subject"]))
    assert "Your tier is now Silver (it was Gold)." in body(demoted)
    with db.transaction(write=False) as s:
        rows = MemberMailRepository(s, tenant.id).mails_of(member_uuid(m))
    assert [r.kind for r in rows] == ["tier_changed", "tier_changed"]
    assert all(r.status == "sent" and r.event_id is not None for r in rows)
    assert len({r.event_id for r in rows}) == 2


def test_changes_made_while_disabled_are_never_mailed(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    make_tiers(tenant)
    with db.transaction() as s:
        SettingsRepository(s, tenant.id).get_or_add(NOW).tier_enabled = False
    m = insert_member(tenant)
    award(tenant, m, 150)
    clock.advance(minutes=30)
    assert run(db, mail_settings, tenant).sent == 0
    with db.transaction() as s:
        SettingsRepository(s, tenant.id).get_or_add(NOW).tier_enabled = True
    clock.advance(minutes=10)
    assert run(db, mail_settings, tenant).sent == 0  # the cursor moved past it
    award(tenant, m, 400)  # Gold, while enabled
    clock.advance(minutes=1)
    assert run(db, mail_settings, tenant).sent == 1
    assert [str(x["Subject"]) for x in mails(mail_settings)] == ["Welcome to Gold!"]


def test_another_tenants_changes_are_not_mailed_for_this_one(
    db: Database, tenant: Tenant, other_tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    make_tiers(other_tenant)
    award(other_tenant, insert_member(other_tenant), 600)
    clock.advance(minutes=1)
    assert run(db, mail_settings, tenant).sent == 0
    assert run(db, mail_settings, other_tenant).sent == 1


def test_a_demotion_at_the_period_rollover_is_mailed_once(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    for position, (name, points) in enumerate((("Member", 0), ("Regular", 100))):
        r = tenant.api.post(
            "/tiers",
            json={"name": name, "minPoints": points, "position": position, "type": "period",
                  "isDefault": points == 0},
        )  # fmt: skip
        assert r.status_code == 201, r.text
    m = insert_member(tenant, first_name="Di")
    award(tenant, m, 150)  # Regular for this year
    clock.advance(minutes=1)
    assert run(db, mail_settings, tenant).sent == 1
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    clock.freeze(new_year)
    assert tier_jobs.period_rollover(db, new_year, tenant_id=tenant.id) >= 1
    clock.advance(minutes=1)
    assert run(db, mail_settings, tenant).sent == 1
    clock.advance(minutes=20)
    assert run(db, mail_settings, tenant).sent == 0
    last = mails(mail_settings)[-1]
    assert last["Subject"] == "Your Acme Coffee tier is now Member"
    assert "Your tier is now Member (it was Regular)." in body(last)
