"""Member services, below the HTTP face: normalisation, enrolment, races."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from punchcard.db.uow import Database
from punchcard.errors import DuplicateMember, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.members import captures, service, tags
from punchcard.members.repository import MemberRepository
from punchcard.members.schemas import CaptureSource
from punchcard.members.service import MemberChanges, NewMember
from punchcard.models import Capture, Member, Tag
from punchcard.stores import service as stores
from punchcard.stores.schemas import StoreCreate
from tests.factories import Tenant


def principal(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES))


def run_concurrently(n: int, job: Callable[[], Any]) -> list[Any]:
    """Run ``job`` in ``n`` threads released together; each result or exception."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        try:
            out: Any = job()
        except Exception as exc:
            out = exc
        with lock:
            results.append(out)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("+1 (555) 010-0100", "US", "+15550100100"),
        ("555.010.0100", "US", "+15550100100"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        (" 0049/30/1234567 ", "DE", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
    ],
)
def test_normalize_phone(raw: str, country: str, expected: str) -> None:
    assert service.normalize_phone(raw, country=country) == expected


@pytest.mark.parametrize(
    "raw", ["", "abc", "+", "12345", "+1 555 CALL NOW", "1+5550100", "١٢٣٤٥٦٧"]
)
def test_normalize_phone_refuses_non_numbers(raw: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        service.normalize_phone(raw, country="US")
    assert exc.value.field == "phone"


def test_normalize_email_lowercases_and_validates() -> None:
    assert service.normalize_email("  Ada@Example.COM ") == "ada@example.com"
    with pytest.raises(ValidationFailed) as exc:
        service.normalize_email("ada@", field="email")
    assert exc.value.field == "email"


def test_enroll_is_reusable_by_other_faces(db: Database, tenant: Tenant) -> None:
    p = principal(tenant)
    with db.transaction() as s:
        member = service.enroll(
            s, p, data=NewMember(email="Face@Example.com", source=CaptureSource.web, first_name="F")
        )
        read = service.profile(s, p, member).member
        assert read.email == "face@example.com"
        assert read.referral_code is not None
        cap = s.scalars(select(Capture).where(Capture.member_id == member.id)).one()
        assert (cap.source, cap.is_new_member, cap.dedup_key) == ("web", True, None)


def test_identity_race_lost_at_insert_is_a_duplicate(db: Database, tenant: Tenant) -> None:
    """The unique index catches what the pre-check could not see; the caller's
    transaction stays usable."""
    p = principal(tenant)
    with db.transaction() as s:
        existing = service.enroll(s, p, data=NewMember(email="race@example.com"))
        repo = MemberRepository(s, tenant.id)
        at = s.info["clock"].now()
        with pytest.raises(DuplicateMember) as exc:
            with service._identity_guard(s, repo, service.Identities(email="race@example.com")):
                s.add(
                    Member(
                        tenant_id=tenant.id,
                        id=new_id(),
                        email="race@example.com",
                        status="active",
                        enrolled_at=at,
                        created_at=at,
                        updated_at=at,
                    )
                )
        assert exc.value.field == "email"
        assert exc.value.extra == {"existingId": existing.id}
        total = s.scalar(
            select(func.count()).select_from(Member).where(Member.tenant_id == tenant.id)
        )
        assert total == 1


def test_enroll_reports_a_race_past_its_precheck_as_duplicate(
    db: Database, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = principal(tenant)
    with db.transaction() as s:
        existing = service.enroll(s, p, data=NewMember(phone="+15550100111"))
    real = service._refuse_clash
    calls = {"n": 0}

    def blind_first(*args: Any, **kw: Any) -> None:
        calls["n"] += 1
        if calls["n"] > 1:  # the pre-check misses it, as if another process won the race
            real(*args, **kw)

    monkeypatch.setattr(service, "_refuse_clash", blind_first)
    with db.transaction() as s, pytest.raises(DuplicateMember) as exc:
        service.enroll(s, p, data=NewMember(phone="+1 555 010 0111"))
    assert exc.value.field == "phone"
    assert exc.value.extra["existingId"] == existing.id


def test_concurrent_enrolments_of_one_email_make_one_member(db: Database, tenant: Tenant) -> None:
    p = principal(tenant)

    def enrol() -> uuid.UUID | None:
        with db.transaction() as s:
            return service.enroll(s, p, data=NewMember(email="same@example.com")).id

    results = run_concurrently(4, enrol)
    created = [r for r in results if isinstance(r, uuid.UUID)]
    dupes = [r for r in results if isinstance(r, DuplicateMember)]
    assert len(created) == 1 and len(dupes) == 3, results
    assert {d.extra["existingId"] for d in dupes} == set(created)


def test_concurrent_checkins_make_one_capture(db: Database, tenant: Tenant) -> None:
    p = principal(tenant)
    with db.transaction() as s:
        member = service.enroll(s, p, data=NewMember(external_id="C-1"))
        store = stores.create(s, p, data=StoreCreate(code="C-ST", name="S"))
        member_id, store_id = member.id, store.id

    def check_in() -> tuple[str, bool]:
        with db.transaction() as s:
            cap, created = captures.checkin(s, p, member_id=member_id, store_ref=store_id)
            return str(cap.id), created

    results = run_concurrently(4, check_in)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({cap_id for cap_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_concurrent_first_use_of_a_tag_makes_one_tag(db: Database, tenant: Tenant) -> None:
    p = principal(tenant)
    queue: list[uuid.UUID] = []
    with db.transaction() as s:
        for i in range(4):
            member = service.enroll(s, p, data=NewMember(external_id=f"T-{i}"))
            queue.append(member.id)
    qlock = threading.Lock()

    def tag_one() -> int:
        with qlock:
            member_id = queue.pop()
        with db.transaction() as s:
            return len(tags.add_tags(s, p, member_id=member_id, keys=["launch"]))

    assert run_concurrently(4, tag_one) == [1, 1, 1, 1]
    with db.transaction() as s:
        assert (
            s.scalar(select(func.count()).select_from(Tag).where(Tag.tenant_id == tenant.id)) == 1
        )


def test_referral_code_skips_a_taken_code(
    db: Database, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = principal(tenant)
    with db.transaction() as s:
        taken = service.enroll(s, p, data=NewMember(external_id="R-1")).referral_code
        assert taken is not None
        stream = iter(taken + "ZZZZZZZZ")
        monkeypatch.setattr(service.secrets, "choice", lambda _alphabet: next(stream))
        assert service.generate_referral_code(s, p) == "ZZZZZZZZ"


def test_update_without_changes_emits_nothing(db: Database, tenant: Tenant) -> None:
    p = principal(tenant)
    with db.transaction() as s:
        m = service.enroll(s, p, data=NewMember(email="quiet@example.com"))
        before = m.updated_at
        service.update(s, p, member_id=m.id, data=MemberChanges())
        assert m.updated_at == before


def test_a_listing_newest_first_reverses_the_enrolment_order(tenant: Tenant) -> None:
    tag = uuid.uuid4().hex[:8]
    p = principal(tenant)
    with tenant.db.transaction() as s:
        made = [
            service.enroll(s, p, data=NewMember(email=f"order{i}-{tag}@example.com")).id
            for i in range(3)
        ]
    with tenant.db.transaction() as s:
        oldest, total = service.list_members(s, p, page=Page(limit=2), q=tag)
        newest, _ = service.list_members(s, p, page=Page(limit=2), q=tag, newest_first=True)
        rest, _ = service.list_members(s, p, page=Page(limit=2, offset=2), q=tag, newest_first=True)
    assert total == 3
    assert [r.id for r in oldest] == made[:2]
    assert [r.id for r in newest] + [r.id for r in rest] == made[::-1]
