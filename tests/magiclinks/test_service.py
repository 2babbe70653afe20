"""Magic links below the HTTP faces: one use, fifteen minutes, a token stored only as
its hash, concurrent consumption, the session and ``user.joined`` it brings, bans."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from punchcard.errors import Forbidden, PunchcardError, ValidationFailed
from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.crypto import hash_token
from punchcard.magiclinks import service as links
from punchcard.models import MagicLink, Member, MemberSession, OutboxEvent
from punchcard.tenants.service import update_settings
from tests.conftest import TestClock as Clock
from tests.factories import Tenant, unique


def principal(t: Tenant) -> Principal:
    return Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES))


@pytest.fixture
def custom(tenant: Tenant) -> Tenant:
    with tenant.db.transaction() as s:
        update_settings(s, tenant.id, {"custom_auth_enabled": True})
    return tenant


def create(t: Tenant, **kw: Any) -> links.Created:
    data = links.NewLink(
        custom_auth_sub=kw.pop("sub", unique("sub")),
        email=kw.pop("email", f"{unique('ml')}@example.com"),
        **kw,
    )
    with t.db.transaction() as s:
        return links.create(s, principal(t), data=data)


def token_of(created: links.Created) -> str:
    return created.path.rsplit("/", 1)[1]


def consume(t: Tenant, created: links.Created) -> links.SignedIn:
    with t.db.transaction() as s:
        return links.consume(s, partner_id=t.partner_id, token=token_of(created))


def joined_events(t: Tenant, member_id: Any) -> int:
    with t.db.transaction(write=False) as s:
        rows = s.scalars(
            select(OutboxEvent).where(
                OutboxEvent.tenant_id == t.id,
                OutboxEvent.type == "user.joined",
                OutboxEvent.resource_id == f"mem_{member_id.hex}",
            )
        )
        return len(list(rows))


def test_the_token_is_stored_only_as_its_hash(custom: Tenant) -> None:
    created = create(custom)
    token = token_of(created)
    assert len(token) >= 40
    with custom.db.transaction(write=False) as s:
        row = s.scalars(select(MagicLink).where(MagicLink.tenant_id == custom.id)).one()
    assert row.token_hash == hash_token(token) and token not in row.token_hash


def test_consuming_signs_the_member_in_once_and_joins_them(custom: Tenant) -> None:
    created = create(custom, return_to="/rooms/7", state="a b&c")
    signed = consume(custom, created)
    assert signed.member.id == created.member.id
    assert signed.redirect == f"/portal/{custom.partner_id}/rooms/7?state=a+b%26c"
    with custom.db.transaction(write=False) as s:
        p = member_sessions.resolve(s, signed.session_token)
        kind = s.scalars(select(MemberSession.kind).where(MemberSession.id == p.session_id)).one()
    assert p.member_id == created.member.id and kind == "magic_link"
    with pytest.raises(links.LinkGone):
        consume(custom, created)
    assert joined_events(custom, created.member.id) == 1


def test_user_joined_is_emitted_once_per_member_across_links(custom: Tenant) -> None:
    first = create(custom, sub="same-sub", email=f"{unique('j')}@example.com")
    consume(custom, first)
    second = create(custom, sub="same-sub", email=first.member.email)
    assert second.member.id == first.member.id
    consume(custom, second)
    assert joined_events(custom, first.member.id) == 1
    with custom.db.transaction(write=False) as s:
        assert s.get(Member, (custom.id, first.member.id)).joined_at is not None  # type: ignore[union-attr]


def test_a_link_expires_after_fifteen_minutes(custom: Tenant, clock: Clock) -> None:
    clock.freeze()
    live, late = create(custom), create(custom)
    clock.advance(minutes=14, seconds=59)
    with custom.db.transaction(write=False) as s:
        links.peek(s, partner_id=custom.partner_id, token=token_of(live))
    consume(custom, live)
    clock.advance(seconds=1)
    with custom.db.transaction(write=False) as s, pytest.raises(links.LinkGone):
        links.peek(s, partner_id=custom.partner_id, token=token_of(late))
    with pytest.raises(links.LinkGone):
        consume(custom, late)


def test_peeking_consumes_nothing(custom: Tenant) -> None:
    created = create(custom)
    for _ in range(3):
        with custom.db.transaction(write=False) as s:
            links.peek(s, partner_id=custom.partner_id, token=token_of(created))
    consume(custom, created)


def test_an_unknown_token_or_another_tenants_partner_id_is_not_found(
    custom: Tenant, other_tenant: Tenant
) -> None:
    created = create(custom)
    for partner, token in [
        (custom.partner_id, "no-such-token"),
        (other_tenant.partner_id, token_of(created)),
        ("pt_unknown", token_of(created)),
    ]:
        with custom.db.transaction() as s, pytest.raises(links.LinkNotFound):
            links.consume(s, partner_id=partner, token=token)
    consume(custom, created)  # still unused


def test_a_member_banned_after_the_link_was_made_gets_no_session(custom: Tenant) -> None:
    created = create(custom)
    with custom.db.transaction() as s:
        member = s.get(Member, (custom.id, created.member.id))
        assert member is not None
        member.status = "banned"
    with pytest.raises(Forbidden) as refused:
        consume(custom, created)
    assert refused.value.code == "MEMBER_BANNED"
    with custom.db.transaction(write=False) as s:
        sessions = s.scalars(
            select(MemberSession).where(
                MemberSession.tenant_id == custom.id, MemberSession.member_id == member.id
            )
        )
        assert list(sessions) == []
    assert joined_events(custom, created.member.id) == 0


def test_of_concurrent_consumptions_exactly_one_signs_in(custom: Tenant) -> None:
    created = create(custom)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        try:
            consume(custom, created)
            result = "signed"
        except PunchcardError as exc:
            result = exc.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["MAGIC_LINK_GONE"] * 3 + ["signed"]
    assert joined_events(custom, created.member.id) == 1


def test_a_tenant_without_custom_auth_gets_no_link(tenant: Tenant) -> None:
    with pytest.raises(Forbidden) as refused:
        create(tenant)
    assert refused.value.code == "CUSTOM_AUTH_DISABLED"


@pytest.mark.parametrize(
    ("return_to", "state", "expected"),
    [
        (None, None, "/portal/pt_x"),
        ("/", "s", "/portal/pt_x/?state=s"),
        ("/a?b=1", "s/t", "/portal/pt_x/a?b=1&state=s%2Ft"),
        ("/a#top", "s", "/portal/pt_x/a?state=s#top"),
    ],
)
def test_the_redirect_is_the_portal_path_with_state_appended(
    return_to: str | None, state: str | None, expected: str
) -> None:
    assert links.portal_path("pt_x", return_to, state) == expected


@pytest.mark.parametrize("bad", ["x", "//x", "/\\x", "/x\\y", "/x\ty", "/" + "a" * 100])
def test_return_to_refusals_name_return_to(bad: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        links.check_return_to(bad)
    assert refused.value.field == "returnTo"
