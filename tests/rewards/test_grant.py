"""``rewards.grant``: a reward handed out without charging points (a quest's reward)
takes one unit of stock and one code of its pool, as a redemption does; none left is
refused and takes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from punchcard.errors import RewardPoolExhausted
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.ids import parse
from punchcard.members import service as members
from punchcard.models import Reward
from punchcard.rewards import service as rewards
from tests.factories import Tenant, balance, insert_member, unique


def _reward(t: Tenant, **kw: Any) -> dict[str, Any]:
    r = t.api.post("/rewards", json={"name": unique("Mug"), "pointsCost": 500, **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _grant(t: Tenant, reward_id: str, member: str) -> rewards.Grant:
    p = Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES))
    with t.db.transaction() as s:
        reward = s.get(Reward, (t.id, parse("rwd", reward_id)))
        member_id = parse("mem", member)
        assert reward is not None and member_id is not None
        locked = members.lock(s, p, member_id=member_id)
        return rewards.grant(s, p, reward=reward, member=locked, field="id")


def test_a_grant_takes_stock_and_a_code_and_charges_nothing(tenant: Tenant) -> None:
    reward = _reward(tenant, stock=2, codes=["G-1", "G-2"])
    m = insert_member(tenant)
    granted = _grant(tenant, reward["id"], m)
    assert granted.coupon is not None and granted.coupon.code == "G-1"
    assert granted.coupon.status == "issued" and granted.coupon.member_id == parse("mem", m)
    after = tenant.api.get(f"/rewards/{reward['id']}").json()
    assert (after["stock"], after["availableCodes"]) == (1, 1)
    assert balance(tenant, m) == 0


def test_an_inactive_option_is_still_granted(tenant: Tenant) -> None:
    reward = _reward(tenant, isActive=False)
    assert _grant(tenant, reward["id"], insert_member(tenant)).coupon is None


def test_out_of_stock_is_refused(tenant: Tenant) -> None:
    reward = _reward(tenant, stock=0)
    with pytest.raises(rewards.OutOfStock) as refused:
        _grant(tenant, reward["id"], insert_member(tenant))
    assert refused.value.field == "id"


def test_no_code_left_is_refused_and_takes_no_stock(tenant: Tenant) -> None:
    reward = _reward(tenant, stock=5, codes=["ONLY"])
    _grant(tenant, reward["id"], insert_member(tenant))
    with pytest.raises(RewardPoolExhausted):
        _grant(tenant, reward["id"], insert_member(tenant))
    assert tenant.api.get(f"/rewards/{reward['id']}").json()["stock"] == 4
