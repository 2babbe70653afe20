"""Member-mail fixtures: the job's own mail directory (so a test counts only its mails)
and helpers that run the job for one tenant and read what it wrote."""

from __future__ import annotations

import email
import uuid
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import pytest

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.notifications import jobs
from tests.factories import Tenant

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def mail_settings(tmp_path: Path) -> Settings:
    return Settings(mail_dir=tmp_path / "mail", public_url="https://loyalty.example.com")


def run(db: Database, settings: Settings, tenant: Tenant, **kw: object) -> jobs.Run:
    return jobs.send_due(db, db.clock.now(), settings=settings, tenant_id=tenant.id, **kw)  # type: ignore[arg-type]


def mails(settings: Settings) -> list[Message]:
    folder = Path(settings.mail_dir)
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def member_uuid(member_id: str) -> uuid.UUID:
    return uuid.UUID(member_id.removeprefix("mem_"))
