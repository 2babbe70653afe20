"""Once per event under concurrency: two job runs at once (threads in this process,
then two processes) send one mail; a mail that failed to send is retried later and
sent once; a stored template that no longer renders is given up, not retried."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.kit.clock import iso_z
from punchcard.notifications import jobs
from punchcard.notifications.jobs import send_due
from punchcard.notifications.repository import MemberMailRepository, SettingsRepository
from punchcard.worker.jobs import default_registry
from tests.conftest import TestClock, database_url
from tests.factories import Tenant, award, insert_member
from tests.notifications.conftest import NOW, mails, member_uuid, run


def test_two_runs_at_once_send_one_mail(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    members = [insert_member(tenant) for _ in range(6)]
    for m in members:
        award(tenant, m, 10, expiresAt=iso_z(NOW + timedelta(days=1)))
    barrier = threading.Barrier(2)
    results: list[jobs.Run] = []
    errors: list[BaseException] = []

    def go() -> None:
        barrier.wait()
        try:
            results.append(run(db, mail_settings, tenant))
        except BaseException as exc:  # pragma: no cover - the failure we look for
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.sent for r in results) == 6
    recipients = [str(m["To"]) for m in mails(mail_settings)]
    assert len(recipients) == len(set(recipients)) == 6


SCRIPT = """
import sys, time, uuid
from datetime import datetime
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.notifications import jobs
url, tenant, at, mail_dir, start = sys.argv[1:6]
db = Database(url)
settings = Settings(mail_dir=mail_dir, public_url="https://loyalty.example.com")
time.sleep(max(0.0, float(start) - time.time()))
done = jobs.send_due(db, datetime.fromisoformat(at), settings=settings, tenant_id=uuid.UUID(tenant))
print(done.sent)
db.dispose()
"""


def test_two_worker_processes_at_once_send_one_mail_each(
    db: Database, tenant: Tenant, clock: TestClock, tmp_path: Path
) -> None:
    clock.freeze(NOW)
    for _ in range(8):
        award(tenant, insert_member(tenant), 10, expiresAt=iso_z(NOW + timedelta(days=2)))
    mail_dir = tmp_path / "mail"
    start = str(time.time() + 3.0)  # both start their run together, once imported
    args = [database_url(), str(tenant.id), NOW.isoformat(), str(mail_dir), start]
    procs = [
        subprocess.Popen([sys.executable, "-c", SCRIPT, *args], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert sum(int(o.strip()) for o in outs) == 8
    assert len(list(mail_dir.glob("*.eml"))) == 8


def test_a_failed_send_is_retried_later_and_sent_once(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    m = insert_member(tenant)
    award(tenant, m, 10, expiresAt=iso_z(NOW + timedelta(days=3)))
    # Nothing listens on port 9 of this machine: the SMTP connection is refused.
    down = mail_settings.model_copy(update={"smtp_url": "smtp://127.0.0.1:9"})
    first = run(db, down, tenant)
    assert (first.sent, first.failed) == (0, 1)
    with db.transaction(write=False) as s:
        [row] = MemberMailRepository(s, tenant.id).mails_of(member_uuid(m))
    assert row.status == "failed" and row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(minutes=15)
    clock.advance(minutes=5)
    assert run(db, mail_settings, tenant).sent == 0  # not due yet, and no second claim
    clock.advance(minutes=11)
    assert run(db, mail_settings, tenant).sent == 1
    assert run(db, mail_settings, tenant).sent == 0
    assert len(mails(mail_settings)) == 1
    with db.transaction(write=False) as s:
        [row] = MemberMailRepository(s, tenant.id).mails_of(member_uuid(m))
    assert row.status == "sent" and row.attempts == 2


def test_a_stored_template_that_no_longer_renders_is_given_up(
    db: Database, tenant: Tenant, clock: TestClock, mail_settings: Settings
) -> None:
    clock.freeze(NOW)
    with db.transaction() as s:
        # Written past the dashboard's check (as a template saved by an older version).
        SettingsRepository(s, tenant.id).get_or_add(NOW).expiry_body = "Hi {{ nickname }}"
    m = insert_member(tenant)
    award(tenant, m, 10, expiresAt=iso_z(NOW + timedelta(days=3)))
    done = run(db, mail_settings, tenant)
    assert (done.sent, done.failed) == (0, 1)
    assert "nickname" in done.errors[0]
    clock.advance(hours=7)
    assert run(db, mail_settings, tenant).failed == 0
    with db.transaction(write=False) as s:
        [row] = MemberMailRepository(s, tenant.id).mails_of(member_uuid(m))
    assert row.status == "given_up"
    assert mails(mail_settings) == []


def test_the_job_is_scheduled_every_ten_minutes_with_the_workers_settings(
    mail_settings: Settings,
) -> None:
    job = next(j for j in default_registry(mail_settings) if j.name == "notifications.member_mail")
    assert job.every == timedelta(minutes=10)
    assert job.run.func is send_due  # type: ignore[attr-defined]
    assert job.run.keywords == {"settings": mail_settings}  # type: ignore[attr-defined]
