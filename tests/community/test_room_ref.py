"""A room named in a path (AddGlow's ``returnTo=/room/general``): by the slug of its
name or by its id, within the tenant only."""

from __future__ import annotations

import pytest

from punchcard.community import service
from punchcard.errors import NotFound
from tests.community.support import key, room
from tests.factories import Tenant, unique


@pytest.mark.parametrize(
    ("name", "slug"),
    [("General", "general"), ("Coffee Talk!", "coffee-talk"), ("  Ünïcode & Co ", "n-code-co")],
)
def test_room_slug(name: str, slug: str) -> None:
    assert service.room_slug(name) == slug


def test_a_room_by_slug_or_id_and_the_older_of_two_with_one_slug(tenant: Tenant) -> None:
    first = room(tenant, "Chit Chat")
    room(tenant, "chit-chat")
    other = room(tenant, unique("Other"))
    with tenant.db.transaction(write=False) as s:
        p = key(tenant)
        assert service.find_room(s, p, ref="chit-chat").id == first
        assert service.find_room(s, p, ref=str(other)).id == other
        assert service.find_room(s, p, ref=f"room_{other.hex}").id == other
        for missing in ("nowhere", "", "---"):
            with pytest.raises(NotFound):
                service.find_room(s, p, ref=missing)


def test_another_tenants_room_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    name = unique("Secret")
    theirs = room(other_tenant, name)
    with tenant.db.transaction(write=False) as s:
        for ref in (str(theirs), theirs.hex, service.room_slug(name)):
            with pytest.raises(NotFound):
                service.find_room(s, key(tenant), ref=ref)
