"""A reward's codes on an update (``rewards.codes_to_add``, ``rewards.keep_codes_expiry``):
the whole list may be sent again, the codes' expiry may be re-sent but not changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from punchcard.errors import ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.ids import parse
from punchcard.models import Reward
from punchcard.rewards import service as rewards
from tests.factories import Tenant, unique

EXPIRY = datetime(2099, 5, 31, 4, tzinfo=UTC)


def _reward(t: Tenant, **kw: Any) -> str:
    r = t.api.post("/rewards", json={"name": unique("Card"), "pointsCost": 10, **kw})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@contextmanager
def _loaded(t: Tenant, reward_id: str) -> Iterator[tuple[Session, Principal, Reward]]:
    with t.db.transaction(write=False) as s:
        reward = s.get(Reward, (t.id, parse("rwd", reward_id)))
        assert reward is not None
        yield s, Principal(tenant_id=t.id, scopes=frozenset(ALL_SCOPES)), reward


def test_codes_the_pool_holds_are_not_added_again(tenant: Tenant) -> None:
    reward_id = _reward(tenant, codes=["A-1", "A-2"])
    with _loaded(tenant, reward_id) as (s, p, reward):
        assert rewards.codes_to_add(s, p, reward, ["A-1", "B-1", "A-2", "B-2"]) == ["B-1", "B-2"]


def test_leaving_a_held_code_out_adds_nothing_and_removes_nothing(tenant: Tenant) -> None:
    reward_id = _reward(tenant, codes=["A-1", "A-2"])
    with _loaded(tenant, reward_id) as (s, p, reward):
        assert rewards.codes_to_add(s, p, reward, ["A-1"]) == []


def test_a_code_of_another_pool_is_still_to_add(tenant: Tenant) -> None:
    _reward(tenant, codes=["THEIRS"])
    reward_id = _reward(tenant, codes=["MINE"])
    with _loaded(tenant, reward_id) as (s, p, reward):
        # Adding it is then refused as a duplicate code, as for any new code.
        assert rewards.codes_to_add(s, p, reward, ["MINE", "THEIRS"]) == ["THEIRS"]


def test_a_reward_without_a_pool_adds_every_code_sent(tenant: Tenant) -> None:
    reward_id = _reward(tenant)
    with _loaded(tenant, reward_id) as (s, p, reward):
        assert rewards.codes_to_add(s, p, reward, ["A-1", "A-2"]) == ["A-1", "A-2"]


def test_the_codes_expiry_may_be_sent_again_unchanged(tenant: Tenant) -> None:
    reward_id = _reward(tenant, codes=["A-1"], codesExpireAt=EXPIRY.isoformat())
    with _loaded(tenant, reward_id) as (s, p, reward):
        rewards.keep_codes_expiry(s, p, reward, EXPIRY)


def test_a_different_codes_expiry_is_refused(tenant: Tenant) -> None:
    reward_id = _reward(tenant, codes=["A-1"], codesExpireAt=EXPIRY.isoformat())
    with _loaded(tenant, reward_id) as (s, p, reward), pytest.raises(ValidationFailed) as err:
        rewards.keep_codes_expiry(s, p, reward, datetime(2099, 6, 1, 4, tzinfo=UTC))
    assert err.value.field == "codes_expire_at"


def test_an_expiry_for_a_reward_without_codes_is_refused(tenant: Tenant) -> None:
    reward_id = _reward(tenant)
    with _loaded(tenant, reward_id) as (s, p, reward):
        rewards.keep_codes_expiry(s, p, reward, None)
        with pytest.raises(ValidationFailed):
            rewards.keep_codes_expiry(s, p, reward, EXPIRY)
