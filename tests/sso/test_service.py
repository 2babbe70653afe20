"""SSO below the HTTP face: the signing recipe, the race of two first sign-ins of one
customer, and forgetting old signatures."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from punchcard.db.uow import Database, dialect
from punchcard.errors import Unauthenticated
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.models import Member, SsoMapping, SsoSignature
from punchcard.sso import jobs
from punchcard.sso import service as sso
from punchcard.tenants.service import rotate_sso_secret
from punchcard.worker.jobs import default_registry
from tests.conftest import TestClock as Clock
from tests.factories import Tenant, unique

PINNED = datetime(2026, 12, 5, 12, 0, 0, tzinfo=UTC)


def principal(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES))


def secret(t: Tenant) -> str:
    with t.db.transaction() as s:
        return rotate_sso_secret(s, t.id)


def recognize(t: Tenant, key: str, customer: str, ts: int) -> sso.Recognized:
    with t.db.transaction() as s:
        return sso.recognize(
            s,
            principal(t),
            business_id=t.partner_id,
            external_customer_id=customer,
            timestamp=ts,
            signature=sso.sign(key, t.partner_id, customer, ts),
        )


def count(t: Tenant, model: Any, *where: Any) -> int:
    with t.db.transaction(write=False) as s:
        stmt = select(func.count()).select_from(model).where(model.tenant_id == t.id, *where)
        return int(s.scalar(stmt) or 0)


def test_sign_is_the_documented_hmac() -> None:
    expected = hmac.new(b"sso_k", b"pt_1:cust-9:1700000000", hashlib.sha256).hexdigest()
    assert sso.sign("sso_k", "pt_1", "cust-9", 1_700_000_000) == expected
    assert expected == expected.lower() and len(expected) == 64


def test_first_sign_ins_racing_enrol_one_member(tenant: Tenant, clock: Clock) -> None:
    """Two first recognitions of one customer in overlapping transactions. On
    PostgreSQL the second is held until the first commits (it was blocked on the
    member's unique external id), then takes the first's member and mapping; on
    SQLite the second cannot begin before the first commits. Either way: one member."""
    now = int(clock.freeze(PINNED).timestamp())
    key, customer = secret(tenant), unique("cust")
    db: Database = tenant.db
    results: dict[str, Any] = {}

    def second() -> None:
        try:
            results["second"] = recognize(tenant, key, customer, now - 1)
        except Exception as exc:  # reported through the assertion below
            results["second"] = exc

    with db.transaction() as s:
        results["first"] = sso.recognize(
            s,
            principal(tenant),
            business_id=tenant.partner_id,
            external_customer_id=customer,
            timestamp=now,
            signature=sso.sign(key, tenant.partner_id, customer, now),
        )
        on_pg = dialect(s) == "postgresql"
        worker = threading.Thread(target=second)
        worker.start()
        if on_pg:
            assert _until_blocked(db), "the second sign-in never waited for the first"
    worker.join()
    first, second_result = results["first"], results["second"]
    assert isinstance(second_result, sso.Recognized), second_result
    assert first.enrolled and not second_result.enrolled
    assert second_result.member.id == first.member.id
    assert count(tenant, Member, Member.external_id == customer) == 1
    assert count(tenant, SsoMapping, SsoMapping.external_customer_id == customer) == 1


def _until_blocked(db: Database) -> bool:
    """Wait (bounded) until another backend of this database waits on a lock."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            waiting = conn.execute(
                text(
                    "select count(*) from pg_stat_activity where datname = current_database()"
                    " and wait_event_type = 'Lock'"
                )
            ).scalar()
        if waiting:
            return True
        time.sleep(0.02)
    return False


def test_many_concurrent_first_sign_ins_enrol_one_member(tenant: Tenant, clock: Clock) -> None:
    now = int(clock.freeze(PINNED).timestamp())
    key, customer = secret(tenant), unique("cust")
    n = 6
    barrier = threading.Barrier(n)
    out: list[Any] = [None] * n

    def one(i: int) -> None:
        barrier.wait()
        try:
            out[i] = recognize(tenant, key, customer, now - i)
        except Exception as exc:
            out[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(isinstance(r, sso.Recognized) for r in out), out
    assert len({r.member.id for r in out}) == 1
    assert sum(r.enrolled for r in out) == 1
    assert count(tenant, Member, Member.external_id == customer) == 1


def test_the_same_signature_racing_is_accepted_once(tenant: Tenant, clock: Clock) -> None:
    now = int(clock.freeze(PINNED).timestamp())
    key, customer = secret(tenant), unique("cust")
    n = 4
    barrier = threading.Barrier(n)
    out: list[Any] = [None] * n

    def one(i: int) -> None:
        barrier.wait()
        try:
            out[i] = recognize(tenant, key, customer, now)
        except Exception as exc:
            out[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    accepted = [r for r in out if isinstance(r, sso.Recognized)]
    refused = [r for r in out if isinstance(r, Unauthenticated)]
    assert len(accepted) == 1 and len(refused) == n - 1, out
    assert {r.code for r in refused} == {"SSO_SIGNATURE_REPLAYED"}


def test_old_signatures_are_forgotten_and_recent_ones_kept(
    tenant: Tenant, db: Database, clock: Clock
) -> None:
    clock.freeze(PINNED)
    key = secret(tenant)
    old_ts = int((PINNED - timedelta(minutes=2)).timestamp())
    recognize(tenant, key, unique("old"), old_ts)
    clock.freeze(PINNED + jobs.KEEP + timedelta(minutes=1))
    fresh_ts = int(clock.now().timestamp())
    recognize(tenant, key, unique("new"), fresh_ts)
    assert count(tenant, SsoSignature) == 2
    jobs.forget_signatures(db, clock.now())
    with db.transaction(write=False) as s:
        kept = s.scalars(
            select(SsoSignature.signed_at).where(SsoSignature.tenant_id == tenant.id)
        ).all()
    assert kept == [datetime.fromtimestamp(fresh_ts, UTC)]
    # Forgotten, the old signature is still refused: by its timestamp.
    with pytest.raises(Unauthenticated) as exc:
        recognize(tenant, key, unique("old"), old_ts)
    assert exc.value.code == "SSO_TIMESTAMP_EXPIRED"


def test_the_worker_runs_the_cleanup() -> None:
    job = next(j for j in default_registry() if j.name == "sso.forget_signatures")
    assert job.run is jobs.forget_signatures
