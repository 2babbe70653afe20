"""A reward's tiers are stored as canonical UUIDs, whatever face named them; the native
face still shows them as ``tier_<hex>``."""

from __future__ import annotations

import uuid

from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.ids import parse
from punchcard.models import Reward
from punchcard.rewards import service as rewards
from tests.factories import Tenant, unique


def _tier(t: Tenant) -> dict[str, str]:
    r = t.api.post("/tiers", json={"name": unique("Gold"), "minPoints": 10_000})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _stored(t: Tenant, reward_id: str) -> list[str]:
    with t.db.transaction(write=False) as s:
        reward = s.get(Reward, (t.id, parse("rwd", reward_id)))
        assert reward is not None
        return list(reward.tier_ids)


def test_tier_ids_given_as_native_ids_are_stored_as_canonical_uuids(tenant: Tenant) -> None:
    gold = _tier(tenant)
    r = tenant.api.post(
        "/rewards", json={"name": unique("VIP"), "pointsCost": 10, "tierIds": [gold["id"]]}
    )
    assert r.status_code == 201, r.text
    assert _stored(tenant, r.json()["id"]) == [str(parse("tier", gold["id"]))]
    assert r.json()["tierIds"] == [gold["id"]]


def test_tier_keys_resolve_to_the_tier_uuid(tenant: Tenant) -> None:
    gold = _tier(tenant)
    with tenant.db.transaction() as s:
        p = Principal(tenant_id=tenant.id, scopes=frozenset(ALL_SCOPES))
        reward = rewards.create(
            s, p, data=rewards.NewReward(name="VIP", points_cost=10, tier_ids=[gold["key"]])
        )
        assert reward.tier_ids == [str(uuid.UUID(hex=gold["id"].removeprefix("tier_")))]
