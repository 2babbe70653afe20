"""A reward's ``type`` (``rewards.schemas.RewardType``): a closed set, ``custom`` when
not given, filterable, changed but never cleared; the same on every face."""

from __future__ import annotations

from typing import Any

import pytest

from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.paging import Page
from punchcard.rewards import service as rewards
from punchcard.rewards.schemas import RewardType
from tests.factories import Tenant, unique


def _reward(t: Tenant, **kw: Any) -> dict[str, Any]:
    r = t.api.post("/rewards", json={"name": unique("R"), "pointsCost": 10, **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_reward_made_without_a_type_is_custom(tenant: Tenant) -> None:
    assert _reward(tenant)["type"] == "custom"


def test_a_type_outside_the_set_is_a_400_naming_type(tenant: Tenant) -> None:
    r = tenant.api.post("/rewards", json={"name": "X", "pointsCost": 1, "type": "voucher"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "type"


def test_the_type_changes_but_is_never_cleared(tenant: Tenant) -> None:
    made = _reward(tenant, type="discount")
    r = tenant.api.patch(f"/rewards/{made['id']}", json={"type": "gift_card"})
    assert r.status_code == 200 and r.json()["type"] == "gift_card"
    r = tenant.api.patch(f"/rewards/{made['id']}", json={"type": None})
    assert r.status_code == 400 and r.json()["error"]["field"] == "type"
    assert tenant.api.get(f"/rewards/{made['id']}").json()["type"] == "gift_card"


@pytest.mark.parametrize("type_", list(RewardType))
def test_the_list_filters_by_type_in_the_core(tenant: Tenant, type_: RewardType) -> None:
    made = {t: _reward(tenant, type=t.value)["id"] for t in RewardType}
    with tenant.db.transaction(write=False) as s:
        p = Principal(tenant_id=tenant.id, scopes=frozenset(ALL_SCOPES))
        rows, total = rewards.list_rewards(s, p, page=Page(limit=50, offset=0), type_=type_)
    assert total == 1 and [f"rwd_{r.id.hex}" for r in rows] == [made[type_]]
